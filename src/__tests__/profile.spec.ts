import { nullTranslator } from '@jupyterlab/translation';

import {
  armedMessage,
  finishedMessage,
  profileApplies,
  profiledCells,
  profileLineSentence,
  profileMarks,
  profileSummary
} from '../lines/profile';
import { cellIdOfExecution, latestProfile } from '../model/merge';
import { ILineProfile, ILineProfileCell, ILineProfileLine } from '../model/types';
import { record } from './fixtures';

const trans = nullTranslator.load('jupyterlab_memory_usage');
const MIB = 2 ** 20;
const ONES_1E7 = 8e7; // np.ones(10**7): 76.29 MiB

function line(overrides: Partial<ILineProfileLine>): ILineProfileLine {
  return { line: 1, hits: 1, delta: 0, peak_increment: 0, duration: 0.001, ...overrides };
}

/** `build` of the cell that defined it, as the profile of `r = build(10**7)` names it. */
const DEFINED: ILineProfileCell = {
  execution_count: 2,
  cell_id: 'c-def',
  lines: [
    line({ line: 6, delta: 4096, peak_increment: 4096 }),
    line({ line: 3, delta: ONES_1E7, peak_increment: ONES_1E7, duration: 0.12 }),
    line({ line: 4, delta: ONES_1E7, peak_increment: ONES_1E7 }),
    line({ line: 5, delta: -ONES_1E7, peak_increment: 0 })
  ]
};

/** The profiled cell: `r = build(10**7)`, then a loop of three. */
const PROFILED: ILineProfileCell = {
  execution_count: 3,
  cell_id: null,
  lines: [line({ line: 1 }), line({ line: 2, hits: 4 }), line({ line: 3, hits: 3 })]
};

function profile(overrides: Partial<ILineProfile> = {}): ILineProfile {
  return {
    error: null,
    backend: 'settrace',
    events: 64,
    duration: 0.013,
    overhead: 0.0005,
    lines_left_out: 0,
    cells: [PROFILED, DEFINED],
    ...overrides
  };
}

describe('profileMarks', () => {
  it('marks every line that ran, in line order, with its figure and its runs', () => {
    const marks = profileMarks(DEFINED, 0, 'binary', trans);
    expect(marks.map(m => [m.line, m.endLine, m.hits, m.kind, m.strength, m.text])).toEqual([
      [3, 3, 1, 'grow', 2, '+76.3 MiB · 1×'],
      [4, 4, 1, 'grow', 2, '+76.3 MiB · 1×'],
      [5, 5, 1, 'free', 2, '-76.3 MiB · 1×'],
      // Below the threshold: its runs only, light.
      [6, 6, 1, 'grow', 0, '1×']
    ]);
    expect(marks[0].delta).toBe(ONES_1E7);
    expect(marks[0].title).toBe('line 3: 1 run, +76.3 MiB left behind, peaked 76.3 MiB above its start, 0.12 s');
    expect(marks[0].editedTitle).toMatch(/\(edited since it ran\)$/);
  });

  it('shows the runs of a loop, and a peak where the line kept less than it reached', () => {
    expect(profileMarks(PROFILED, 0, 'binary', trans).map(m => [m.line, m.hits, m.text])).toEqual([
      [1, 1, '1×'],
      [2, 4, '4×'],
      [3, 3, '3×']
    ]);
    const temporaries = { ...PROFILED, lines: [line({ line: 2, hits: 10, delta: 0, peak_increment: 2 * ONES_1E7 })] };
    const [mark] = profileMarks(temporaries, 0, 'binary', trans);
    expect([mark.kind, mark.text]).toEqual(['peak', 'peak +152.6 MiB · 10×']);
  });

  it('follows the threshold of the statements’ marks, and leaves out lines before the first', () => {
    const marks = profileMarks(DEFINED, 100 * MIB, 'binary', trans);
    expect(marks.map(m => m.strength)).toEqual([0, 0, 0, 0]);
    expect(marks[0].text).toBe('1×');
    const odd = { ...PROFILED, lines: [line({ line: 0 }), line({ line: 2 })] };
    expect(profileMarks(odd, 0, 'binary', trans).map(m => m.line)).toEqual([2]);
  });
});

describe('profileLineSentence', () => {
  it('says the runs, the change, the peak and the time', () => {
    expect(profileLineSentence(line({ line: 3, hits: 10, delta: ONES_1E7, peak_increment: ONES_1E7, duration: 0.12 }), 'binary', trans)).toBe(
      'line 3: 10 runs, +76.3 MiB left behind, peaked 76.3 MiB above its start, 0.12 s'
    );
    expect(profileLineSentence(line({ duration: null }), 'decimal', trans)).toBe(
      'line 1: 1 run, ±0 B left behind, peaked 0 B above its start, —'
    );
  });
});

describe('profileSummary and the notifications', () => {
  it('names the events and what profiling cost', () => {
    expect(profileSummary(profile(), trans)).toBe('Profiled 64 line events; profiling took about 0.5 ms of 13 ms.');
    expect(profileSummary(profile({ events: 1, overhead: null }), trans)).toBe('Profiled 1 line event.');
    expect(profileSummary(profile({ lines_left_out: 3 }), trans)).toMatch(
      /\. 3 more lines are left out \(only the heaviest are kept\)\.$/
    );
  });

  it('says why a profile could not run', () => {
    const failed = profile({ error: 'another tracer is active', backend: null, duration: null, overhead: null, cells: [] });
    expect(profileSummary(failed, trans)).toBe('The line profile could not run: another tracer is active');
    expect(finishedMessage(failed, trans)).toBe('The line profile could not run: another tracer is active');
  });

  it('says where the marks are once the run ended', () => {
    expect(finishedMessage(profile(), trans)).toBe(
      'Profiled 64 line events; profiling took about 0.5 ms of 13 ms. The marks are beside the lines it ran, in 2 cells, until each runs again.'
    );
    expect(finishedMessage(profile({ cells: [] }), trans)).toMatch(/It ran no line of the notebook’s cells\.$/);
  });

  it('says what was armed, and when a running cell delays it', () => {
    const reply = { kernel_id: 'k', line_profile_armed: 'c', line_profile_backend: 'settrace', pending: false };
    expect(armedMessage(reply, trans)).toBe(
      'The next run of this cell is profiled line by line (settrace). Profiling slows lines down: see the README.'
    );
    expect(armedMessage({ ...reply, pending: true, line_profile_backend: null }, trans)).toBe(
      'A cell is running: once it ends, the next run of this cell is profiled line by line. Profiling slows lines down: see the README.'
    );
  });
});

describe('which cells a profile names, and which profile a cell shows', () => {
  const definition = record({ msg_id: 'm-def', cell_id: 'c-def', execution_count: 2, started: 10, pid: 42 });
  const profiled = record({
    msg_id: 'm-run',
    cell_id: 'c-run',
    execution_count: 3,
    started: 20,
    pid: 42,
    line_profile: profile()
  });

  it('names a cell by its id, else by the run its execution count was in the same process', () => {
    const records = [definition, profiled, record({ msg_id: 'x', cell_id: 'c-other', execution_count: 3, pid: 7 })];
    const cells = profiledCells(profile(), count => cellIdOfExecution(records, count, 42));
    expect([...cells.keys()]).toEqual(['c-run', 'c-def']);
    expect(cells.get('c-run')).toBe(PROFILED);
    // In another process the execution count names nothing.
    expect(profiledCells(profile(), count => cellIdOfExecution(records, count, 99)).has('c-run')).toBe(false);
  });

  it('finds the latest finished profiled run', () => {
    const later = { ...profiled, msg_id: 'm-later', started: 30 };
    expect(latestProfile([definition, later, profiled])).toBe(later);
    expect(latestProfile([definition, { ...later, status: 'running' }])).toBeNull();
    expect(latestProfile([])).toBeNull();
  });

  it('shows it until the cell runs again', () => {
    expect(profileApplies(profiled, profiled)).toBe(true);
    expect(profileApplies(profiled, definition)).toBe(true);
    expect(profileApplies(profiled, null)).toBe(true);
    expect(profileApplies(profiled, { ...definition, msg_id: 'm-def2', started: 25 })).toBe(false);
    expect(profileApplies(profiled, { ...profiled, msg_id: 'm-run2', started: 21, line_profile: null })).toBe(false);
  });
});
