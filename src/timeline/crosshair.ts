import { IExecutionRecord } from '../model/types';
import { firstIndex } from './bisect';
import { endOf } from './cellAxis';
import { IChartPoint } from './model';

/** Look-ups for the crosshair: what the chart shows at one moment. Pure. */

export interface IMemoryAt {
  rss: number;
  children: number;
}

/** The index of the last point at or before `t` (−1 when all are after it); binary search. */
export function lastIndexAtOrBefore(series: readonly { time: number }[], t: number): number {
  return firstIndex(series.length, i => series[i].time > t) - 1;
}

/** The memory at `t`, interpolated between the samples around it; the end samples outside them. */
export function memoryAt(series: readonly IChartPoint[], t: number): IMemoryAt | null {
  if (!series.length) {
    return null;
  }
  const i = lastIndexAtOrBefore(series, t);
  if (i < 0) {
    return { rss: series[0].rss, children: series[0].children };
  }
  if (i >= series.length - 1) {
    const last = series[series.length - 1];
    return { rss: last.rss, children: last.children };
  }
  const a = series[i];
  const b = series[i + 1];
  const f = b.time > a.time ? (t - a.time) / (b.time - a.time) : 0;
  return { rss: a.rss + (b.rss - a.rss) * f, children: a.children + (b.children - a.children) * f };
}

/**
 * The execution running at `t` among `drawn` (in the order they started): the
 * latest started at or before `t` that had not ended; null between runs.
 */
export function runningAt(
  drawn: readonly IExecutionRecord[],
  t: number,
  lastTime: number | null
): IExecutionRecord | null {
  const lo = firstIndex(drawn.length, i => drawn[i].started! > t);
  for (let i = lo - 1; i >= 0 && i >= lo - 4; i--) {
    if (endOf(drawn[i], lastTime) >= t) {
      return drawn[i];
    }
  }
  return null;
}

/** The index of the slot under `x` pixels among slots in order, not overlapping; −1 in a break. */
export function slotAt(slots: readonly { x0: number; x1: number }[], x: number): number {
  const lo = firstIndex(slots.length, i => slots[i].x1 >= x);
  return lo < slots.length && slots[lo].x0 <= x ? lo : -1;
}
