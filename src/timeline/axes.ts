import { ByteUnits } from '../format';
import { IExecutionRecord } from '../model/types';
import { IZoomRange } from './chartView';
import { IChartPoint } from './model';
import { byteTicks } from './ticks';

/**
 * The memory chart's axes: times on x (seconds since the epoch), bytes on y
 * from 0 to the last of its round ticks. Pure arithmetic, so that the view
 * only draws.
 */
export interface IChartAxes {
  x0: number;
  x1: number;
  y1: number;
  /** The y ticks, in bytes: 0 to `y1` on a round step. */
  yTicks: number[];
  /** The limit, when it is near enough to the curve to be drawn; else null. */
  limit: number | null;
  /** The last sample's time: where a running execution's span ends. */
  lastTime: number | null;
}

/** The limit is drawn only below this many times the peak, or the curve would be flattened. */
const LIMIT_IN_SIGHT = 1.5;

/**
 * The axes for `series` and `drawn`; zoomed, x is the zoom's range. At most
 * `maxTicks` steps on y.
 */
export function chartAxes(
  series: readonly IChartPoint[],
  drawn: readonly IExecutionRecord[],
  limit: number | null,
  units: ByteUnits = 'binary',
  zoom: IZoomRange | null = null,
  maxTicks = 5
): IChartAxes {
  const lastTime = series.length ? series[series.length - 1].time : null;
  let x0 = Infinity;
  let x1 = -Infinity;
  let peak = 1;
  for (const p of series) {
    x0 = Math.min(x0, p.time);
    x1 = Math.max(x1, p.time);
    peak = Math.max(peak, p.rss + p.children);
  }
  for (const r of drawn) {
    x0 = Math.min(x0, r.started!);
    x1 = Math.max(x1, r.ended ?? r.started!);
    peak = Math.max(peak, r.rss_peak ?? 0);
  }
  if (zoom) {
    x0 = zoom.from;
    x1 = zoom.to;
  }
  if (!Number.isFinite(x0)) {
    x0 = 0;
  }
  x1 = Math.max(x1, x0 + 1);
  const shownLimit = limit !== null && limit < peak * LIMIT_IN_SIGHT ? limit : null;
  const { ticks } = byteTicks(Math.max(peak, shownLimit ?? 0), units, maxTicks);
  return { x0, x1, y1: ticks[ticks.length - 1], yTicks: ticks, limit: shownLimit, lastTime };
}

/** The times at which a drawn execution's kernel died. */
export function deathTimes(drawn: readonly IExecutionRecord[]): number[] {
  return drawn.filter(r => r.status === 'died').map(r => r.ended ?? r.started!);
}

/** One execution's bars: its change, its peak above start, and its heap figure. */
export interface IExecutionBar {
  name: string;
  cellId: string | null;
  delta: number;
  peak: number;
  /** Heap mode's figure; null when the execution ran without heap mode. */
  heap: number | null;
}

export function executionBars(drawn: readonly IExecutionRecord[]): IExecutionBar[] {
  return drawn.map(r => ({
    name: r.execution_count !== null ? `[${r.execution_count}]` : '[ ]',
    cellId: r.cell_id,
    delta: r.delta ?? 0,
    peak: r.peak_increment ?? 0,
    heap: r.heap_delta ?? null
  }));
}
