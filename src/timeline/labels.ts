/**
 * Which spans get their label: pure, over pixel positions, so that labels are
 * left out rather than drawn over each other.
 */

export interface ILabelCandidate {
  /** The span's edges, in pixels from the plot's left. */
  x0: number;
  x1: number;
  /** The label's estimated width, in pixels. */
  width: number;
}

/**
 * An estimate of a text's width in pixels at `fontPx`, on the generous side
 * (wide letters count wide), so that labels kept apart by it never touch.
 */
export function textWidth(text: string, fontPx: number): number {
  let em = 0;
  for (const c of text) {
    if (c === ' ') {
      em += 0.33;
    } else if (c === '.' || c === ':' || c === ',' || c === '[' || c === ']' || c === 'i' || c === 'l') {
      em += 0.4;
    } else if (/[MWmw@%]/.test(c)) {
      em += 0.95;
    } else if (/[A-Z]/.test(c)) {
      em += 0.75;
    } else {
      em += 0.62;
    }
  }
  return Math.ceil(em * fontPx) + 2;
}

/**
 * Greedily, left to right, the left edge of each span's label (centred on
 * its span, kept inside `[0, plotWidth]`), or null where it would come closer
 * than `gap` pixels to the label before. A span left without a label is thus
 * always beside a labelled one: every crowded group keeps at least one.
 */
export function chooseLabels(
  spans: readonly ILabelCandidate[],
  plotWidth: number,
  gap = 4
): (number | null)[] {
  const order = spans.map((_, i) => i).sort((a, b) => spans[a].x0 + spans[a].x1 - (spans[b].x0 + spans[b].x1));
  const chosen: (number | null)[] = spans.map(() => null);
  let right = -Infinity;
  for (const i of order) {
    const s = spans[i];
    const centre = (s.x0 + s.x1) / 2;
    const left = Math.max(0, Math.min(plotWidth - s.width, centre - s.width / 2));
    if (left >= right + gap) {
      chosen[i] = left;
      right = left + s.width;
    }
  }
  return chosen;
}
