import { lastIndexAtOrBefore, memoryAt, runningAt, slotAt } from '../timeline/crosshair';
import { record } from './fixtures';

const point = (time: number, rss: number, children = 0) => ({ time, rss, children });

describe('memoryAt', () => {
  const series = [point(0, 100), point(10, 200, 50), point(20, 200)];

  it('interpolates between the samples around the time', () => {
    expect(memoryAt(series, 5)).toEqual({ rss: 150, children: 25 });
    expect(memoryAt(series, 10)).toEqual({ rss: 200, children: 50 });
    expect(memoryAt(series, 15)).toEqual({ rss: 200, children: 25 });
  });

  it('holds the end samples outside them, and has nothing without samples', () => {
    expect(memoryAt(series, -3)).toEqual({ rss: 100, children: 0 });
    expect(memoryAt(series, 99)).toEqual({ rss: 200, children: 0 });
    expect(memoryAt([], 1)).toBeNull();
  });

  it('finds the sample by binary search in a long series', () => {
    const long = Array.from({ length: 600 }, (_, i) => point(i * 2, i));
    expect(lastIndexAtOrBefore(long, 0)).toBe(0);
    expect(lastIndexAtOrBefore(long, 1)).toBe(0);
    expect(lastIndexAtOrBefore(long, 1001)).toBe(500);
    expect(lastIndexAtOrBefore(long, -1)).toBe(-1);
    expect(lastIndexAtOrBefore(long, 5000)).toBe(599);
    expect(memoryAt(long, 1001)!.rss).toBeCloseTo(500.5);
  });
});

describe('runningAt', () => {
  const drawn = [
    record({ msg_id: 'a', execution_count: 1, started: 0, ended: 5 }),
    record({ msg_id: 'b', execution_count: 2, started: 10, ended: 12 }),
    record({ msg_id: 'c', execution_count: 3, started: 20, ended: null, status: 'running' })
  ];

  it('finds the execution running at a time, none between runs', () => {
    expect(runningAt(drawn, 3, 30)?.msg_id).toBe('a');
    expect(runningAt(drawn, 5, 30)?.msg_id).toBe('a');
    expect(runningAt(drawn, 7, 30)).toBeNull();
    expect(runningAt(drawn, 11, 30)?.msg_id).toBe('b');
    expect(runningAt(drawn, -1, 30)).toBeNull();
  });

  it('runs a running one to the last sample', () => {
    expect(runningAt(drawn, 25, 30)?.msg_id).toBe('c');
    expect(runningAt(drawn, 31, 30)).toBeNull();
  });
});

describe('slotAt', () => {
  const slots = [
    { x0: 6, x1: 50 },
    { x0: 56, x1: 100 },
    { x0: 100, x1: 150 }
  ];

  it('finds the slot under a position, none in a break', () => {
    expect(slotAt(slots, 10)).toBe(0);
    expect(slotAt(slots, 3)).toBe(-1);
    expect(slotAt(slots, 53)).toBe(-1);
    expect(slotAt(slots, 60)).toBe(1);
    expect(slotAt(slots, 120)).toBe(2);
    expect(slotAt(slots, 151)).toBe(-1);
    expect(slotAt([], 1)).toBe(-1);
  });
});
