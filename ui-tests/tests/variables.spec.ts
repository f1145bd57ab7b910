import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { overflowingCells, overlappingTexts, setPanelWidth } from './layout';
import { activeCellId, cellId, command, consoleErrors, expectClose, putNotebook, runInPanel, SEED_EXAMPLES } from './notebooks';

/**
 * The panel's Variables section with a real kernel: what holds the memory
 * after the seed's examples (before their `del`), each name with the cell
 * that bound it, the total against the resident memory, a refresh when a
 * cell ends, a kernel without the hook, and the layout at 300 and 600 px.
 */
const ONES_1E8 = 8e8; // np.ones(10**8): 762.94 MiB
const C_BYTES = 2e7 * 8; // a[:2*10**7] * 2 + a[:2*10**7] * 3: 152.59 MiB
const SEED = [...SEED_EXAMPLES, 'v = a[::2]'];
const TIMELINE = '.jp-MemoryUsage-timeline';
const ROW = '.jp-MemoryUsage-variable-row';
const TOTAL = '.jp-MemoryUsage-variables-total';

interface IRowView {
  name: string;
  size: number;
  cellId: string;
  viewOf: string;
}

async function rows(page: IJupyterLabPageFixture): Promise<IRowView[]> {
  return page.locator(`${TIMELINE} ${ROW}`).evaluateAll(nodes =>
    nodes.map(node => {
      const data = (node as HTMLElement).dataset;
      return { name: data.name!, size: Number(data.size), cellId: data.cellId!, viewOf: data.viewOf! };
    })
  );
}

/** Run the seed's cells, and not the `later` ones after them. */
async function runSeed(page: IJupyterLabPageFixture, tmpPath: string, later: string[] = []) {
  await runInPanel(page, `${tmpPath}/variables.ipynb`, [...SEED, ...later], SEED.length);
}

async function showVariables(page: IJupyterLabPageFixture) {
  const tab = page.locator('.jp-MemoryUsage-sectionTab[data-section="variables"]');
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator(`${TIMELINE} ${ROW}`).first()).toBeVisible({ timeout: 20000 });
}

test('the Variables section lists what holds the memory, with its cell, and follows a del', async ({
  page,
  tmpPath
}) => {
  const errors = consoleErrors(page);
  await runSeed(page, tmpPath, ['del a']);
  await setPanelWidth(page, 600);
  await showVariables(page);

  // Largest first, ties by name; the view after the names it shares with; np too small to list.
  const listed = await rows(page);
  expect(listed.map(r => r.name)).toEqual(['a', 'b', 'c', 'v']);
  const [a, b, c, v] = listed;
  expectClose(a.size, ONES_1E8, 0.02, 'a');
  expectClose(b.size, ONES_1E8, 0.02, 'b');
  expectClose(c.size, C_BYTES, 0.02, 'c');
  expect(v.size, 'a view holds no bytes of its own').toBeLessThan(1024);
  expect(v.viewOf).toBe('a');
  expect(listed.map(r => r.cellId)).toEqual([cellId(1), cellId(2), cellId(4), cellId(6)]);
  await expect(page.locator(`${TIMELINE} ${ROW}[data-name="v"]`)).toContainText('view of a');
  await expect(page.locator(`${TIMELINE} ${ROW}[data-name="a"]`)).toContainText('[2] a = np.ones(10**8)');

  // The total counts at least what the rows hold, and no more than the kernel's resident memory.
  const total = page.locator(`${TIMELINE} ${TOTAL}`);
  const totalSize = Number(await total.getAttribute('data-total-size'));
  const rss = Number(await total.getAttribute('data-rss'));
  const rowsSum = listed.reduce((sum, r) => sum + r.size, 0);
  expect(totalSize).toBeGreaterThanOrEqual(rowsSum);
  expect(totalSize - rowsSum, 'the names not listed hold at most a few MiB').toBeLessThan(16 * 2 ** 20);
  expect(rss).toBeGreaterThan(totalSize);
  expect(rss - totalSize, 'the memory no variable holds is the interpreter and NumPy').toBeLessThan(400 * 2 ** 20);
  await expect(total).toHaveText(
    /^Variables 1\.\d\d GiB of 1\.\d\d GiB resident; \d+(\.\d)? MiB in no variable \(modules, caches, freed memory the process keeps\)$/
  );

  // A click selects the cell that bound the name, Enter too.
  await page.notebook.selectCells(0);
  await page.locator(`${TIMELINE} ${ROW}[data-name="b"]`).click();
  await expect.poll(() => activeCellId(page)).toBe(cellId(2));
  await page.notebook.selectCells(0);
  await page.locator(`${TIMELINE} ${ROW}[data-name="c"]`).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => activeCellId(page)).toBe(cellId(4));

  // A cell run while the section is shown: the list follows when it ends, no click needed.
  await page.notebook.runCell(SEED.length);
  await expect(page.locator('.jp-MemoryUsage-badge[data-state="ok"]')).toHaveCount(SEED.length + 1, {
    timeout: 30000
  });
  // v now holds the buffer, and the unnamed array that owns it: a header more than b.
  await expect.poll(async () => (await rows(page)).map(r => r.name), { timeout: 20000 }).toEqual(['v', 'b', 'c']);
  const after = await rows(page);
  expectClose(after[0].size, ONES_1E8, 0.02, 'v, the only holder of the buffer once a is gone');
  expect(after[0].viewOf).toBe('');

  // Refresh sizes them again: a newer "as of".
  const asOf = page.locator(`${TIMELINE} .jp-MemoryUsage-variablesAsOf`);
  const before = await asOf.textContent();
  await page.waitForTimeout(1100); // "as of" is to the second
  await page.locator(`${TIMELINE} .jp-MemoryUsage-variables-refresh`).click();
  await expect(asOf).not.toHaveText(before ?? '', { timeout: 10000 });
  expect(errors).toEqual([]);
});

test('a kernel without the memory hook says why it has no Variables list', async ({ page, tmpPath }) => {
  await putNotebook(page, `${tmpPath}/bash.ipynb`, ['echo hello'], {
    name: 'bash',
    display_name: 'Bash',
    language: 'bash'
  });
  await page.notebook.openByPath(`${tmpPath}/bash.ipynb`);
  await page.notebook.activate('bash.ipynb');
  await command(page, 'memory-usage:open-timeline');
  await page.locator('.jp-MemoryUsage-sectionTab[data-section="variables"]').click();
  const unavailable = page.locator(`${TIMELINE} .jp-MemoryUsage-variables-unavailable`);
  await expect(unavailable).toHaveAttribute('data-status', '409', { timeout: 30000 });
  await expect(unavailable).toContainText('IPython');
  await expect(page.locator(`${TIMELINE} ${ROW}`)).toHaveCount(0);
});

for (const [width, theme] of [
  [300, 'light'],
  [600, 'dark']
] as const) {
  test(`the Variables section at ${width} px, ${theme} theme, is legible`, async ({ page, tmpPath }) => {
    await runSeed(page, tmpPath);
    if (theme === 'dark') {
      await command(page, 'apputils:change-theme', { theme: 'JupyterLab Dark' });
      await expect(page.locator('body')).toHaveAttribute('data-jp-theme-name', 'JupyterLab Dark', {
        timeout: 20000
      });
    }
    await setPanelWidth(page, width);
    await showVariables(page);
    expect(await overlappingTexts(page), 'overlapping text, variables').toEqual([]);
    expect(await overflowingCells(page), 'overflowing table cells').toEqual([]);
    const name = `panel-variables-${width}-${theme}.png`;
    await page.locator(TIMELINE).screenshot({
      path: process.env.UPDATE_README_SCREENSHOTS ? `screenshots/${name}` : test.info().outputPath(name)
    });
  });
}
