import {
  formatBytes,
  formatDuration,
  formatFineDuration,
  formatSignedBytes,
  NOT_AVAILABLE
} from '../format';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('formatBytes', () => {
  it('formats binary units by default', () => {
    expect(formatBytes(10 ** 8 * 8)).toBe('762.9 MiB');
    expect(formatBytes(10 ** 8 * 8, 'binary')).toBe('762.9 MiB');
    expect(formatBytes(1.54 * GiB)).toBe('1.54 GiB');
    expect(formatBytes(1653562408)).toBe('1.54 GiB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(KiB)).toBe('1.0 KiB');
    expect(formatBytes(12.34 * KiB)).toBe('12.3 KiB');
    expect(formatBytes(MiB)).toBe('1.0 MiB');
    expect(formatBytes(3 * 1024 ** 4)).toBe('3.00 TiB');
  });

  it('formats decimal units', () => {
    expect(formatBytes(10 ** 8 * 8, 'decimal')).toBe('800.0 MB');
    expect(formatBytes(1540000000, 'decimal')).toBe('1.54 GB');
    expect(formatBytes(999, 'decimal')).toBe('999 B');
    expect(formatBytes(1000, 'decimal')).toBe('1.0 kB');
    expect(formatBytes(12345, 'decimal')).toBe('12.3 kB');
  });

  it('formats negative values with a minus sign', () => {
    expect(formatBytes(-(10 ** 8) * 8)).toBe('-762.9 MiB');
    expect(formatBytes(-512)).toBe('-512 B');
    expect(formatBytes(-(10 ** 8) * 8, 'decimal')).toBe('-800.0 MB');
  });

  it('promotes values that round up to the next unit', () => {
    expect(formatBytes(1024 * MiB - 1)).toBe('1.00 GiB');
    expect(formatBytes(KiB * KiB - 10)).toBe('1.0 MiB');
    expect(formatBytes(999999, 'decimal')).toBe('1.0 MB');
  });

  it('caps at the largest unit', () => {
    expect(formatBytes(2048 * 1024 ** 5)).toBe('2048.00 PiB');
  });

  it('returns a placeholder for non-finite input', () => {
    expect(formatBytes(NaN)).toBe(NOT_AVAILABLE);
    expect(formatBytes(Infinity)).toBe(NOT_AVAILABLE);
    expect(formatBytes(undefined as unknown as number)).toBe(NOT_AVAILABLE);
    expect(formatBytes(null as unknown as number)).toBe(NOT_AVAILABLE);
  });
});

describe('formatSignedBytes', () => {
  it('always shows the sign', () => {
    expect(formatSignedBytes(10 ** 8 * 8)).toBe('+762.9 MiB');
    expect(formatSignedBytes(-(10 ** 8) * 8)).toBe('-762.9 MiB');
    expect(formatSignedBytes(10 ** 8 * 8, 'decimal')).toBe('+800.0 MB');
    expect(formatSignedBytes(1)).toBe('+1 B');
    expect(formatSignedBytes(-1.54 * GiB)).toBe('-1.54 GiB');
  });

  it('shows zero as ±0 B', () => {
    expect(formatSignedBytes(0)).toBe('±0 B');
    expect(formatSignedBytes(-0)).toBe('±0 B');
    expect(formatSignedBytes(0, 'decimal')).toBe('±0 B');
  });

  it('returns a placeholder for non-finite input', () => {
    expect(formatSignedBytes(NaN)).toBe(NOT_AVAILABLE);
    expect(formatSignedBytes(-Infinity)).toBe(NOT_AVAILABLE);
  });
});

describe('formatDuration', () => {
  it('uses milliseconds below 0.1 s', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(0.0004)).toBe('<1 ms');
    expect(formatDuration(0.045)).toBe('45 ms');
    expect(formatDuration(0.0994)).toBe('99 ms');
  });

  it('uses seconds with two decimals below 10 s', () => {
    expect(formatDuration(0.0996)).toBe('0.10 s');
    expect(formatDuration(0.1)).toBe('0.10 s');
    expect(formatDuration(0.51)).toBe('0.51 s');
    expect(formatDuration(0.35)).toBe('0.35 s');
    expect(formatDuration(9.99)).toBe('9.99 s');
  });

  it('uses seconds with one decimal below a minute', () => {
    expect(formatDuration(9.999)).toBe('10.0 s');
    expect(formatDuration(12.34)).toBe('12.3 s');
    expect(formatDuration(59.94)).toBe('59.9 s');
  });

  it('uses minutes and seconds below an hour', () => {
    expect(formatDuration(59.96)).toBe('1 min 0 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(125.4)).toBe('2 min 5 s');
    expect(formatDuration(3599.4)).toBe('59 min 59 s');
  });

  it('uses hours and minutes from an hour on', () => {
    expect(formatDuration(3599.6)).toBe('1 h 0 min');
    expect(formatDuration(3600 + 5 * 60)).toBe('1 h 5 min');
    expect(formatDuration(26 * 3600)).toBe('26 h 0 min');
  });

  it('clamps negative durations and rejects non-finite input', () => {
    expect(formatDuration(-1)).toBe('0 ms');
    expect(formatDuration(NaN)).toBe(NOT_AVAILABLE);
    expect(formatDuration(Infinity)).toBe(NOT_AVAILABLE);
  });
});

describe('formatFineDuration', () => {
  it('shows fractions of a millisecond, and from 10 ms on as formatDuration', () => {
    expect(formatFineDuration(0.0005)).toBe('0.5 ms');
    expect(formatFineDuration(0.00001)).toBe('<0.1 ms');
    expect(formatFineDuration(0)).toBe('0.0 ms');
    expect(formatFineDuration(0.0042)).toBe('4.2 ms');
    expect(formatFineDuration(0.013)).toBe('13 ms');
    expect(formatFineDuration(2.5)).toBe('2.50 s');
    expect(formatFineDuration(NaN)).toBe(NOT_AVAILABLE);
  });
});

describe('badge composition', () => {
  it('produces the documented badge text', () => {
    const parts = [
      formatSignedBytes(10 ** 8 * 8),
      `peak ${formatSignedBytes(10 ** 8 * 8)}`,
      formatDuration(0.51),
      formatBytes(1653562408)
    ];
    expect(parts.join(' · ')).toBe(
      '+762.9 MiB · peak +762.9 MiB · 0.51 s · 1.54 GiB'
    );
  });
});
