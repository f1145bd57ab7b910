/**
 * Pure formatting helpers for memory sizes and durations.
 *
 * All inputs use the server extension's units: bytes and seconds.
 *
 * Rules (kept deliberately simple so badges stay short and stable):
 *
 * - `formatBytes` picks the largest unit whose value is >= 1, using powers of
 *   1024 (`'binary'`: B, KiB, MiB, GiB, TiB, PiB) or of 1000 (`'decimal'`:
 *   B, kB, MB, GB, TB, PB). Bytes are shown as an integer, kibi/mebi (kilo/mega)
 *   values with one decimal and giga and above with two decimals, e.g.
 *   `512 B`, `12.3 KiB`, `762.9 MiB`, `1.54 GiB`. A value that would round up
 *   to the next unit (e.g. 1023.96 MiB) is shown in the next unit (`1.00 GiB`).
 *   Negative values get a leading `-`.
 * - `formatSignedBytes` always shows a sign: `+762.9 MiB`, `-762.9 MiB`; an
 *   exact zero is shown as `±0 B`.
 * - `formatDuration`: below 0.1 s in whole milliseconds (`45 ms`, `<1 ms` for
 *   a positive value that rounds to 0), below 10 s with two decimals
 *   (`0.51 s`), below one minute with one decimal (`12.3 s`), below one hour as
 *   minutes and whole seconds (`2 min 5 s`), otherwise hours and minutes
 *   (`1 h 5 min`). Negative durations are clamped to 0.
 * - `formatFineDuration`: as `formatDuration`, but below 10 ms with one
 *   decimal (`0.5 ms`, `<0.1 ms`), for what costs fractions of a millisecond.
 * - Non-finite inputs (NaN, ±Infinity, null/undefined at runtime) are shown as
 *   `—` by every function.
 */

/**
 * Unit system for byte values.
 */
export type ByteUnits = 'binary' | 'decimal';

/**
 * Placeholder shown for values that cannot be formatted.
 */
export const NOT_AVAILABLE = '—';

const UNIT_NAMES: Record<ByteUnits, string[]> = {
  binary: ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'],
  decimal: ['B', 'kB', 'MB', 'GB', 'TB', 'PB']
};

/**
 * Number of decimals used for each unit index (B, K, M, G, T, P).
 */
const UNIT_DECIMALS = [0, 1, 1, 2, 2, 2];

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Format a non-negative magnitude in bytes.
 */
function formatMagnitude(bytes: number, units: ByteUnits): string {
  const base = units === 'decimal' ? 1000 : 1024;
  const names = UNIT_NAMES[units];
  let index = 0;
  let value = bytes;
  while (index < names.length - 1 && value >= base) {
    value /= base;
    index++;
  }
  let text = value.toFixed(UNIT_DECIMALS[index]);
  // Rounding may reach the base (e.g. 1023.96 KiB -> "1024.0"): promote.
  if (Number(text) >= base && index < names.length - 1) {
    value /= base;
    index++;
    text = value.toFixed(UNIT_DECIMALS[index]);
  }
  return `${text} ${names[index]}`;
}

/**
 * Format a size in bytes, e.g. `762.9 MiB` (binary) or `800.0 MB` (decimal).
 *
 * @param bytes - The size in bytes; may be negative.
 * @param units - `'binary'` (powers of 1024, default) or `'decimal'`
 *   (powers of 1000).
 */
export function formatBytes(bytes: number, units: ByteUnits = 'binary'): string {
  if (!isFiniteNumber(bytes)) {
    return NOT_AVAILABLE;
  }
  const magnitude = formatMagnitude(Math.abs(bytes), units);
  return bytes < 0 ? `-${magnitude}` : magnitude;
}

/**
 * Format a change in bytes with an explicit sign, e.g. `+762.9 MiB`,
 * `-762.9 MiB` or `±0 B` for no change.
 *
 * @param bytes - The change in bytes.
 * @param units - `'binary'` (default) or `'decimal'`.
 */
export function formatSignedBytes(
  bytes: number,
  units: ByteUnits = 'binary'
): string {
  if (!isFiniteNumber(bytes)) {
    return NOT_AVAILABLE;
  }
  if (bytes === 0) {
    return `±${formatMagnitude(0, units)}`;
  }
  const magnitude = formatMagnitude(Math.abs(bytes), units);
  return bytes < 0 ? `-${magnitude}` : `+${magnitude}`;
}

/**
 * Format a duration in seconds, e.g. `45 ms`, `0.51 s`, `12.3 s`,
 * `2 min 5 s` or `1 h 5 min`.
 *
 * @param seconds - The duration in seconds.
 */
export function formatDuration(seconds: number): string {
  if (!isFiniteNumber(seconds)) {
    return NOT_AVAILABLE;
  }
  const s = Math.max(0, seconds);

  if (s < 0.1) {
    const ms = Math.round(s * 1000);
    if (ms === 0 && s > 0) {
      return '<1 ms';
    }
    // 0.0996 s rounds to 100 ms: fall through to seconds instead.
    if (ms < 100) {
      return `${ms} ms`;
    }
  }
  if (s < 10) {
    const text = s.toFixed(2);
    if (Number(text) < 10) {
      return `${text} s`;
    }
  }
  if (s < 60) {
    const text = s.toFixed(1);
    if (Number(text) < 60) {
      return `${text} s`;
    }
  }
  const totalSeconds = Math.round(s);
  if (totalSeconds < 3600) {
    const minutes = Math.floor(totalSeconds / 60);
    const rest = totalSeconds % 60;
    return `${minutes} min ${rest} s`;
  }
  const totalMinutes = Math.round(s / 60);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return `${hours} h ${minutes} min`;
}

/**
 * Format a duration that may be a fraction of a millisecond: `0.5 ms`,
 * `<0.1 ms`; from 10 ms on as `formatDuration` does.
 *
 * @param seconds - The duration in seconds.
 */
export function formatFineDuration(seconds: number): string {
  if (!isFiniteNumber(seconds) || seconds >= 0.01) {
    return formatDuration(seconds);
  }
  const ms = Math.max(0, seconds) * 1000;
  const text = ms.toFixed(1);
  return text === '0.0' && ms > 0 ? '<0.1 ms' : `${text} ms`;
}
