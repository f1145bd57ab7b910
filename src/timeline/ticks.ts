import { ByteUnits } from '../format';

/**
 * Round ticks for the chart's axes. Pure arithmetic, so that the view only
 * draws.
 */

const UNIT_NAMES: Record<ByteUnits, string[]> = {
  binary: ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'],
  decimal: ['B', 'kB', 'MB', 'GB', 'TB', 'PB']
};

export interface IByteTicks {
  /** The distance between two ticks, in bytes. */
  step: number;
  /** 0, step, 2·step, …; the last one at or above the maximum. */
  ticks: number[];
}

/**
 * Ticks from 0 on a round step: a power of two bytes for binary units
 * (…, 256 MiB, 512 MiB, 1 GiB, …), 1, 2 or 5 times a power of ten for
 * decimal ones. The smallest such step that needs at most `maxTicks` steps
 * to reach `maxBytes`; the y axis then runs from 0 to the last tick.
 */
export function byteTicks(maxBytes: number, units: ByteUnits = 'binary', maxTicks = 5): IByteTicks {
  const max = Number.isFinite(maxBytes) && maxBytes > 0 ? maxBytes : 1;
  const wanted = max / Math.max(1, Math.floor(maxTicks));
  const step = units === 'decimal' ? decimalStep(wanted) : binaryStep(wanted);
  const count = Math.max(1, Math.ceil(max / step - 1e-9));
  const ticks: number[] = [];
  for (let i = 0; i <= count; i++) {
    ticks.push(i * step);
  }
  return { step, ticks };
}

/** `byteTicks` in binary units. */
export function binaryTicks(maxBytes: number, maxTicks = 5): IByteTicks {
  return byteTicks(maxBytes, 'binary', maxTicks);
}

/**
 * Ticks for figures of either sign (the bars' changes): 0 and the round steps
 * of `byteTicks` down to at or below `minBytes` and up to at or above `maxBytes`.
 */
export function signedByteTicks(
  minBytes: number,
  maxBytes: number,
  units: ByteUnits = 'binary',
  maxTicks = 5
): IByteTicks {
  const low = Number.isFinite(minBytes) ? Math.min(0, minBytes) : 0;
  const high = Number.isFinite(maxBytes) ? Math.max(0, maxBytes) : 0;
  const { step } = byteTicks(high - low, units, maxTicks);
  const ticks: number[] = [];
  for (let i = Math.floor(low / step + 1e-9); i <= Math.max(1, Math.ceil(high / step - 1e-9)); i++) {
    ticks.push(i * step);
  }
  if (low < 0 && high <= 0) {
    ticks.pop(); // nothing above zero: the axis ends at 0
  }
  return { step, ticks };
}

/** The smallest power of two bytes at or above `wanted` (at least 1 B). */
function binaryStep(wanted: number): number {
  let step = 1;
  while (step < wanted) {
    step *= 2;
  }
  return step;
}

/** The smallest of 1, 2, 5 × 10ⁿ bytes at or above `wanted` (at least 1 B). */
function decimalStep(wanted: number): number {
  for (let power = 1; ; power *= 10) {
    for (const m of [1, 2, 5]) {
      if (m * power >= wanted) {
        return m * power;
      }
    }
  }
}

/**
 * A tick's label, exact and short: `512 MiB`, `1 GiB`, `1.5 GiB`, `768 MiB`.
 * In the largest unit the value reaches, with no trailing zeros (a tick on a
 * round step needs at most two decimals there).
 */
export function tickLabel(bytes: number, units: ByteUnits = 'binary'): string {
  const base = units === 'decimal' ? 1000 : 1024;
  const names = UNIT_NAMES[units];
  let index = 0;
  let value = Math.abs(bytes);
  while (index < names.length - 1 && value >= base) {
    value /= base;
    index++;
  }
  const text = String(Number(value.toFixed(3)));
  return `${bytes < 0 ? '-' : ''}${text} ${names[index]}`;
}

/** A tick on the time axis: where (seconds since the epoch) and its clock label. */
export interface ITimeTick {
  time: number;
  label: string;
}

/** Steps of the time axis, in seconds. */
const TIME_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400
];

/** The clock time `HH:MM:SS` (or `HH:MM` when `seconds` is false), local time. */
export function clockLabel(time: number, seconds = true): string {
  const d = new Date(time * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return seconds ? `${hm}:${two(d.getSeconds())}` : hm;
}

/**
 * Clock ticks between `t0` and `t1` on a plot `width` pixels wide: the
 * smallest round step that leaves `labelWidth(label) + gap` pixels per tick,
 * and only ticks whose label fits inside the plot.
 */
export function timeTicks(
  t0: number,
  t1: number,
  width: number,
  labelWidth: (label: string) => number,
  gap = 12
): ITimeTick[] {
  const range = t1 - t0;
  if (!(range > 0) || !(width > 0)) {
    return [];
  }
  const room = labelWidth('00:00:00') + gap;
  const step = TIME_STEPS.find(s => (s / range) * width >= room) ?? null;
  if (step === null) {
    return [];
  }
  const withSeconds = step < 60;
  const ticks: ITimeTick[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const label = clockLabel(t, withSeconds);
    const x = ((t - t0) / range) * width;
    const half = labelWidth(label) / 2;
    if (x - half >= 0 && x + half <= width) {
      ticks.push({ time: t, label });
    }
  }
  return ticks;
}
