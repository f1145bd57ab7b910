import { IExecutionRecord } from '../model/types';
import { firstIndex } from './bisect';

/**
 * The chart's x axis: a mapping between times (seconds since the epoch) and
 * pixels from the plot's left edge. Pure, so that the view only draws.
 *
 * - *time*: linear from `t0` to `t1`.
 * - *cells*: every execution gets an equal slot, in the order they started;
 *   the idle time between two is compressed into a narrow break. The mapping
 *   is piecewise linear, so the memory curve is drawn in the same coordinates.
 */
export type DrawnAxisMode = 'time' | 'cells';

/** Where one execution is drawn, in pixels; `t0`/`t1` the times its slot covers. */
export interface ISlot {
  msgId: string;
  x0: number;
  x1: number;
  t0: number;
  t1: number;
}

/** Compressed idle time: `x0`–`x1` pixels stand for `t0`–`t1`. */
export interface IBreak {
  x0: number;
  x1: number;
  t0: number;
  t1: number;
}

export interface IXAxis {
  mode: DrawnAxisMode;
  width: number;
  t0: number;
  t1: number;
  /** Pixels from the plot's left edge at time `t`, within [0, width]. */
  toX(t: number): number;
  /** The time at `x` pixels, the inverse of `toX`. */
  fromX(x: number): number;
  /** One per drawn execution, in the order of `drawn`. */
  slots: ISlot[];
  /** Only in cells mode. */
  breaks: IBreak[];
}

export interface ITimeRange {
  t0: number;
  t1: number;
}

/** Where an execution ends on the chart: a running one at the last sample. */
export function endOf(record: IExecutionRecord, lastTime: number | null): number {
  const started = record.started ?? 0;
  return Math.max(started, record.ended ?? lastTime ?? started);
}

/** The linear time axis. */
export function timeAxis(
  drawn: readonly IExecutionRecord[],
  range: ITimeRange,
  width: number,
  lastTime: number | null
): IXAxis {
  const { t0 } = range;
  const t1 = range.t1 > t0 ? range.t1 : t0 + 1;
  const scale = width / (t1 - t0);
  const toX = (t: number) => Math.min(width, Math.max(0, (t - t0) * scale));
  const fromX = (x: number) => t0 + Math.min(width, Math.max(0, x)) / scale;
  const slots = drawn.map(r => ({
    msgId: r.msg_id,
    x0: toX(r.started!),
    x1: toX(endOf(r, lastTime)),
    t0: r.started!,
    t1: endOf(r, lastTime)
  }));
  return { mode: 'time', width, t0, t1, toX, fromX, slots, breaks: [] };
}

interface IPiece {
  t0: number;
  t1: number;
  x0: number;
  x1: number;
  msgId: string | null;
}

/**
 * The compressed axis. Executions whose times overlap the one before are
 * moved to start where it ended (a zero-length slot in time, still its own
 * room on screen), so slots never overlap; a running one ends at the last
 * sample. Every break is `breakWidth` pixels, or less when the breaks would
 * take more than a third of the width.
 */
export function cellAxis(
  drawn: readonly IExecutionRecord[],
  range: ITimeRange,
  width: number,
  lastTime: number | null,
  breakWidth = 6
): IXAxis {
  if (!drawn.length) {
    return { ...timeAxis(drawn, range, width, lastTime), mode: 'cells' };
  }
  const t0 = Math.min(range.t0, range.t1);
  const t1 = Math.max(range.t0, range.t1);
  const clamp = (t: number) => Math.min(t1, Math.max(t0, t));
  const pieces: IPiece[] = [];
  let cursor = t0;
  for (const r of drawn) {
    const start = Math.max(clamp(r.started!), cursor);
    const end = Math.max(start, clamp(endOf(r, lastTime)));
    if (start > cursor) {
      pieces.push({ t0: cursor, t1: start, x0: 0, x1: 0, msgId: null });
    }
    pieces.push({ t0: start, t1: end, x0: 0, x1: 0, msgId: r.msg_id });
    cursor = end;
  }
  if (t1 > cursor) {
    pieces.push({ t0: cursor, t1, x0: 0, x1: 0, msgId: null });
  }
  const breaks = pieces.length - drawn.length;
  const gap = breaks ? Math.min(breakWidth, width / 3 / breaks) : 0;
  const slotWidth = (width - gap * breaks) / drawn.length;
  let x = 0;
  for (const p of pieces) {
    p.x0 = x;
    x += p.msgId === null ? gap : slotWidth;
    p.x1 = x;
  }
  pieces[pieces.length - 1].x1 = width; // no rounding short of the edge

  const toX = (t: number): number => {
    if (t <= t0) {
      return 0;
    }
    if (t >= t1) {
      return width;
    }
    // The first piece ending at or after t: a zero-length slot at t starts there.
    const p = pieces[Math.min(pieces.length - 1, firstIndex(pieces.length, i => pieces[i].t1 >= t))];
    return p.t1 > p.t0 ? p.x0 + ((t - p.t0) / (p.t1 - p.t0)) * (p.x1 - p.x0) : p.x0;
  };
  const fromX = (x: number): number => {
    if (x <= 0) {
      return t0;
    }
    if (x >= width) {
      return t1;
    }
    const p = pieces[Math.min(pieces.length - 1, firstIndex(pieces.length, i => pieces[i].x1 >= x))];
    return p.x1 > p.x0 ? p.t0 + ((x - p.x0) / (p.x1 - p.x0)) * (p.t1 - p.t0) : p.t0;
  };
  const slots: ISlot[] = [];
  const gaps: IBreak[] = [];
  for (const p of pieces) {
    if (p.msgId === null) {
      gaps.push({ x0: p.x0, x1: p.x1, t0: p.t0, t1: p.t1 });
    } else {
      slots.push({ msgId: p.msgId, x0: p.x0, x1: p.x1, t0: p.t0, t1: p.t1 });
    }
  }
  return { mode: 'cells', width, t0, t1, toX, fromX, slots, breaks: gaps };
}

/** The median width of the executions' spans on the time axis, in pixels. */
export function medianSpanWidth(axis: IXAxis): number {
  if (!axis.slots.length) {
    return Infinity;
  }
  const widths = axis.slots.map(s => s.x1 - s.x0).sort((a, b) => a - b);
  const mid = widths.length >> 1;
  return widths.length % 2 ? widths[mid] : (widths[mid - 1] + widths[mid]) / 2;
}

/** Spans narrower than this (median, in pixels) on the time axis are drawn by cells in 'auto'. */
export const AUTO_CELLS_BELOW = 4;

/** The mode 'auto' picks: cells when the time axis would draw the spans as slivers. */
export function autoMode(timeAxisOfSpans: IXAxis): DrawnAxisMode {
  return medianSpanWidth(timeAxisOfSpans) < AUTO_CELLS_BELOW ? 'cells' : 'time';
}
