/**
 * Downsampling the memory series for drawing, without losing what matters.
 *
 * Largest-triangle-three-buckets keeps the shape of a long series with few
 * points; on top of it, the points that must never disappear are kept: the
 * global maximum and the largest sample inside each execution's span (a
 * temporary that lived 50 ms is one sample among 200,000).
 */

export interface IPoint {
  time: number;
  value: number;
}

export interface ISpan {
  start: number;
  end: number;
}

/**
 * Indices chosen by largest-triangle-three-buckets, first and last included.
 */
export function lttbIndices(points: readonly IPoint[], threshold: number): number[] {
  const n = points.length;
  if (threshold >= n || threshold < 3) {
    return Array.from({ length: n }, (_, i) => i);
  }
  const chosen = [0];
  const bucketSize = (n - 2) / (threshold - 2);
  let a = 0;
  for (let bucket = 0; bucket < threshold - 2; bucket++) {
    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.min(Math.floor((bucket + 1) * bucketSize) + 1, n - 1);
    // The average of the next bucket is the third corner of the triangle.
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, n);
    let avgTime = 0;
    let avgValue = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      avgTime += points[i].time;
      avgValue += points[i].value;
    }
    const count = Math.max(1, nextEnd - nextStart);
    avgTime /= count;
    avgValue /= count;
    let best = start;
    let bestArea = -1;
    const pa = points[a];
    for (let i = start; i < end; i++) {
      const area = Math.abs(
        (pa.time - avgTime) * (points[i].value - pa.value) -
          (pa.time - points[i].time) * (avgValue - pa.value)
      );
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    chosen.push(best);
    a = best;
  }
  chosen.push(n - 1);
  return chosen;
}

/**
 * Downsample `points` (sorted by time) to about `threshold` points, keeping the
 * global maximum and the largest point inside each span.
 */
export function downsample(
  points: readonly IPoint[],
  threshold: number,
  spans: readonly ISpan[] = []
): IPoint[] {
  if (points.length <= threshold) {
    return points.slice();
  }
  const keep = new Set(lttbIndices(points, threshold));
  let globalMax = 0;
  for (let i = 1; i < points.length; i++) {
    if (points[i].value > points[globalMax].value) {
      globalMax = i;
    }
  }
  keep.add(globalMax);
  for (const span of spans) {
    const peak = largestIn(points, span);
    if (peak >= 0) {
      keep.add(peak);
    }
  }
  return [...keep].sort((x, y) => x - y).map(i => points[i]);
}

/** Index of the largest point with start <= time <= end, or -1. */
function largestIn(points: readonly IPoint[], span: ISpan): number {
  let i = firstAtOrAfter(points, span.start);
  let best = -1;
  for (; i < points.length && points[i].time <= span.end; i++) {
    if (best < 0 || points[i].value > points[best].value) {
      best = i;
    }
  }
  return best;
}

function firstAtOrAfter(points: readonly IPoint[], time: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].time < time) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
