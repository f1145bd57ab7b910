import { binaryTicks, byteTicks, clockLabel, signedByteTicks, tickLabel, timeTicks } from '../timeline/ticks';

const KIB = 1024;
const MIB = KIB ** 2;
const GIB = KIB ** 3;
const TIB = KIB ** 4;

const isPowerOfTwo = (n: number) => Number.isInteger(Math.log2(n));

describe('binaryTicks', () => {
  // 1 MiB to 1 TiB in steps of a quarter power of two, and figures just beside powers of two.
  const maxima: number[] = [];
  for (let e = 20; e <= 40; e += 0.25) {
    maxima.push(Math.round(2 ** e));
  }
  maxima.push(619.9 * MIB, 1.21 * GIB, GIB + 1, GIB - 1, 3 * GIB, 5 * MIB + 17);

  it.each(maxima)('steps by a power of two, 0 to at least the maximum (%d B)', max => {
    const { step, ticks } = binaryTicks(max);
    expect(isPowerOfTwo(step)).toBe(true);
    expect(ticks[0]).toBe(0);
    ticks.forEach((t, i) => expect(t).toBe(i * step));
    expect(ticks.length).toBeLessThanOrEqual(6);
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(max);
    // The smallest such step: half of it would need more than five steps.
    expect(Math.ceil(max / (step / 2))).toBeGreaterThan(5);
  });

  it.each(maxima)('labels every tick exactly and briefly (%d B)', max => {
    for (const t of binaryTicks(max).ticks) {
      const label = tickLabel(t);
      expect(label).toMatch(/^\d+(\.\d{1,2})? (B|KiB|MiB|GiB|TiB)$/);
      const [figure, unit] = label.split(' ');
      const base = { B: 1, KiB: KIB, MiB: MIB, GiB: GIB, TiB: TIB }[unit]!;
      expect(Number(figure) * base).toBe(t);
    }
  });

  it('reads as a user expects', () => {
    expect(binaryTicks(1.21 * GIB).ticks.map(t => tickLabel(t))).toEqual([
      '0 B',
      '256 MiB',
      '512 MiB',
      '768 MiB',
      '1 GiB',
      '1.25 GiB'
    ]);
    expect(binaryTicks(619.9 * MIB).ticks.map(t => tickLabel(t))).toEqual([
      '0 B',
      '128 MiB',
      '256 MiB',
      '384 MiB',
      '512 MiB',
      '640 MiB'
    ]);
    expect(binaryTicks(2.9 * GIB).ticks.map(t => tickLabel(t))).toEqual([
      '0 B',
      '1 GiB',
      '2 GiB',
      '3 GiB'
    ]);
    expect(tickLabel(1.5 * GIB)).toBe('1.5 GiB');
  });

  it('ends exactly on a power of two that is the maximum', () => {
    expect(binaryTicks(GIB)).toEqual({ step: 256 * MIB, ticks: [0, 256 * MIB, 512 * MIB, 768 * MIB, GIB] });
    expect(binaryTicks(TIB).ticks[4]).toBe(TIB);
  });

  it('keeps a step of one byte for nothing, tiny or invalid maxima', () => {
    expect(binaryTicks(0)).toEqual({ step: 1, ticks: [0, 1] });
    expect(binaryTicks(-5)).toEqual({ step: 1, ticks: [0, 1] });
    expect(binaryTicks(NaN)).toEqual({ step: 1, ticks: [0, 1] });
    expect(binaryTicks(3)).toEqual({ step: 1, ticks: [0, 1, 2, 3] });
    expect(binaryTicks(0.2)).toEqual({ step: 1, ticks: [0, 1] });
  });

  it('takes the number of ticks asked for', () => {
    const { ticks } = binaryTicks(10 * GIB, 3);
    expect(ticks.length).toBeLessThanOrEqual(4);
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(10 * GIB);
  });
});

describe('byteTicks in decimal units', () => {
  it.each([1e6, 7.3e6, 619.9e6, 1.21e9, 2e9, 9.99e11, 1e12])('steps by 1, 2 or 5 × 10ⁿ (%d B)', max => {
    const { step, ticks } = byteTicks(max, 'decimal');
    const mantissa = step / 10 ** Math.floor(Math.log10(step));
    expect([1, 2, 5]).toContain(Math.round(mantissa * 1e9) / 1e9);
    expect(ticks.length).toBeLessThanOrEqual(6);
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(max);
    for (const t of ticks) {
      expect(tickLabel(t, 'decimal')).toMatch(/^\d+(\.\d{1,2})? (B|kB|MB|GB|TB)$/);
    }
  });

  it('labels round figures', () => {
    expect(byteTicks(1.21e9, 'decimal').ticks.map(t => tickLabel(t, 'decimal'))).toEqual([
      '0 B',
      '500 MB',
      '1 GB',
      '1.5 GB'
    ]);
  });
});

describe('timeTicks', () => {
  const width = (s: string) => s.length * 7;
  const t0 = Date.UTC(2026, 0, 1, 10, 0, 7) / 1000;

  it('keeps room for each label, on a round step, inside the plot', () => {
    const ticks = timeTicks(t0, t0 + 120, 300, width);
    expect(ticks.length).toBeGreaterThan(1);
    const steps = ticks.slice(1).map((t, i) => t.time - ticks[i].time);
    expect(new Set(steps).size).toBe(1);
    const step = steps[0];
    expect((step / 120) * 300).toBeGreaterThanOrEqual(8 * 7 + 12);
    for (const t of ticks) {
      expect(t.time % step).toBe(0);
      const x = ((t.time - t0) / 120) * 300;
      expect(x - width(t.label) / 2).toBeGreaterThanOrEqual(0);
      expect(x + width(t.label) / 2).toBeLessThanOrEqual(300);
      expect(t.label).toBe(clockLabel(t.time));
    }
  });

  it('drops the seconds from minute steps', () => {
    const ticks = timeTicks(t0, t0 + 3600, 300, width);
    expect(ticks.length).toBeGreaterThan(0);
    ticks.forEach(t => expect(t.label).toMatch(/^\d\d:\d\d$/));
  });

  it('has no tick for an empty range or plot', () => {
    expect(timeTicks(t0, t0, 300, width)).toEqual([]);
    expect(timeTicks(t0, t0 + 10, 0, width)).toEqual([]);
  });
});

describe('signedByteTicks', () => {
  it('spans both signs on round binary steps, zero included', () => {
    const { step, ticks } = signedByteTicks(-1.64 * 1024 * MIB, 763 * MIB);
    expect(Math.log2(step) % 1).toBe(0);
    expect(ticks).toContain(0);
    expect(ticks[0]).toBeLessThanOrEqual(-1.64 * 1024 * MIB);
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(763 * MIB);
    ticks.forEach(t => expect(Math.abs(t % step)).toBe(0));
    expect(ticks.map(t => tickLabel(t))).toEqual(['-2 GiB', '-1.5 GiB', '-1 GiB', '-512 MiB', '0 B', '512 MiB', '1 GiB']);
  });

  it('ends at zero when nothing is above it, starts at zero when nothing is below', () => {
    expect(signedByteTicks(-3 * MIB, 0).ticks.slice(-1)).toEqual([0]);
    expect(signedByteTicks(0, 3 * MIB).ticks[0]).toBe(0);
    expect(signedByteTicks(0, 0).ticks.length).toBeGreaterThanOrEqual(2);
  });
});
