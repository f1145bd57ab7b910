import { chooseLabels, ILabelCandidate, textWidth } from '../timeline/labels';

/** No two chosen labels closer than `gap`, all inside the plot. */
function expectApart(spans: ILabelCandidate[], lefts: (number | null)[], plotWidth: number, gap: number) {
  const placed = lefts
    .map((left, i) => (left === null ? null : { left, right: left + spans[i].width }))
    .filter((p): p is { left: number; right: number } => p !== null)
    .sort((a, b) => a.left - b.left);
  placed.forEach((p, i) => {
    expect(p.left).toBeGreaterThanOrEqual(0);
    expect(p.right).toBeLessThanOrEqual(plotWidth);
    if (i > 0) {
      expect(p.left).toBeGreaterThanOrEqual(placed[i - 1].right + gap);
    }
  });
}

describe('chooseLabels', () => {
  it('labels every span when there is room, centred on it', () => {
    const spans = [0, 40, 80].map(x => ({ x0: x, x1: x + 30, width: 10 }));
    expect(chooseLabels(spans, 200)).toEqual([10, 50, 90]);
  });

  it('leaves out labels that would run into each other, keeping one per crowded group', () => {
    // Seven slivers 2 px apart at the right of the plot: "2345" before.
    const spans = Array.from({ length: 7 }, (_, i) => ({ x0: 200 + i * 3, x1: 201 + i * 3, width: 9 }));
    const lefts = chooseLabels(spans, 230);
    expectApart(spans, lefts, 230, 4);
    expect(lefts.filter(l => l !== null).length).toBeGreaterThanOrEqual(1);
    expect(lefts.filter(l => l !== null).length).toBeLessThan(7);
  });

  it('leaves every unlabelled span beside a labelled one', () => {
    const xs = [0, 2, 4, 50, 51, 52, 53, 120, 180, 181];
    const spans = xs.map(x => ({ x0: x, x1: x + 1, width: 16 }));
    const lefts = chooseLabels(spans, 200);
    expectApart(spans, lefts, 200, 4);
    spans.forEach((s, i) => {
      if (lefts[i] === null) {
        const near = spans.some((o, j) => lefts[j] !== null && Math.max(o.x0 - s.x1, s.x0 - o.x1) < 30);
        expect(near).toBe(true);
      }
    });
  });

  it('keeps labels inside the plot at its edges', () => {
    const spans = [
      { x0: 0, x1: 1, width: 20 },
      { x0: 199, x1: 200, width: 20 }
    ];
    expect(chooseLabels(spans, 200)).toEqual([0, 180]);
  });

  it('takes the spans in the order of their position', () => {
    const spans = [
      { x0: 100, x1: 110, width: 10 },
      { x0: 0, x1: 10, width: 10 }
    ];
    expect(chooseLabels(spans, 200)).toEqual([100, 0]);
  });
});

describe('textWidth', () => {
  it('grows with the text and counts wide letters wide', () => {
    expect(textWidth('12', 11)).toBeGreaterThan(textWidth('1', 11));
    expect(textWidth('MiB', 11)).toBeGreaterThan(textWidth('abc', 11));
    expect(textWidth('', 11)).toBe(2);
  });
});
