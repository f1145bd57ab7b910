import { nullTranslator } from '@jupyterlab/translation';

import {
  badgeText,
  badgeTooltip,
  memoryWasReused,
  worthABadge
} from '../badges/text';
import { heaviestStatementNote } from '../lines/statements';
import { record } from './fixtures';

const trans = nullTranslator.load('jupyterlab_memory_usage');
const MIB = 2 ** 20;

const seedLine = record({
  execution_count: 3,
  delta: 8e8,
  peak_increment: 8e8,
  duration: 0.51,
  rss_end: 1.54 * 2 ** 30
});

describe('badgeText', () => {
  it('says what the seed tool printed, compactly', () => {
    expect(badgeText(seedLine, 'binary', trans)).toBe(
      '+762.9 MiB · peak +762.9 MiB · 0.51 s · 1.54 GiB'
    );
  });

  it('uses decimal units when asked', () => {
    expect(badgeText(seedLine, 'decimal', trans)).toBe(
      '+800.0 MB · peak +800.0 MB · 0.51 s · 1.65 GB'
    );
  });

  it('marks running, died and aborted runs', () => {
    expect(badgeText(record({ status: 'running', delta: 0 }), 'binary', trans)).toMatch(
      /^running · ±0 B · /
    );
    expect(
      badgeText(record({ status: 'died', exit_signal: 9 }), 'binary', trans)
    ).toMatch(/^kernel died \(signal 9\) · /);
    expect(
      badgeText(
        record({ status: 'died', exit_signal: 9, died_reason: 'out_of_memory' }),
        'binary',
        trans
      )
    ).toMatch(/^kernel ran out of memory · /);
    expect(
      badgeTooltip(
        [record({ status: 'died', exit_signal: 9, died_reason: 'out_of_memory', execution_count: 4 })],
        'binary',
        trans,
        { fromEarlierProcess: false }
      )
    ).toMatch(/^The kernel ran out of memory while cell \[4\] ran: it was killed \(signal 9\)/);
    expect(
      badgeText(record({ status: 'aborted', delta: null }), 'binary', trans)
    ).toBe('not run (an earlier cell failed)');
  });

  it('says when the server stopped during the cell', () => {
    const stopped = record({
      status: 'died',
      died_reason: 'server_stopped',
      execution_count: 2,
      delta: 8e8
    });
    expect(badgeText(stopped, 'binary', trans)).toMatch(
      /^server stopped during this cell · \+762\.9 MiB · /
    );
    expect(badgeTooltip([stopped], 'binary', trans, { fromEarlierProcess: false, fromEarlierSession: true })).toMatch(
      /^The Jupyter server stopped while cell \[2\] ran, and shut the kernel down: \+762\.9 MiB RAM until then/
    );
    const lost = record({ status: 'died', died_reason: 'connection_lost', execution_count: 3, delta: 8e8 });
    expect(badgeText(lost, 'binary', trans)).toMatch(/^connection to the kernel lost · \+762\.9 MiB · /);
    expect(badgeTooltip([lost], 'binary', trans, { fromEarlierProcess: false })).toMatch(
      /^The connection to the kernel was lost while cell \[3\] ran, so how it ended is unknown: \+762\.9 MiB RAM/
    );
  });

  it('leaves out figures that are missing', () => {
    const text = badgeText(
      record({ delta: -5 * MIB, peak_increment: null, duration: null, rss_end: null }),
      'binary',
      trans
    );
    expect(text).toBe('-5.0 MiB');
  });
});

describe('badgeTooltip', () => {
  it('gives the full sentence, the restart note and earlier runs', () => {
    const earlier = record({ msg_id: 'old', delta: MIB, duration: 2 });
    const tooltip = badgeTooltip([seedLine, earlier], 'binary', trans, { fromEarlierProcess: true });
    const lines = tooltip.split('\n');
    expect(lines[0]).toBe(
      'Cell [3] used +762.9 MiB RAM (peak +762.9 MiB above its start) in 0.51 s; total RAM usage 1.54 GiB.'
    );
    expect(lines[1]).toBe('Measured before the kernel was restarted.');
    expect(lines[2]).toBe('Earlier runs:');
    expect(lines[3]).toMatch(/^ {2}\+1\.0 MiB · /);
  });

  it('explains a sampled peak', () => {
    const tooltip = badgeTooltip([record({ method: 'outside_sampled' })], 'binary', trans, { fromEarlierProcess: false });
    expect(tooltip).toMatch(/samples taken every 100 ms/);
  });

  it('says how a remote kernel was measured', () => {
    const tooltip = badgeTooltip([record({ method: 'usage_request_sampled' })], 'binary', trans, { fromEarlierProcess: false });
    expect(tooltip).toMatch(/remote kernel.*child processes.*may be missed/);
  });

  it('is empty without runs', () => {
    expect(badgeTooltip([], 'binary', trans, { fromEarlierProcess: false })).toBe('');
  });
});

describe('heap mode', () => {
  it('adds the heap figure to the line and explains the reuse case', () => {
    const reused = record({ delta: 2 * MIB, peak_increment: 2 * MIB, heap_delta: 229 * MIB, heap_peak_increment: 229 * MIB });
    expect(memoryWasReused(reused)).toBe(true);
    expect(badgeText(reused, 'binary', trans)).toMatch(/ · heap \+229\.0 MiB$/);
    const tooltip = badgeTooltip([reused], 'binary', trans, { fromEarlierProcess: false });
    expect(tooltip).toMatch(/Python heap \(tracemalloc\): \+229\.0 MiB allocated and still held/);
    expect(tooltip).toMatch(/Python reused memory that earlier cells had freed/);
  });

  it('does not cry reuse when RAM and heap agree, or without heap figures', () => {
    expect(memoryWasReused(record({ delta: 800 * MIB, heap_delta: 763 * MIB }))).toBe(false);
    expect(memoryWasReused(record({ delta: 0, heap_delta: 1 * MIB }))).toBe(false);
    expect(memoryWasReused(record({ delta: 0 }))).toBe(false);
    expect(badgeTooltip([record({})], 'binary', trans, { fromEarlierProcess: false })).not.toMatch(/heap/);
  });
});

describe('worthABadge', () => {
  it('hides small finished cells only', () => {
    const small = record({ delta: MIB, peak_increment: MIB });
    expect(worthABadge(small, 0)).toBe(true);
    expect(worthABadge(small, 10 * MIB)).toBe(false);
    expect(worthABadge(record({ delta: MIB, peak_increment: 20 * MIB }), 10 * MIB)).toBe(true);
    expect(worthABadge(record({ delta: -20 * MIB, peak_increment: 0 }), 10 * MIB)).toBe(true);
    expect(worthABadge({ ...small, status: 'running' }, 10 * MIB)).toBe(true);
    expect(worthABadge({ ...small, status: 'error' }, 10 * MIB)).toBe(true);
  });
});

describe('the heaviest statement in the tooltip', () => {
  const source = 'a = np.ones(10**7)\nb = a*2 + a*3\nfor i in range(2):\n    pass';
  const statements = [
    { line: 1, end_line: 1, delta: 80e6, peak_increment: 80e6, duration: 0.05, rss_end: 1e9 },
    { line: 2, end_line: 2, delta: 160e6, peak_increment: 320e6, duration: 0.1, rss_end: 1.2e9 },
    { line: 3, end_line: 4, delta: 0, peak_increment: 0, duration: 0.01, rss_end: 1.2e9 }
  ];

  it('names it, with its first line of source', () => {
    const tooltip = badgeTooltip([record({ statements })], 'binary', trans, {
      fromEarlierProcess: false,
      source
    });
    expect(tooltip.split('\n')[1]).toBe('Peak at line 2 (`b = a*2 + a*3`): +305.2 MiB above its start.');
  });

  it('falls back to the change, and quotes a long line cut short', () => {
    const long = `c = ${'x + '.repeat(30)}x`;
    const noPeaks = statements.map(s => ({ ...s, peak_increment: null }));
    expect(heaviestStatementNote(record({ statements: noPeaks }), `${long}\n`, 'binary', trans)).toBe(
      `Most memory left at line 2: +152.6 MiB.`
    );
    const note = heaviestStatementNote(record({ statements: noPeaks.slice(0, 1).concat(noPeaks[0]) }), long, 'binary', trans);
    expect(note).toBe(`Most memory left at line 1 (\`${long.slice(0, 39)}…\`): +76.3 MiB.`);
  });

  it('names the aggregate by its count, and nothing for one statement or none', () => {
    const aggregate = { line: null, end_line: null, aggregated: 40, delta: MIB, peak_increment: 2e9, duration: 1, rss_end: 3e9 };
    expect(heaviestStatementNote(record({ statements: [statements[0], aggregate] }), source, 'binary', trans)).toBe(
      'Peak in one of the last 40 statements: +1.86 GiB above its start.'
    );
    expect(heaviestStatementNote(record({ statements: statements.slice(0, 1) }), source, 'binary', trans)).toBeNull();
    expect(heaviestStatementNote(record({ statements: null }), source, 'binary', trans)).toBeNull();
    expect(badgeTooltip([record({})], 'binary', trans, { fromEarlierProcess: false })).not.toMatch(/line/);
  });
});
