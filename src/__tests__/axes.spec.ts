import { chartAxes, deathTimes, executionBars } from '../timeline/axes';
import { record } from './fixtures';

const GIB = 2 ** 30;
const point = (time: number, rss: number, children = 0) => ({ time, rss, children });

describe('chartAxes', () => {
  it('spans the samples and the executions, up to a round tick above the highest figure', () => {
    const series = [point(100, GIB), point(110, 2 * GIB, GIB)];
    const drawn = [record({ started: 95, ended: 105, rss_peak: 2.5 * GIB })];
    const axes = chartAxes(series, drawn, null);
    expect(axes).toEqual({
      x0: 95,
      x1: 110,
      y1: 3 * GIB,
      yTicks: [0, GIB, 2 * GIB, 3 * GIB],
      limit: null,
      lastTime: 110
    });
  });

  it('draws the limit only when it is in sight of the curve', () => {
    const series = [point(0, GIB), point(10, GIB)];
    expect(chartAxes(series, [], 1.4 * GIB).limit).toBe(1.4 * GIB);
    expect(chartAxes(series, [], 1.4 * GIB).y1).toBe(1.5 * GIB);
    expect(chartAxes(series, [], 1.5 * GIB).limit).toBeNull();
    expect(chartAxes(series, [], 16 * GIB).y1).toBe(GIB);
  });

  it('keeps a width of a second and a height of a byte when there is nothing yet', () => {
    const axes = chartAxes([point(50, 0)], [], null);
    expect([axes.x0, axes.x1, axes.y1]).toEqual([50, 51, 1]);
    expect(chartAxes([], [], null)).toMatchObject({ x0: 0, x1: 1, lastTime: null });
  });

  it('spans the zoomed range, in the units asked for', () => {
    const series = [point(0, 1.2e9), point(100, 1e9)];
    const axes = chartAxes(series, [], null, 'decimal', { from: 20, to: 40 });
    expect([axes.x0, axes.x1]).toEqual([20, 40]);
    expect(axes.yTicks).toEqual([0, 5e8, 1e9, 1.5e9]);
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
