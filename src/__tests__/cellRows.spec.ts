import { nullTranslator } from '@jupyterlab/translation';

import { cellRows, ICellRow, orderFigure, vsLastSentence, vsLastText } from '../timeline/cellRows';
import { IExecutionRecord } from '../model/types';
import { record } from './fixtures';

const trans = nullTranslator.load('jupyterlab_memory_usage');
const MIB = 2 ** 20;

/** A run of `cell`, started at `started`, with these figures. */
function run(cell: string | null, started: number, figures: Partial<IExecutionRecord> = {}): IExecutionRecord {
  return record({ cell_id: cell, seq: started, msg_id: `m${started}`, started, ended: started + 1, ...figures });
}

const SOURCES: Record<string, string> = {
  a: 'a = np.ones(10**8)\nprint(a)',
  b: 'b = a*2',
  c: 'c = 1'
};
const sourceOf = (cellId: string) => SOURCES[cellId] ?? null;
const cells = (rows: ICellRow[]) => rows.map(r => r.cellId);

describe('cellRows', () => {
  const session = [
    run('a', 1, { execution_count: 1, peak_increment: 800 * MIB, delta: 800 * MIB, duration: 0.4 }),
    run('b', 2, { execution_count: 2, peak_increment: 800 * MIB, delta: 800 * MIB, duration: 0.6 }),
    run('c', 3, { execution_count: 3, peak_increment: 4096, delta: -8 * MIB, duration: 3 }),
    // b again: the same peak, but it replaced its own array.
    run('b', 4, { execution_count: 4, peak_increment: 800 * MIB, delta: 0, duration: 0.5 })
  ];

  it('gives one row a cell, from its latest run, with its run count', () => {
    const rows = cellRows(session, 'last-run', sourceOf, 20);
    expect(cells(rows)).toEqual(['b', 'c', 'a']);
    expect(rows[0].record.execution_count).toBe(4);
    expect(rows[0].previous?.execution_count).toBe(2);
    expect(rows[0].runs).toBe(2);
    expect(rows[1].runs).toBe(1);
    expect(rows[1].previous).toBeNull();
  });

  it('finds the latest run whatever the order of the records', () => {
    const rows = cellRows([...session].reverse(), 'last-run', sourceOf, 20);
    expect(rows[0].record.execution_count).toBe(4);
    expect(rows[0].previous?.execution_count).toBe(2);
    const three = [run('a', 5, { delta: 3 }), run('a', 9, { delta: 9 }), run('a', 7, { delta: 7 })];
    const [row] = cellRows(three, 'peak', sourceOf, 20);
    expect([row.record.delta, row.previous?.delta, row.vsLast, row.runs]).toEqual([9, 7, 2, 3]);
  });

  it('sorts by each figure, the largest first', () => {
    expect(cells(cellRows(session, 'delta', sourceOf, 20))).toEqual(['a', 'b', 'c']);
    expect(cells(cellRows(session, 'duration', sourceOf, 20))).toEqual(['c', 'b', 'a']);
    expect(cells(cellRows(session, 'last-run', sourceOf, 20))).toEqual(['b', 'c', 'a']);
    // a and b tie on peak: the more recent first.
    expect(cells(cellRows(session, 'peak', sourceOf, 20))).toEqual(['b', 'a', 'c']);
  });

  it('puts runs without the figure last, in any order', () => {
    const withRunning = [
      ...session,
      run('d', 5, { status: 'running', ended: null, duration: null, delta: null, peak_increment: null })
    ];
    for (const order of ['peak', 'delta', 'duration'] as const) {
      const rows = cellRows(withRunning, order, sourceOf, 20);
      expect(rows[rows.length - 1].cellId).toBe('d');
    }
    // Most recent first: the running one leads.
    expect(cellRows(withRunning, 'last-run', sourceOf, 20)[0].cellId).toBe('d');
    // Two without a figure: the more recent first.
    const two = [run('x', 1, { delta: null }), run('y', 2, { delta: null }), run('z', 3, { delta: -5 })];
    expect(cells(cellRows(two, 'delta', sourceOf, 20))).toEqual(['z', 'y', 'x']);
  });

  it('compares the latest change with the previous run’s', () => {
    const rows = cellRows(session, 'peak', sourceOf, 20);
    const b = rows.find(r => r.cellId === 'b')!;
    expect(b.vsLast).toBe(-800 * MIB);
    expect(rows.find(r => r.cellId === 'a')!.vsLast).toBeNull();
    // Without a change in either run, no comparison.
    const died = [run('a', 1, { delta: 5 }), run('a', 2, { status: 'died', delta: null })];
    expect(cellRows(died, 'peak', sourceOf, 20)[0].vsLast).toBeNull();
    const before = [run('a', 1, { delta: null }), run('a', 2, { delta: 5 })];
    expect(cellRows(before, 'peak', sourceOf, 20)[0].vsLast).toBeNull();
  });

  it('skips records without a cell, keeps at most `limit` rows and asks only their sources', () => {
    const asked: string[] = [];
    const many = Array.from({ length: 50 }, (_, i) => run(`c${i}`, i, { peak_increment: i }));
    const rows = cellRows([...many, run(null, 99, { peak_increment: 1e12 })], 'peak', id => {
      asked.push(id);
      return null;
    }, 20);
    expect(rows).toHaveLength(20);
    expect(rows[0].cellId).toBe('c49');
    expect(asked).toEqual(cells(rows));
    expect(rows[0].sourceLine).toBe('');
    expect(cellRows(many, 'peak', sourceOf, 0)).toEqual([]);
  });

  it('keeps the source and its first line', () => {
    const [row] = cellRows([run('a', 1)], 'peak', sourceOf, 20);
    expect(row.source).toBe(SOURCES.a);
    expect(row.sourceLine).toBe('a = np.ones(10**8)');
  });

  it('orders by the figure it names', () => {
    const r = run('a', 7, { peak_increment: 1, delta: 2, duration: 3 });
    expect(['peak', 'delta', 'duration', 'last-run'].map(o => orderFigure(r, o as any))).toEqual([1, 2, 3, 7]);
  });
});

describe('the change against the previous run', () => {
  const [b] = cellRows(
    [
      run('b', 1, { execution_count: 2, delta: 800 * MIB }),
      run('b', 2, { execution_count: 5, delta: 12.1 * MIB + 800 * MIB })
    ],
    'peak',
    sourceOf,
    20
  );

  it('is short in the row', () => {
    expect(vsLastText(b, 'binary', trans)).toBe('+12.1\u00a0MiB vs\u00a0last\u00a0run');
    const [once] = cellRows([run('a', 1)], 'peak', sourceOf, 20);
    expect(vsLastText(once, 'binary', trans)).toBeNull();
    expect(vsLastSentence(once, 'binary', trans)).toBeNull();
  });

  it('is said in full in its tooltip', () => {
    expect(vsLastSentence(b, 'binary', trans)).toBe(
      'This run kept 12.1 MiB more memory than its previous run [2]: its change was +812.1 MiB, against +800.0 MiB.'
    );
    const [less] = cellRows(
      [run('b', 1, { delta: 800 * MIB, execution_count: null }), run('b', 2, { delta: 0 })],
      'peak',
      sourceOf,
      20
    );
    expect(vsLastSentence(less, 'binary', trans)).toBe(
      'This run kept 800.0 MiB less memory than its previous run: its change was ±0 B, against +800.0 MiB.'
    );
    const [same] = cellRows([run('b', 1, { delta: 4096 }), run('b', 2, { delta: 4096 })], 'peak', sourceOf, 20);
    expect(vsLastText(same, 'binary', trans)).toBe('±0\u00a0B vs\u00a0last\u00a0run');
    expect(vsLastSentence(same, 'binary', trans)).toBe(
      'This run kept as much memory as its previous run [1]: its change was +4.0 KiB both times.'
    );
  });
});
