import { DEFAULT_THRESHOLDS, memoryLevel, validThresholds } from '../statusbar/level';

describe('memoryLevel', () => {
  const thresholds = { warning: 0.7, critical: 0.9 };
  it('compares the kernel memory with its limit', () => {
    expect(memoryLevel(100, 1000, thresholds)).toBe('normal');
    expect(memoryLevel(700, 1000, thresholds)).toBe('warning');
    expect(memoryLevel(899, 1000, thresholds)).toBe('warning');
    expect(memoryLevel(900, 1000, thresholds)).toBe('critical');
    expect(memoryLevel(5000, 1000, thresholds)).toBe('critical');
  });

  it('is normal when a figure is missing', () => {
    expect(memoryLevel(null, 1000, thresholds)).toBe('normal');
    expect(memoryLevel(900, null, thresholds)).toBe('normal');
    expect(memoryLevel(900, 0, thresholds)).toBe('normal');
  });
});

describe('validThresholds', () => {
  it('accepts fractions with the warning not above the critical one', () => {
    expect(validThresholds(0.5, 0.8)).toEqual({ thresholds: { warning: 0.5, critical: 0.8 }, valid: true });
  });

  it('falls back to the defaults otherwise', () => {
    for (const [w, c] of [
      [0.9, 0.5],
      [-1, 0.5],
      [0.5, 2],
      ['x', 0.9],
      [undefined, undefined]
    ]) {
      expect(validThresholds(w, c)).toEqual({ thresholds: DEFAULT_THRESHOLDS, valid: false });
    }
  });
});
