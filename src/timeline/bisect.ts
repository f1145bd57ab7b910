/**
 * The first index in [0, length) for which `test` holds, or `length` when
 * none does; `test` must be false up to some index and true from there on.
 * Binary search: the chart's look-ups run at every mouse move.
 */
export function firstIndex(length: number, test: (i: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (test(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}
