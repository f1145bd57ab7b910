import { IExecutionRecord } from '../model/types';
import { IChartPoint } from './model';

/**
 * The memory chart's axes: times on x (seconds since the epoch), bytes on y
 * from 0. Pure arithmetic, so that the view only draws.
 */
export interface IChartAxes {
  x0: number;
  x1: number;
  y1: number;
  /** The limit, when it is near enough to the curve to be drawn; else null. */
  limit: number | null;
  /** The last sample's time: where a running execution's span ends. */
  lastTime: number | null;
}

/** Where an execution is drawn, in percent of the plot area. */
export interface ISpanLayout {
  left: number;
  width: number;
  /** The height of its peak mark; null without a peak. */
  peakBottom: number | null;
}

/** Headroom above the highest figure drawn. */
const Y_HEADROOM = 1.05;
/** The limit is drawn only below this many times the peak, or the curve would be flattened. */
const LIMIT_IN_SIGHT = 1.5;

export function chartAxes(
  series: readonly IChartPoint[],
  drawn: readonly IExecutionRecord[],
  limit: number | null
): IChartAxes {
  const lastTime = series.length ? series[series.length - 1].time : null;
  const times = [
    ...(series.length ? [series[0].time, lastTime!] : []),
    ...drawn.map(r => r.started!),
    ...drawn.map(r => r.ended ?? r.started!)
  ];
  const x0 = Math.min(...times);
  const x1 = Math.max(...times, x0 + 1);
  const peak = Math.max(
    1,
    ...series.map(p => p.rss + p.children),
    ...drawn.map(r => r.rss_peak ?? 0)
  );
  const shownLimit = limit !== null && limit < peak * LIMIT_IN_SIGHT ? limit : null;
  const y1 = Math.max(peak, shownLimit ?? 0) * Y_HEADROOM;
  return { x0, x1, y1, limit: shownLimit, lastTime };
}

export function spanLayout(record: IExecutionRecord, axes: IChartAxes): ISpanLayout {
  const xPercent = (t: number) => ((t - axes.x0) / (axes.x1 - axes.x0)) * 100;
  const left = xPercent(record.started!);
  const right = xPercent(record.ended ?? axes.lastTime ?? record.started!);
  return {
    left,
    width: right - left,
    peakBottom: record.rss_peak === null ? null : (record.rss_peak / axes.y1) * 100
  };
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
