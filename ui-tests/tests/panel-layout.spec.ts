import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { overflowingCells, overlappingTexts, setPanelWidth } from './layout';
import { activeCellId, cellId, command, runInPanel, SEED_EXAMPLES } from './notebooks';

/**
 * The memory panel as a user reads it, after the demo notebook's seven cells:
 * at 300 and 600 px, in the light and the dark theme, no two pieces of text
 * overlap, no figure overflows its table cell, every execution has its span,
 * the legends name their colours, and spans, bars and rows select their cells.
 */
const SEED = [...SEED_EXAMPLES, 'del a, b, c'];
const TIMELINE = '.jp-MemoryUsage-timeline';
const ROW = '.jp-MemoryUsage-heaviest-row';
const SPAN = '.jp-MemoryUsage-span';


async function runSeed(page: IJupyterLabPageFixture, tmpPath: string) {
  await runInPanel(page, `${tmpPath}/seed.ipynb`, SEED);
}

async function setTheme(page: IJupyterLabPageFixture, theme: 'light' | 'dark') {
  const name = theme === 'dark' ? 'JupyterLab Dark' : 'JupyterLab Light';
  await command(page, 'apputils:change-theme', { theme: name });
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-name', name, { timeout: 20000 });
}

async function showSection(page: IJupyterLabPageFixture, section: 'timeline' | 'cells') {
  const tab = page.locator(`.jp-MemoryUsage-sectionTab[data-section="${section}"]`);
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  await page.waitForTimeout(200); // recharts lays its bars out after a frame
}

async function expectLegend(page: IJupyterLabPageFixture, series: string[]) {
  for (const name of series) {
    const item = page.locator(`${TIMELINE} .jp-MemoryUsage-legendItem[data-series="${name}"]`);
    await expect(item).toBeVisible();
    expect((await item.textContent())?.trim().length).toBeGreaterThan(2);
  }
}

/** Every span drawn, wide enough to see, none over another; a label for each or a labelled neighbour. */
async function expectSpans(page: IJupyterLabPageFixture) {
  const spans = page.locator(`${TIMELINE} ${SPAN}`);
  await expect(spans).toHaveCount(SEED.length);
  const views = await spans.evaluateAll(els =>
    els.map(el => {
      const r = el.getBoundingClientRect();
      const label = el.querySelector('.jp-MemoryUsage-spanLabel') as HTMLElement | null;
      return { left: r.left, right: r.right, labelled: !!label && label.checkVisibility() };
    })
  );
  views.sort((a, b) => a.left - b.left);
  views.forEach((v, i) => {
    expect(v.right - v.left, `span ${i} width`).toBeGreaterThanOrEqual(2);
    if (i > 0) {
      expect(v.left, `span ${i} starts after the one before ends`).toBeGreaterThanOrEqual(views[i - 1].right - 0.5);
    }
    if (!v.labelled) {
      const near = views.some(
        w => w.labelled && Math.max(w.left - v.right, v.left - w.right) < 30
      );
      expect(near, `span ${i} has a labelled neighbour`).toBe(true);
    }
  });
  expect(views.some(v => v.labelled)).toBe(true);
}

async function expectLegible(page: IJupyterLabPageFixture) {
  await showSection(page, 'timeline');
  for (const mode of ['cells', 'time']) {
    await page.locator(`${TIMELINE} .jp-MemoryUsage-axisMode button[data-mode="${mode}"]`).click();
    await expect(page.locator(`${TIMELINE} .jp-MemoryUsage-chart`)).toHaveAttribute('data-axis-mode', mode);
    await page.waitForTimeout(200);
    expect(await overlappingTexts(page), `overlapping text, timeline (${mode})`).toEqual([]);
    if (mode === 'cells') {
      await expectSpans(page);
    }
  }
  await expectLegend(page, ['kernel', 'peak']);
  await showSection(page, 'cells');
  await expectLegend(page, ['change', 'peak']);
  expect(await overlappingTexts(page), 'overlapping text, cells').toEqual([]);
  expect(await overflowingCells(page), 'overflowing table cells').toEqual([]);
}

for (const [width, theme] of [
  [300, 'light'],
  [600, 'dark'],
  [300, 'dark'],
  [600, 'light']
] as const) {
  test(`the panel at ${width} px, ${theme} theme, is legible`, async ({ page, tmpPath }) => {
    await runSeed(page, tmpPath);
    await setTheme(page, theme);
    await setPanelWidth(page, width);
    await expectLegible(page);
    // For the README (300 px light, 600 px dark), rewritten only on request: figures vary.
    if ((width === 300 && theme === 'light') || (width === 600 && theme === 'dark')) {
      for (const section of ['timeline', 'cells'] as const) {
        await showSection(page, section);
        if (section === 'timeline') {
          await page.locator(`${TIMELINE} .jp-MemoryUsage-axisMode button[data-mode="cells"]`).click();
        }
        await page.waitForTimeout(300);
        const name = `panel-${section}-${width}-${theme}.png`;
        await page.locator(TIMELINE).screenshot({
          path: process.env.UPDATE_README_SCREENSHOTS ? `screenshots/${name}` : test.info().outputPath(name)
        });
      }
    }
  });
}

test('spans, bars and rows select their cells; the table sorts by each column', async ({
  page,
  tmpPath
}) => {
  await runSeed(page, tmpPath);
  await setPanelWidth(page, 300);
  const notebookCell = async (index: number) => {
    await page.notebook.selectCells(index);
    expect(await activeCellId(page)).toBe(cellId(index));
  };

  await showSection(page, 'timeline');
  await page.locator(`${TIMELINE} .jp-MemoryUsage-axisMode button[data-mode="cells"]`).click();
  await notebookCell(0);
  await page.locator(`${TIMELINE} ${SPAN}[data-cell-id="${cellId(2)}"]`).click();
  await expect.poll(() => activeCellId(page)).toBe(cellId(2));
  // By keyboard: Enter on a focused span.
  await notebookCell(0);
  await page.locator(`${TIMELINE} ${SPAN}[data-cell-id="${cellId(4)}"]`).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => activeCellId(page)).toBe(cellId(4));

  await showSection(page, 'cells');
  await notebookCell(0);
  // The bars are in execution order, one group per execution: the third is cell 2.
  await page.locator(`${TIMELINE} .jp-MemoryUsage-peakBar .recharts-rectangle`).nth(2).click();
  await expect.poll(() => activeCellId(page)).toBe(cellId(2));
  await notebookCell(0);
  await page.locator(`${TIMELINE} ${ROW}[data-cell-id="${cellId(3)}"]`).click();
  await expect.poll(() => activeCellId(page)).toBe(cellId(3));
  await notebookCell(0);
  await page.locator(`${TIMELINE} ${ROW}[data-cell-id="${cellId(5)}"]`).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => activeCellId(page)).toBe(cellId(5));

  for (const [key, attribute] of [
    ['delta', 'delta'],
    ['duration', 'duration'],
    ['last-run', 'started'],
    ['peak', 'peakIncrement']
  ] as const) {
    const button = page.locator(`${TIMELINE} button[data-sort="${key}"]`);
    await button.click();
    await expect(page.locator(`${TIMELINE} th:has(button[data-sort="${key}"])`)).toHaveAttribute(
      'aria-sort',
      'descending'
    );
    const values = (await page
      .locator(`${TIMELINE} ${ROW}`)
      .evaluateAll((rows, name) => rows.map(r => Number((r as HTMLElement).dataset[name])), attribute)) as number[];
    expect(values.length, key).toBe(SEED.length);
    expect(values, `rows sorted by ${key}`).toEqual([...values].sort((x, y) => y - x));
  }
});

test('hover reads the memory, a drag zooms in and back; the section survives a reload', async ({
  page,
  tmpPath
}) => {
  await runSeed(page, tmpPath);
  await setPanelWidth(page, 600);
  await showSection(page, 'timeline');
  await page.locator(`${TIMELINE} .jp-MemoryUsage-axisMode button[data-mode="cells"]`).click();
  const plot = page.locator(`${TIMELINE} .jp-MemoryUsage-plot`);
  const box = (await plot.boundingBox())!;
  const y = box.y + box.height / 2;

  // The crosshair names the memory at that moment and the cell that ran.
  await page.mouse.move(box.x + box.width * 0.5, y);
  const readout = page.locator(`${TIMELINE} .jp-MemoryUsage-readout`);
  await expect(readout).toBeVisible();
  await expect(readout).toContainText(/\d+(\.\d+)? [KMG]iB/);
  await expect(readout).toContainText(/\[\d\]/);
  await expect(page.locator(`${TIMELINE} .jp-MemoryUsage-crosshair`)).toBeVisible();

  // A drag across the middle of the plot: fewer spans, then all of them again.
  await page.mouse.move(box.x + box.width * 0.45, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
  await page.mouse.up();
  const chart = page.locator(`${TIMELINE} .jp-MemoryUsage-chart`);
  await expect(chart).toHaveAttribute('data-zoomed', 'true');
  const zoomedSpans = await page.locator(`${TIMELINE} ${SPAN}`).count();
  expect(zoomedSpans).toBeGreaterThan(0);
  expect(zoomedSpans).toBeLessThan(SEED.length);
  await page.locator(`${TIMELINE} .jp-MemoryUsage-zoomReset`).click();
  await expect(chart).toHaveAttribute('data-zoomed', 'false');
  await expect(page.locator(`${TIMELINE} ${SPAN}`)).toHaveCount(SEED.length);

  // Arrow keys move between the tabs; the chosen section comes back after a reload, once
  // the workspace that holds it is saved (in the background: a fixed wait raced with it).
  const saved = page.waitForRequest(
    request =>
      request.method() === 'PUT' &&
      request.url().includes('/api/workspaces/') &&
      request.postDataJSON()?.data?.['jupyterlab-memory-usage:timeline:section'] === 'cells',
    { timeout: 20000 }
  );
  await page.locator('.jp-MemoryUsage-sectionTab[data-section="timeline"]').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('.jp-MemoryUsage-sectionTab[data-section="cells"]')).toHaveAttribute(
    'aria-selected',
    'true'
  );
  await expect(page.locator(`${TIMELINE} ${ROW}`)).toHaveCount(SEED.length);
  await saved;
  // A plain browser reload (Galata's own waits for tabs this layout does not have).
  await page.evaluate(() => window.location.reload());
  await page.waitForFunction(() => (window as any).jupyterapp?.commands?.hasCommand('memory-usage:open-timeline'), null, {
    timeout: 60000
  });
  await command(page, 'memory-usage:open-timeline');
  await expect(page.locator('.jp-MemoryUsage-sectionTab[data-section="cells"]')).toHaveAttribute(
    'aria-selected',
    'true',
    { timeout: 20000 }
  );
});
