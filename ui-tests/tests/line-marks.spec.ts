import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';

import {
  cellOf,
  consoleErrors,
  expectClose,
  IMarkView,
  MARK,
  marksOf,
  openInNotebook7,
  putNotebook,
  showCellsSection,
  WINDOWED_SETTINGS
} from './notebooks';

/**
 * The marks beside a cell's statements: their figures from a real kernel, the
 * setting that shows them, edits, a reload, a windowed notebook, Notebook 7.
 */

const MIB = 2 ** 20;
const ONES_1E8 = 8e8; // np.ones(10**8): 762.94 MiB
const BADGE = '.jp-MemoryUsage-badge';
const RUN_TIMEOUT = 30000;
const PLUGIN = 'jupyterlab-memory-usage:badges';

const IMPORT = 'import numpy as np';
const STATEMENTS = ['a = np.ones(10**8)', 'b = a * 2', 'np.ones(10**8).sum()', 'del a', 'n = 1'].join('\n');

/** The seed cell's marks: lines 1 to 4 with their exact figures, none on line 5. */
function checkSeedMarks(marks: IMarkView[]) {
  expect(marks.map(m => [m.line, m.endLine])).toEqual([
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4]
  ]);
  const [a, b, sum, del] = marks;
  expectClose(a.delta, ONES_1E8, 0.02, 'a = np.ones(10**8)');
  expectClose(b.delta, ONES_1E8, 0.02, 'b = a * 2');
  expect(Math.abs(sum.delta), 'np.ones(10**8).sum() keeps nothing').toBeLessThan(16 * MIB);
  expectClose(sum.peak, ONES_1E8, 0.02, 'peak of np.ones(10**8).sum()');
  expectClose(del.delta, -ONES_1E8, 0.02, 'del a');
  expect(a.text).toMatch(/^\+76\d\.\d MiB$/);
  expect(sum.text).toMatch(/^peak \+76\d\.\d MiB$/);
  expect(del.text).toMatch(/^-76\d\.\d MiB$/);
  expect(sum.title).toMatch(/^line 3: \S+ \S+ left behind, peaked 76\d\.\d MiB above its start, \S+ m?s$/);
}

async function setBadgeSetting(page: Page, key: string, value: unknown) {
  await page.evaluate(
    async ({ plugin, key, value }) => {
      const registry = await (window as any).galata.getPlugin('@jupyterlab/apputils-extension:settings');
      await registry.set(plugin, key, value);
    },
    { plugin: PLUGIN, key, value }
  );
}

/** A new notebook with the import and the seed's statements in one cell, both run. */
async function runSeedCell(page: IJupyterLabPageFixture) {
  await page.notebook.createNew(undefined, { kernel: 'python3' });
  await page.notebook.setCell(0, 'code', IMPORT);
  await page.notebook.addCell('code', STATEMENTS);
  await page.notebook.run();
  for (const i of [0, 1]) {
    await expect(cellOf(page, i).locator(BADGE)).toHaveAttribute('data-state', 'ok', {
      timeout: RUN_TIMEOUT
    });
  }
  await expect(cellOf(page, 1).locator(MARK)).toHaveCount(4, { timeout: 10000 });
}

test.describe('memory per line', () => {
  // Real kernels: the reload below must find the same kernel's records.
  test.use({ kernels: null });

  test('marks the statements that moved memory, with their exact figures', async ({ page }) => {
    const errors = consoleErrors(page);
    await runSeedCell(page);
    checkSeedMarks(await marksOf(page, 1));
    // The import cell's mark, if the import moved enough for one, is its own.
    for (const mark of await marksOf(page, 0)) {
      expect(mark.line).toBe(1);
    }

    // The badge's tooltip names the heaviest statement: one of the three
    // that peaked at 762.9 MiB.
    expect(await cellOf(page, 1).locator(BADGE).getAttribute('title')).toMatch(
      /\nPeak at line [123] \(`[^`]+`\): \+76\d\.\d MiB above its start\./
    );

    // The timeline shows the selected cell's statements.
    await page.notebook.selectCells(1);
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('memory-usage:open-timeline'));
    await showCellsSection(page);
    const rows = page.locator('.jp-MemoryUsage-timeline .jp-MemoryUsage-statement-row');
    await expect(rows).toHaveCount(5, { timeout: 15000 });
    expect(await rows.evaluateAll(els => els.map(el => (el as HTMLElement).dataset.line))).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5'
    ]);
    await expect(rows.nth(2).locator('code')).toHaveText('np.ones(10**8).sum()');
    if (process.env.LINE_MARKS_SCREENSHOT) {
      await page.screenshot({ path: test.info().outputPath('line-marks.png') });
    }
    expect(errors).toEqual([]);
  });

  test('the setting hides and shows them; an edited statement is dimmed; a new run replaces them', async ({
    page
  }) => {
    const errors = consoleErrors(page);
    await runSeedCell(page);
    const before = await marksOf(page, 1);

    await setBadgeSetting(page, 'showLineMarks', false);
    await expect(page.locator(MARK)).toHaveCount(0);
    // The badges stay.
    await expect(cellOf(page, 1).locator(BADGE)).toHaveCount(1);
    await setBadgeSetting(page, 'showLineMarks', true);
    await expect(cellOf(page, 1).locator(MARK)).toHaveCount(4);
    expect(await marksOf(page, 1)).toEqual(before);

    // Type at the end of line 2: its mark is dimmed, the others stay as they were.
    await cellOf(page, 1).locator('.cm-line').nth(1).click();
    await page.keyboard.press('End');
    await page.keyboard.type(' + 0');
    await expect(cellOf(page, 1).locator(`${MARK}.jp-mod-edited`)).toHaveCount(1);
    const edited = await marksOf(page, 1);
    expect(edited.map(m => [m.line, m.edited])).toEqual([
      [1, false],
      [2, true],
      [3, false],
      [4, false]
    ]);
    expect(edited[1].title).toMatch(/\(edited since it ran\)$/);
    // A line added above moves the marks down with their statements.
    await cellOf(page, 1).locator('.cm-line').nth(0).click();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await expect(cellOf(page, 1).locator('.cm-line')).toHaveCount(6);
    await expect
      .poll(() =>
        cellOf(page, 1)
          .locator(MARK)
          .evaluateAll(nodes =>
            nodes.map(node => {
              const line = node.closest('.cm-line')!;
              return Array.from(line.parentElement!.children).indexOf(line) + 1;
            })
          )
      )
      .toEqual([2, 3, 4, 5]);

    // Settings that the marks follow live: the threshold hides the smaller ones.
    await setBadgeSetting(page, 'minimumDeltaMiB', 2000);
    await expect(cellOf(page, 1).locator(MARK)).toHaveCount(0);
    await setBadgeSetting(page, 'minimumDeltaMiB', 0);
    await expect(cellOf(page, 1).locator(MARK)).toHaveCount(4);

    // Run it again (the edited source): the old marks go, the new run's come, undimmed.
    const oldMsgId = await cellOf(page, 1).locator(BADGE).getAttribute('data-msg-id');
    await page.notebook.runCell(1, { inplace: true, wait: false });
    await expect(cellOf(page, 1).locator(BADGE)).not.toHaveAttribute('data-msg-id', oldMsgId!, {
      timeout: RUN_TIMEOUT
    });
    await expect(cellOf(page, 1).locator(BADGE)).toHaveAttribute('data-state', 'ok', {
      timeout: RUN_TIMEOUT
    });
    // The statements now start on line 2 (a line was added above them).
    await expect
      .poll(async () => (await marksOf(page, 1)).map(m => [m.line, m.edited]), { timeout: 10000 })
      .toEqual([
        [2, false],
        [3, false],
        [4, false],
        [5, false]
      ]);
    expect(errors).toEqual([]);
  });

  test('after a reload the marks come back from the server’s records', async ({ page }) => {
    await runSeedCell(page);
    await page.notebook.save();
    const before = await marksOf(page, 1);
    // Galata's own readiness check waits for the Launcher tab to be active,
    // which it is not: the restored notebook is.
    await page.reload({ waitForIsReady: false });
    await expect(page.locator('.jp-NotebookPanel')).toHaveCount(1, { timeout: 20000 });
    await expect(cellOf(page, 1).locator(MARK)).toHaveCount(4, { timeout: 20000 });
    const after = await marksOf(page, 1);
    expect(after).toEqual(before);
    checkSeedMarks(after);
  });
});

test.describe('memory per line beside the cell toolbar', () => {
  test('the active cell’s toolbar gives way to a mark that it would cover', async ({ page }) => {
    await page.notebook.createNew(undefined, { kernel: 'python3' });
    await page.notebook.setCell(0, 'code', IMPORT);
    // A first line that ends left of the toolbar, and whose mark would reach under it.
    await page.notebook.addCell('code', `x = np.ones(10**7)  # ${'-'.repeat(28)}\ny = 1`);
    await page.notebook.runCell(0);
    await page.notebook.runCell(1, { inplace: true });
    await expect(cellOf(page, 1).locator(MARK)).toHaveCount(1, { timeout: RUN_TIMEOUT });
    await expect(cellOf(page, 1)).toHaveClass(/jp-mod-active/);
    const overlap = () =>
      cellOf(page, 1).evaluate((cell, mark) => {
        const toolbar = cell.querySelector('.jp-cell-toolbar');
        const node = cell.querySelector(mark)!;
        const range = document.createRange();
        range.setStart(node.closest('.cm-line')!, 0);
        range.setEndBefore(node);
        const text = range.getBoundingClientRect();
        const t = toolbar!.getBoundingClientRect();
        const m = node.getBoundingClientRect();
        return {
          // The setting up: the text alone stays clear of where the toolbar stands.
          textClear: text.right < cell.getBoundingClientRect().right - 180,
          covered: t.width > 0 && m.right > t.left && m.left < t.right && m.top < t.bottom && m.bottom > t.top
        };
      }, MARK);
    await expect.poll(overlap, { timeout: 5000 }).toEqual({ textClear: true, covered: false });
  });
});

test.describe('memory per line from an earlier session', () => {
  // Real kernels and sessions: the kernel is shut down for real.
  test.use({ kernels: null, sessions: null });

  test('a notebook reopened after its kernel is gone shows its marks again', async ({ page }) => {
    await runSeedCell(page);
    await page.notebook.save();
    const before = await marksOf(page, 1);
    // Shut the kernel down, as a server restart would, then open the notebook again.
    const kernelId = await page.evaluate(
      () => (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel.id
    );
    expect((await page.request.delete(`/api/kernels/${kernelId}`)).status()).toBe(204);
    await page.reload({ waitForIsReady: false });
    await expect(cellOf(page, 1).locator(BADGE)).toHaveAttribute('data-earlier', 'true', {
      timeout: 30000
    });
    await expect(cellOf(page, 1).locator(MARK)).toHaveCount(4, { timeout: 10000 });
    expect(await marksOf(page, 1)).toEqual(before);
  });
});

test.describe('memory per line in a windowed notebook', () => {
  test.use({ mockSettings: WINDOWED_SETTINGS });

  test('a cell drawn only when scrolled to gets its marks then', async ({ page, tmpPath }) => {
    const COUNT = 60;
    const sources = Array.from({ length: COUNT }, (_, i) =>
      i === 0 ? IMPORT : i === COUNT - 1 ? 'w = np.ones(10**7)\nv = 1\ndel w' : `v${i} = ${i}`
    );
    const filePath = `${tmpPath}/windowed-lines.ipynb`;
    await putNotebook(page, filePath, sources);
    await page.notebook.openByPath(filePath);
    await page.notebook.activate('windowed-lines.ipynb');
    await page.notebook.run();
    await page.evaluate(async i => {
      await (window as any).jupyterapp.shell.currentWidget.content.scrollToItem(i, 'center');
    }, COUNT - 1);
    // The cell's own node, through the notebook: a windowed notebook's DOM
    // holds only the cells drawn, so no index among `.jp-Cell` nodes is its.
    const lastCell = () =>
      page.evaluate(
        ({ index, mark, badge }) => {
          const cell = (window as any).jupyterapp.shell.currentWidget.content.widgets[index];
          return {
            state: (cell.node.querySelector(badge) as HTMLElement | null)?.dataset.state ?? null,
            marks: Array.from(cell.node.querySelectorAll(mark) as NodeListOf<HTMLElement>).map(node => [
              node.dataset.line,
              Number(node.dataset.delta)
            ])
          };
        },
        { index: COUNT - 1, mark: MARK, badge: BADGE }
      );
    await expect.poll(async () => (await lastCell()).state, { timeout: 60000 }).toBe('ok');
    await expect.poll(async () => (await lastCell()).marks.length, { timeout: 15000 }).toBe(2);
    const { marks } = await lastCell();
    expect(marks.map(([line]) => line)).toEqual(['1', '3']);
    expectClose(marks[0][1] as number, 8e7, 0.02, 'w = np.ones(10**7)');
    expectClose(marks[1][1] as number, -8e7, 0.02, 'del w');
  });
});

test.describe('memory per line in Notebook 7', () => {
  test('a cell run in Notebook 7 gets its marks', async ({ page, tmpPath, baseURL }) => {
    const filePath = `${tmpPath}/nb7-lines.ipynb`;
    await putNotebook(page, filePath, [IMPORT, 'x = np.ones(10**7)\ny = 1']);
    await openInNotebook7(page, baseURL!, filePath, 2);
    for (const i of [0, 1]) {
      await cellOf(page, i).locator('.cm-content').click();
      await page.keyboard.press('Shift+Enter');
      await expect(
        cellOf(page, i).locator(`${BADGE}[data-state="ok"][data-earlier="false"]`)
      ).toHaveCount(1, { timeout: RUN_TIMEOUT });
    }
    await expect(cellOf(page, 1).locator(MARK)).toHaveCount(1, { timeout: 10000 });
    const [mark] = await marksOf(page, 1);
    expect(mark.line).toBe(1);
    expectClose(mark.delta, 8e7, 0.02, 'x = np.ones(10**7)');
  });
});
