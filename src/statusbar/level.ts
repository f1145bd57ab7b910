/**
 * How close a kernel is to its memory limit.
 */
export type MemoryLevel = 'normal' | 'warning' | 'critical';

export interface IThresholds {
  /** Fractions of the limit, for example 0.7 and 0.9. */
  warning: number;
  critical: number;
}

export const DEFAULT_THRESHOLDS: IThresholds = { warning: 0.7, critical: 0.9 };

export function memoryLevel(
  rssBytes: number | null,
  limitBytes: number | null,
  thresholds: IThresholds
): MemoryLevel {
  if (rssBytes === null || limitBytes === null || limitBytes <= 0) {
    return 'normal';
  }
  const fraction = rssBytes / limitBytes;
  if (fraction >= thresholds.critical) {
    return 'critical';
  }
  return fraction >= thresholds.warning ? 'warning' : 'normal';
}

/**
 * Thresholds from the settings, with the defaults in place of invalid values
 * (outside 0..1, or a warning above the critical level).
 */
export function validThresholds(warning: unknown, critical: unknown): {
  thresholds: IThresholds;
  valid: boolean;
} {
  const w = Number(warning);
  const c = Number(critical);
  const inRange = (v: number) => Number.isFinite(v) && v > 0 && v <= 1;
  if (inRange(w) && inRange(c) && w <= c) {
    return { thresholds: { warning: w, critical: c }, valid: true };
  }
  return { thresholds: { ...DEFAULT_THRESHOLDS }, valid: false };
}
