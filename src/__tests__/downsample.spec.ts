import { downsample, IPoint, lttbIndices } from '../timeline/downsample';

/** A long, noisy series with a few short, tall spikes. */
function session(n: number): IPoint[] {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  return Array.from({ length: n }, (_, i) => ({ time: i * 0.1, value: 1e8 + random() * 1e6 }));
}

describe('lttbIndices', () => {
  it('keeps the first and last points and returns the threshold count', () => {
    const indices = lttbIndices(session(10000), 500);
    expect(indices).toHaveLength(500);
    expect(indices[0]).toBe(0);
    expect(indices[499]).toBe(9999);
    expect([...indices].sort((a, b) => a - b)).toEqual(indices);
  });

  it('returns everything when there are fewer points than the threshold', () => {
    expect(lttbIndices(session(10), 500)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('downsample', () => {
  it('keeps every execution peak and the global maximum', () => {
    const points = session(200000);
    // 2,000 executions, each with a one-sample spike of its own height.
    const spans = Array.from({ length: 2000 }, (_, k) => {
      const at = 50 + k * 100;
      points[at] = { time: points[at].time, value: 2e8 + k * 1e5 };
      return { start: points[at - 3].time, end: points[at + 3].time };
    });
    points[123457] = { time: points[123457].time, value: 9e9 };
    const drawn = downsample(points, 1500, spans);
    expect(drawn.length).toBeLessThan(1500 + 2000 + 2);
    const drawnTimes = new Set(drawn.map(p => p.time));
    spans.forEach((span, k) => {
      const peak = points[50 + k * 100];
      expect(drawnTimes.has(peak.time)).toBe(true);
      // ...and nothing in the span drawn above it.
      const inSpan = drawn.filter(p => p.time >= span.start && p.time <= span.end);
      expect(Math.max(...inSpan.map(p => p.value))).toBe(peak.value);
    });
    expect(Math.max(...drawn.map(p => p.value))).toBe(9e9);
    expect(drawn.map(p => p.time)).toEqual([...drawn.map(p => p.time)].sort((a, b) => a - b));
  });

  it('leaves short series untouched', () => {
    const points = session(100);
    expect(downsample(points, 1500)).toEqual(points);
  });
});
