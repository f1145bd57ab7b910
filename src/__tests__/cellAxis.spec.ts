import { IExecutionRecord } from '../model/types';
import { autoMode, cellAxis, endOf, IXAxis, medianSpanWidth, timeAxis } from '../timeline/cellAxis';
import { record } from './fixtures';

const run = (msg_id: string, started: number, ended: number | null) =>
  record({ msg_id, started, ended, status: ended === null ? 'running' : 'ok' });

/** Every execution its own non-empty slot, in order, none over another, all inside the plot. */
function expectSlots(axis: IXAxis, drawn: IExecutionRecord[], width: number) {
  expect(axis.slots.map(s => s.msgId)).toEqual(drawn.map(r => r.msg_id));
  axis.slots.forEach((s, i) => {
    expect(s.x1 - s.x0).toBeGreaterThan(0);
    expect(s.x0).toBeGreaterThanOrEqual(0);
    expect(s.x1).toBeLessThanOrEqual(width + 1e-9);
    if (i > 0) {
      expect(s.x0).toBeGreaterThanOrEqual(axis.slots[i - 1].x1 - 1e-9);
      expect(s.t0).toBeGreaterThanOrEqual(axis.slots[i - 1].t1);
    }
  });
}

describe('cellAxis', () => {
  const width = 300;

  it('gives every execution an equal slot and each idle time a narrow break', () => {
    const drawn = [run('a', 10, 11), run('b', 20, 21), run('c', 40, 45)];
    const axis = cellAxis(drawn, { t0: 0, t1: 50 }, width, 50, 6);
    expectSlots(axis, drawn, width);
    expect(axis.breaks).toHaveLength(4); // before a, a–b, b–c, after c
    axis.breaks.forEach(b => expect(b.x1 - b.x0).toBeCloseTo(6));
    const widths = axis.slots.map(s => s.x1 - s.x0);
    widths.forEach(w => expect(w).toBeCloseTo((width - 4 * 6) / 3));
    expect(axis.toX(10)).toBeCloseTo(6);
    expect(axis.toX(0)).toBe(0);
    expect(axis.toX(50)).toBe(width);
  });

  it('maps the idle time into its break and back', () => {
    const drawn = [run('a', 10, 11), run('b', 20, 21)];
    const axis = cellAxis(drawn, { t0: 10, t1: 21 }, width, 21);
    expect(axis.breaks).toHaveLength(1);
    const [gap] = axis.breaks;
    expect(axis.toX(15)).toBeGreaterThan(gap.x0);
    expect(axis.toX(15)).toBeLessThan(gap.x1);
    for (const t of [10, 10.5, 11, 13, 19.9, 20, 20.25, 21]) {
      expect(axis.fromX(axis.toX(t))).toBeCloseTo(t);
    }
  });

  it('is monotone: later times never map further left', () => {
    const drawn = [run('a', 1, 3), run('b', 2, 4), run('c', 4, 4), run('d', 9, null)];
    const axis = cellAxis(drawn, { t0: 0, t1: 12 }, width, 12);
    let previous = -Infinity;
    for (let t = -1; t <= 13; t += 0.05) {
      const x = axis.toX(t);
      expect(x).toBeGreaterThanOrEqual(previous);
      previous = x;
    }
    previous = -Infinity;
    for (let x = -5; x <= width + 5; x += 0.5) {
      const t = axis.fromX(x);
      expect(t).toBeGreaterThanOrEqual(previous);
      previous = t;
    }
  });

  it('keeps executions with equal or overlapping times apart', () => {
    const drawn = [run('a', 5, 8), run('b', 5, 8), run('c', 6, 7), run('d', 7, 12)];
    const axis = cellAxis(drawn, { t0: 5, t1: 12 }, width, 12);
    expectSlots(axis, drawn, width);
    expect(axis.breaks).toEqual([]);
  });

  it('gives zero-length executions room of their own', () => {
    const drawn = [run('a', 5, 5), run('b', 5, 5), run('c', 9, 9)];
    const axis = cellAxis(drawn, { t0: 5, t1: 9 }, width, 9);
    expectSlots(axis, drawn, width);
    expect(axis.breaks).toHaveLength(1);
    expect(axis.fromX((axis.slots[1].x0 + axis.slots[1].x1) / 2)).toBe(5);
  });

  it('runs a running execution to the last sample', () => {
    const drawn = [run('a', 1, 2), run('b', 4, null)];
    const axis = cellAxis(drawn, { t0: 1, t1: 10 }, width, 10);
    expectSlots(axis, drawn, width);
    expect(axis.slots[1]).toMatchObject({ t0: 4, t1: 10, x1: width });
    expect(endOf(drawn[1], 10)).toBe(10);
    expect(endOf(drawn[1], null)).toBe(4);
  });

  it('clips executions to a zoomed range', () => {
    const drawn = [run('a', 0, 10), run('b', 12, 20)];
    const axis = cellAxis(drawn, { t0: 5, t1: 15 }, width, 20);
    expectSlots(axis, drawn, width);
    expect(axis.slots[0].t0).toBe(5);
    expect(axis.slots[1].t1).toBe(15);
  });

  it('keeps the breaks to a third of a narrow plot', () => {
    const drawn = Array.from({ length: 120 }, (_, i) => run(`m${i}`, i * 10, i * 10 + 0.1));
    const axis = cellAxis(drawn, { t0: -5, t1: 1200 }, 200, 1200);
    expectSlots(axis, drawn, 200);
    const breaks = axis.breaks.reduce((sum, b) => sum + b.x1 - b.x0, 0);
    expect(breaks).toBeLessThanOrEqual(200 / 3 + 1e-9);
  });

  it('falls back to the time axis with nothing drawn', () => {
    const axis = cellAxis([], { t0: 0, t1: 10 }, 100, 10);
    expect(axis.mode).toBe('cells');
    expect(axis.toX(5)).toBe(50);
    expect(axis.slots).toEqual([]);
  });
});

describe('timeAxis and autoMode', () => {
  it('maps times linearly, clamped to the plot', () => {
    const drawn = [run('a', 10, 20), run('b', 30, null)];
    const axis = timeAxis(drawn, { t0: 0, t1: 100 }, 200, 40);
    expect(axis.slots.map(s => [s.x0, s.x1])).toEqual([
      [20, 40],
      [60, 80]
    ]);
    expect(axis.toX(-5)).toBe(0);
    expect(axis.fromX(100)).toBe(50);
    expect(axis.breaks).toEqual([]);
  });

  it('picks cells when the spans would be slivers, else time', () => {
    // Seven short cells over a 50-second axis 230 px wide: slivers.
    const slivers = Array.from({ length: 7 }, (_, i) => run(`m${i}`, 40 + i, 40 + i + 0.3));
    expect(autoMode(timeAxis(slivers, { t0: 0, t1: 50 }, 230, 50))).toBe('cells');
    const wide = [run('a', 0, 20), run('b', 25, 50)];
    expect(autoMode(timeAxis(wide, { t0: 0, t1: 50 }, 230, 50))).toBe('time');
    expect(medianSpanWidth(timeAxis([], { t0: 0, t1: 1 }, 100, 1))).toBe(Infinity);
    expect(autoMode(timeAxis([], { t0: 0, t1: 1 }, 100, 1))).toBe('time');
  });
});
