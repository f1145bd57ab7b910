import { areaPath, ICurvePoint, linePath } from '../timeline/curve';

const toX = (f: number) => f * 100;
const toY = (bytes: number) => 50 - bytes / 2;

describe('the curve paths', () => {
  const points: ICurvePoint[] = [
    { x: 0, rss: 10, children: 0 },
    { x: 0.5, rss: 40, children: 20 },
    { x: 1, rss: 20, children: 0 }
  ];

  it('draws the kernel area down to zero, the upper edge left to right', () => {
    expect(areaPath(points, p => p.rss, () => 0, toX, toY)).toBe(
      'M0.0,45.0L50.0,30.0L100.0,40.0L100.0,50.0L50.0,50.0L0.0,50.0Z'
    );
    expect(linePath(points, p => p.rss, toX, toY)).toBe('M0.0,45.0L50.0,30.0L100.0,40.0');
  });

  it('stacks the children on the kernel', () => {
    expect(areaPath(points, p => p.rss + p.children, p => p.rss, toX, toY)).toBe(
      'M0.0,45.0L50.0,20.0L100.0,40.0L100.0,40.0L50.0,30.0L0.0,45.0Z'
    );
  });

  it('draws nothing without points', () => {
    expect(areaPath([], p => p.rss, () => 0, toX, toY)).toBe('');
    expect(linePath([], p => p.rss, toX, toY)).toBe('');
  });
});
