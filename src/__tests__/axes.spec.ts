import { chartAxes, deathTimes, executionBars, spanLayout } from '../timeline/axes';
import { record } from './fixtures';

const GIB = 2 ** 30;
const point = (time: number, rss: number, children = 0) => ({ time, rss, children });

describe('chartAxes', () => {
  it('spans the samples and the executions, with headroom above the highest figure', () => {
    const series = [point(100, GIB), point(110, 2 * GIB, GIB)];
    const drawn = [record({ started: 95, ended: 105, rss_peak: 2.5 * GIB })];
    const axes = chartAxes(series, drawn, null);
    expect(axes).toEqual({ x0: 95, x1: 110, y1: 3 * GIB * 1.05, limit: null, lastTime: 110 });
  });

  it('draws the limit only when it is in sight of the curve', () => {
    const series = [point(0, GIB), point(10, GIB)];
    expect(chartAxes(series, [], 1.4 * GIB).limit).toBe(1.4 * GIB);
    expect(chartAxes(series, [], 1.4 * GIB).y1).toBeCloseTo(1.4 * GIB * 1.05);
    expect(chartAxes(series, [], 1.5 * GIB).limit).toBeNull();
    expect(chartAxes(series, [], 16 * GIB).y1).toBeCloseTo(GIB * 1.05);
  });

  it('keeps a width of a second and a height of a byte when there is nothing yet', () => {
    const axes = chartAxes([point(50, 0)], [], null);
    expect([axes.x0, axes.x1, axes.y1]).toEqual([50, 51, 1.05]);
  });
});

describe('spanLayout', () => {
  const axes = { x0: 100, x1: 200, y1: 1000, limit: null, lastTime: 180 };

  it('places an execution in percent of the plot area', () => {
    expect(spanLayout(record({ started: 110, ended: 130, rss_peak: 500 }), axes)).toEqual({
      left: 10,
      width: 20,
      peakBottom: 50
    });
  });

  it('runs a running execution to the last sample, and has no peak mark without a peak', () => {
    const layout = spanLayout(record({ started: 150, ended: null, rss_peak: null }), axes);
    expect(layout).toEqual({ left: 50, width: 30, peakBottom: null });
  });
});

describe('deathTimes and executionBars', () => {
  it('mark where kernels died and give each execution its bars', () => {
    const drawn = [
      record({ msg_id: 'a', status: 'died', started: 1, ended: 4 }),
      record({ msg_id: 'b', execution_count: null, delta: null, heap_delta: 7 })
    ];
    expect(deathTimes(drawn)).toEqual([4]);
    expect(executionBars(drawn)).toEqual([
      { name: '[1]', cellId: 'c1', delta: 100, peak: 200, heap: null },
      { name: '[ ]', cellId: 'c1', delta: 0, peak: 200, heap: 7 }
    ]);
  });
});
