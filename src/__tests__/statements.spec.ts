import { nullTranslator } from '@jupyterlab/translation';

import {
  heaviestStatement,
  isAggregate,
  LINE_MARK_FLOOR_BYTES,
  lineMarkMinimum,
  lineMarks,
  markStrength,
  showsPeak,
  statementCount,
  statementRows,
  statementSentence,
  worthALineMark
} from '../lines/statements';
import { IStatement } from '../model/types';

const trans = nullTranslator.load('jupyterlab_memory_usage');
const MIB = 2 ** 20;
const ONES_1E8 = 8e8; // np.ones(10**8): 762.94 MiB

function statement(overrides: Partial<IStatement>): IStatement {
  return {
    line: 1,
    end_line: 1,
    delta: 0,
    peak_increment: 0,
    duration: 0.01,
    rss_end: 2 ** 30,
    ...overrides
  };
}

/** The seed's cell, as the hook measures it, one statement a line. */
const SEED: IStatement[] = [
  statement({ line: 1, end_line: 1, delta: ONES_1E8, peak_increment: ONES_1E8, duration: 0.18 }),
  statement({ line: 2, end_line: 2, delta: ONES_1E8, peak_increment: ONES_1E8, duration: 0.35 }),
  statement({ line: 3, end_line: 3, delta: 4096, peak_increment: ONES_1E8, duration: 0.4 }),
  statement({ line: 4, end_line: 4, delta: -ONES_1E8, peak_increment: 0, duration: 0.05 }),
  statement({ line: 5, end_line: 5, delta: 0, peak_increment: 4096, duration: 0.00002 })
];

const AGGREGATE = statement({
  line: null,
  end_line: null,
  aggregated: 12,
  delta: 3 * MIB,
  peak_increment: 5 * MIB,
  duration: 0.2
});

describe('which statements get a mark', () => {
  it('marks a change or a peak at least the badge threshold, never below the floor', () => {
    expect(SEED.map(s => worthALineMark(s, 0))).toEqual([true, true, true, true, false]);
    expect(lineMarkMinimum(0)).toBe(LINE_MARK_FLOOR_BYTES);
    expect(lineMarkMinimum(100 * MIB)).toBe(100 * MIB);
    expect(worthALineMark(statement({ delta: 50 * MIB, peak_increment: 50 * MIB }), 100 * MIB)).toBe(false);
    expect(worthALineMark(statement({ delta: -100 * MIB, peak_increment: 0 }), 100 * MIB)).toBe(true);
    expect(worthALineMark(statement({ delta: 0, peak_increment: 100 * MIB }), 100 * MIB)).toBe(true);
    expect(worthALineMark(statement({ delta: 2 * MIB, peak_increment: null }), 0)).toBe(true);
  });

  it('never marks the aggregate: it has no line', () => {
    expect(isAggregate(AGGREGATE)).toBe(true);
    expect(isAggregate(SEED[0])).toBe(false);
    expect(worthALineMark(statement({ ...AGGREGATE, delta: 10 ** 10 }), 0)).toBe(false);
  });

  it('shows the peak when the temporaries went far above what stayed', () => {
    expect(SEED.map(s => showsPeak(s, 0))).toEqual([false, false, true, false, false]);
    // `c = b[:2*10**7]*2 + b[:2*10**7]*3`: +153 MiB kept, peak +305 MiB.
    expect(showsPeak(statement({ delta: 153 * MIB, peak_increment: 305 * MIB }), 0)).toBe(true);
    expect(showsPeak(statement({ delta: 153 * MIB, peak_increment: 305 * MIB }), 200 * MIB)).toBe(false);
    expect(showsPeak(statement({ delta: 5 * MIB, peak_increment: null }), 0)).toBe(false);
  });
});

describe('the marks', () => {
  it('say the change, or the peak, with the full sentence as title', () => {
    const marks = lineMarks(SEED, 0, 'binary', trans);
    expect(marks.map(m => [m.line, m.text, m.kind])).toEqual([
      [1, '+762.9 MiB', 'grow'],
      [2, '+762.9 MiB', 'grow'],
      [3, 'peak +762.9 MiB', 'peak'],
      [4, '-762.9 MiB', 'free']
    ]);
    expect(marks[0].title).toBe('line 1: +762.9 MiB left behind, peaked 762.9 MiB above its start, 0.18 s');
    expect(marks[0].editedTitle).toBe(`${marks[0].title} (edited since it ran)`);
    expect(marks[3]).toMatchObject({ endLine: 4, delta: -ONES_1E8, peakIncrement: 0, strength: 3 });
  });

  it('use the units setting', () => {
    expect(lineMarks([SEED[0]], 0, 'decimal', trans)[0].text).toBe('+800.0 MB');
    expect(lineMarks([statement({ delta: 0, peak_increment: 1.6e9 })], 0, 'binary', trans)[0].text).toBe(
      'peak +1.49 GiB'
    );
  });

  it('are stronger for larger figures', () => {
    expect([0, 10 * MIB, 64 * MIB, 300 * MIB, 512 * MIB, -2 * 2 ** 30].map(markStrength)).toEqual([
      1, 1, 2, 2, 3, 3
    ]);
  });
});

describe('statementSentence', () => {
  it('names a statement of several lines by its lines', () => {
    const loop = statement({ line: 3, end_line: 4, delta: 320e6, peak_increment: 480e6, duration: 0.1 });
    expect(statementSentence(loop, 'binary', trans)).toBe(
      'lines 3–4: +305.2 MiB left behind, peaked 457.8 MiB above its start, 0.10 s'
    );
  });

  it('leaves out a peak the kernel could not measure', () => {
    expect(statementSentence(statement({ line: 2, delta: -MIB, peak_increment: null }), 'binary', trans)).toBe(
      'line 2: -1.0 MiB left behind, 10 ms'
    );
  });

  it('counts the statements of the aggregate', () => {
    expect(statementSentence(AGGREGATE, 'binary', trans)).toBe(
      '12 more statements: +3.0 MiB left behind in all, the largest peak 5.0 MiB above its start, 0.20 s'
    );
    expect(statementCount([...SEED, AGGREGATE])).toBe(17);
  });
});

describe('heaviestStatement', () => {
  it('is the one with the largest peak', () => {
    const cell = [
      statement({ line: 1, delta: 100 * MIB, peak_increment: 100 * MIB }),
      statement({ line: 2, delta: 10 * MIB, peak_increment: 300 * MIB })
    ];
    expect(heaviestStatement(cell)).toEqual({ statement: cell[1], by: 'peak' });
  });

  it('falls back to the change where no peak was measured', () => {
    const cell = [
      statement({ line: 1, delta: 100 * MIB, peak_increment: null }),
      statement({ line: 2, delta: -300 * MIB, peak_increment: null })
    ];
    expect(heaviestStatement(cell)).toEqual({ statement: cell[0], by: 'delta' });
  });

  it('may be the aggregate, and needs two statements and a figure above zero', () => {
    expect(heaviestStatement([statement({ line: 1, peak_increment: MIB }), AGGREGATE])?.statement).toBe(
      AGGREGATE
    );
    expect(heaviestStatement([SEED[0]])).toBeNull();
    expect(heaviestStatement([{ ...AGGREGATE, aggregated: 3 }])?.statement.aggregated).toBe(3);
    expect(heaviestStatement([statement({ line: 1 }), statement({ line: 2 })])).toBeNull();
    expect(heaviestStatement(null)).toBeNull();
    expect(heaviestStatement(undefined)).toBeNull();
  });
});

describe('statementRows', () => {
  it('names each statement by its lines and its first line of source', () => {
    const source = 'import numpy as np\nfor i in range(3):\n    x = np.ones(10**6)\n' + 'y = 1 ' + '#'.repeat(80);
    const rows = statementRows(
      [
        statement({ line: 2, end_line: 3 }),
        statement({ line: 4, end_line: 4 }),
        AGGREGATE
      ],
      source,
      trans,
      20
    );
    expect(rows.map(r => [r.lines, r.label])).toEqual([
      ['2–3', 'for i in range(3):'],
      ['4', 'y = 1 #############…'],
      ['', '12 more statements']
    ]);
  });
});
