/**
 * Downsampling the memory series for drawing, without losing what matters.
 *
 * Largest-triangle-three-buckets keeps the shape of a long series with few
 * points; on top of it, the points that must never disappear are kept: the
 * global maximum and the largest sample inside each execution's span (a
 * temporary that lived 50 ms is one sample among 200,000).
 */

import { firstIndex } from './bisect';

export interface IPoint {
  time: number;
  value: number;
}

export interface ISpan {
  start: number;
  end: number;
}

/** A series read in place, by index: the kernel model's samples are not copied to draw them. */
export interface ISeries {
  readonly length: number;
  time(i: number): number;
  value(i: number): number;
}

export function pointSeries(points: readonly IPoint[]): ISeries {
  return {
    length: points.length,
    time: i => points[i].time,
    value: i => points[i].value
  };
}

/**
 * Indices chosen by largest-triangle-three-buckets, first and last included.
 */
export function lttbIndices(points: readonly IPoint[] | ISeries, threshold: number): number[] {
  const series = isSeries(points) ? points : pointSeries(points);
  const n = series.length;
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
      avgTime += series.time(i);
      avgValue += series.value(i);
    }
    const count = Math.max(1, nextEnd - nextStart);
    avgTime /= count;
    avgValue /= count;
    let best = start;
    let bestArea = -1;
    const aTime = series.time(a);
    const aValue = series.value(a);
    for (let i = start; i < end; i++) {
      const area = Math.abs(
        (aTime - avgTime) * (series.value(i) - aValue) - (aTime - series.time(i)) * (avgValue - aValue)
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
 * The indices of about `threshold` points of `series` (sorted by time), the
 * global maximum and the largest point inside each span included, in order.
 */
export function downsampleIndices(series: ISeries, threshold: number, spans: readonly ISpan[] = []): number[] {
  if (series.length <= threshold) {
    return Array.from({ length: series.length }, (_, i) => i);
  }
  const keep = new Set(lttbIndices(series, threshold));
  let globalMax = 0;
  for (let i = 1; i < series.length; i++) {
    if (series.value(i) > series.value(globalMax)) {
      globalMax = i;
    }
  }
  keep.add(globalMax);
  for (const span of spans) {
    const peak = largestIn(series, span);
    if (peak >= 0) {
      keep.add(peak);
    }
  }
  return [...keep].sort((x, y) => x - y);
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
  return downsampleIndices(pointSeries(points), threshold, spans).map(i => points[i]);
}

function isSeries(points: readonly IPoint[] | ISeries): points is ISeries {
  return typeof (points as ISeries).time === 'function';
}

/** Index of the largest point with start <= time <= end, or -1. */
function largestIn(series: ISeries, span: ISpan): number {
  let i = firstAtOrAfter(series, span.start);
  let best = -1;
  for (; i < series.length && series.time(i) <= span.end; i++) {
    if (best < 0 || series.value(i) > series.value(best)) {
      best = i;
    }
  }
  return best;
}

function firstAtOrAfter(series: ISeries, time: number): number {
  return firstIndex(series.length, i => series.time(i) >= time);
}
