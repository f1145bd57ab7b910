/**
 * How the memory panel is laid out: its width set as a user drags it, and
 * the texts that overlap or overflow their table cells.
 */
import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';

const TIMELINE = '.jp-MemoryUsage-timeline';

/** Make the right side panel `width` px wide (the split's relative sizes, then corrected once). */
export async function setPanelWidth(page: IJupyterLabPageFixture, width: number) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const actual = await page.evaluate(target => {
      const shell = (window as any).jupyterapp.shell;
      const split = shell._hsplitPanel;
      const panel = document.querySelector('.jp-MemoryUsage-timeline') as HTMLElement;
      const total = split.node.clientWidth;
      const sizes = split.relativeSizes();
      const now = panel.getBoundingClientRect().width;
      const right = Math.min(0.9, (sizes[2] * target) / Math.max(1, now));
      split.setRelativeSizes([sizes[0], Math.max(0.05, 1 - sizes[0] - right), right]);
      return total;
    }, width);
    expect(actual).toBeGreaterThan(width);
    await page.waitForTimeout(300);
    const box = await page.locator(TIMELINE).boundingBox();
    if (box && Math.abs(box.width - width) <= 4) {
      return;
    }
  }
  const box = await page.locator(TIMELINE).boundingBox();
  expect(Math.abs(box!.width - width)).toBeLessThanOrEqual(4);
}

/** Pairs of text boxes in the panel that overlap by more than a pixel each way. */
export async function overlappingTexts(page: IJupyterLabPageFixture): Promise<string[]> {
  const { boxes, overlaps } = await page.locator(TIMELINE).evaluate(root => {
    interface IBox {
      node: Node;
      text: string;
      rect: DOMRect;
    }
    const clipOf = (el: Element): DOMRect | null => {
      // The text's visible part: inside every ancestor that hides its overflow.
      let clip: DOMRect | null = null;
      for (let a: Element | null = el; a && a !== root.parentElement; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
          const r = a.getBoundingClientRect();
          clip = clip
            ? new DOMRect(
                Math.max(clip.left, r.left),
                Math.max(clip.top, r.top),
                Math.max(0, Math.min(clip.right, r.right) - Math.max(clip.left, r.left)),
                Math.max(0, Math.min(clip.bottom, r.bottom) - Math.max(clip.top, r.top))
              )
            : r;
        }
      }
      return clip;
    };
    const boxes: IBox[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const el = node.parentElement;
      const text = (node.textContent ?? '').trim();
      if (!text || !el || el.closest('title, option, style, script')) {
        continue;
      }
      if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) {
        continue;
      }
      let rects: DOMRect[];
      if (el instanceof SVGElement) {
        rects = [el.getBoundingClientRect()];
      } else {
        const range = document.createRange();
        range.selectNodeContents(node);
        rects = [...range.getClientRects()];
      }
      const clip = clipOf(el);
      for (const r of rects) {
        const left = clip ? Math.max(r.left, clip.left) : r.left;
        const right = clip ? Math.min(r.right, clip.right) : r.right;
        const top = clip ? Math.max(r.top, clip.top) : r.top;
        const bottom = clip ? Math.min(r.bottom, clip.bottom) : r.bottom;
        if (right - left > 0.5 && bottom - top > 0.5) {
          boxes.push({ node, text, rect: new DOMRect(left, top, right - left, bottom - top) });
        }
      }
    }
    const overlaps: string[] = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (a.node === b.node) {
          continue;
        }
        const dx = Math.min(a.rect.right, b.rect.right) - Math.max(a.rect.left, b.rect.left);
        const dy = Math.min(a.rect.bottom, b.rect.bottom) - Math.max(a.rect.top, b.rect.top);
        if (dx > 1 && dy > 1) {
          overlaps.push(`"${a.text}" and "${b.text}" (${dx.toFixed(1)} x ${dy.toFixed(1)} px)`);
        }
      }
    }
    return { boxes: boxes.length, overlaps };
  });
  // The walk saw the panel's texts (summary, tabs, ticks, labels, legend...): no vacuous pass.
  expect(boxes).toBeGreaterThan(15);
  return overlaps;
}

/** Table cells whose text is wider than the cell, ellipsised source lines apart. */
export async function overflowingCells(page: IJupyterLabPageFixture): Promise<string[]> {
  return page.locator(`${TIMELINE} td`).evaluateAll(cells =>
    cells
      .filter(td => !td.classList.contains('jp-MemoryUsage-source') && td.checkVisibility())
      .filter(td => td.scrollWidth > td.clientWidth + 1)
      .map(td => `"${td.textContent}" (${td.scrollWidth} > ${td.clientWidth} px)`)
  );
}
