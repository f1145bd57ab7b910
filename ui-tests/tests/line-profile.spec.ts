import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { cellOf, consoleErrors, expectClose, MARK, marksOf, showCellsSection } from './notebooks';

/**
 * Profile Memory by Line against a real kernel: the marks of the profiled run
 * in the cell that ran and in the cell that defined the function it called,
 * the notifications, the timeline, clearing, cancelling; and heap mode's sites.
 */

const BADGE = '.jp-MemoryUsage-badge';
const PROFILE_MARK = `${MARK}.jp-mod-profile`;
const RUN_TIMEOUT = 30000;
const ONES_1E7 = 8e7; // np.ones(10**7): 76.29 MiB

const IMPORT = 'import numpy as np';
const DEFINITION = '\ndef build(n):\n    a = np.ones(n)\n    b = a * 2\n    del a\n    return b';
const PROFILED = 'r = build(10**7)\nfor i in range(3):\n    s = i';

function execute(page: IJupyterLabPageFixture, command: string) {
  return page.evaluate(id => (window as any).jupyterapp.commands.execute(id), command);
}

/** The current notebook's kernel state, as the server sends it. */
async function kernelState(page: IJupyterLabPageFixture) {
  const kernelId = await page.evaluate(
    () => (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel.id
  );
  const response = await page.request.get(`/api/memory-usage/kernels/${kernelId}`);
  return response.json();
}

/** The id of the cell at `index` of the current notebook. */
function cellIdAt(page: IJupyterLabPageFixture, index: number): Promise<string> {
  return page.evaluate(
    i => (window as any).jupyterapp.shell.currentWidget.content.widgets[i].model.id,
    index
  );
}

/** The messages of the notifications shown so far. */
async function notifications(page: IJupyterLabPageFixture): Promise<string[]> {
  const all: { message: string }[] = await page.evaluate(() => (window as any).galata.getNotifications());
  return all.map(n => n.message);
}

/** Run the cell at `index` and wait for its new run's badge to say it ended well. */
async function runAndWait(page: IJupyterLabPageFixture, index: number) {
  const badge = cellOf(page, index).locator(BADGE);
  const before = (await badge.count()) ? await badge.getAttribute('data-msg-id') : null;
  await page.notebook.runCell(index, { inplace: true, wait: false });
  if (before) {
    await expect(badge).not.toHaveAttribute('data-msg-id', before, { timeout: RUN_TIMEOUT });
  }
  await expect(badge).toHaveAttribute('data-state', 'ok', { timeout: RUN_TIMEOUT });
}

/** A new notebook: the import and the definition run, the profiled cell not yet. */
async function threeCells(page: IJupyterLabPageFixture) {
  await page.notebook.createNew(undefined, { kernel: 'python3' });
  await page.notebook.setCell(0, 'code', IMPORT);
  await page.notebook.addCell('code', DEFINITION);
  await page.notebook.addCell('code', PROFILED);
  for (const i of [0, 1]) {
    await runAndWait(page, i);
  }
}

/** Profile the next run of the cell at `index`, as the palette or the context menu would. */
async function armProfile(page: IJupyterLabPageFixture, index: number) {
  await page.notebook.selectCells(index);
  await execute(page, 'memory-usage:profile-lines');
  const cellId = await cellIdAt(page, index);
  await expect.poll(async () => (await kernelState(page)).line_profile_armed, { timeout: 15000 }).toBe(cellId);
}

test.describe('Profile Memory by Line', () => {
  test('marks the lines the profiled run ran, in its cell and in the cell of the function it called', async ({
    page
  }) => {
    const errors = consoleErrors(page);
    await threeCells(page);
    await armProfile(page, 2);
    const backend = (await kernelState(page)).line_profile_backend;
    await expect
      .poll(() => notifications(page))
      .toContainEqual(
        `The next run of this cell is profiled line by line (${backend}). Profiling slows lines down: see the README.`
      );
    expect(
      await page.evaluate(() => (window as any).jupyterapp.commands.isToggled('memory-usage:profile-lines'))
    ).toBe(true);

    await runAndWait(page, 2);
    // The definition's cell: the four lines of `build` that ran, once each.
    await expect(cellOf(page, 1).locator(PROFILE_MARK)).toHaveCount(4, { timeout: 15000 });
    const defined = await marksOf(page, 1);
    expect(defined.map(m => [m.line, m.hits])).toEqual([
      [3, 1],
      [4, 1],
      [5, 1],
      [6, 1]
    ]);
    const [ones, double, del] = defined;
    expectClose(ones.delta, ONES_1E7, 0.03, 'a = np.ones(n)');
    expectClose(double.delta, ONES_1E7, 0.03, 'b = a * 2');
    expectClose(del.delta, -ONES_1E7, 0.03, 'del a');
    expect(ones.text).toMatch(/^\+76\.\d MiB · 1×$/);
    expect(ones.title).toMatch(
      /^line 3: 1 run, \+76\.\d MiB left behind, peaked 76\.\d MiB above its start, \S+ m?s$/
    );
    // The profiled cell: every line it ran, with its runs; the loop's header ran 4 times.
    await expect(cellOf(page, 2).locator(PROFILE_MARK)).toHaveCount(3);
    expect((await marksOf(page, 2)).map(m => [m.line, m.hits])).toEqual([
      [1, 1],
      [2, 4],
      [3, 3]
    ]);
    // No statement marks beside the profile's.
    await expect(cellOf(page, 2).locator(`${MARK}:not(.jp-mod-profile)`)).toHaveCount(0);
    await expect
      .poll(() => notifications(page))
      .toContainEqual(
        expect.stringMatching(/^Profiled \d+ line events; profiling took about \S+ ms of \S+ m?s\. The marks/)
      );

    // The timeline shows the selected cell's profiled lines.
    await page.notebook.selectCells(1);
    await execute(page, 'memory-usage:open-timeline');
    await showCellsSection(page);
    const rows = page.locator('.jp-MemoryUsage-timeline .jp-MemoryUsage-profile-row');
    await expect(rows).toHaveCount(4, { timeout: 15000 });
    expect(await rows.evaluateAll(els => els.map(el => (el as HTMLElement).dataset.line))).toEqual([
      '3',
      '4',
      '5',
      '6'
    ]);
    await expect(rows.nth(0).locator('code')).toHaveText('a = np.ones(n)');

    // The profiled cell runs again: its own run's marks take the profile's place there.
    await runAndWait(page, 2);
    await expect(cellOf(page, 2).locator(PROFILE_MARK)).toHaveCount(0, { timeout: 10000 });
    await expect(cellOf(page, 1).locator(PROFILE_MARK)).toHaveCount(4);
    // Clear Line Profile: the definition's cell has its own run's marks again (none).
    await execute(page, 'memory-usage:clear-line-profile');
    await expect(page.locator(PROFILE_MARK)).toHaveCount(0);
    expect(
      await page.evaluate(() => (window as any).jupyterapp.commands.isEnabled('memory-usage:clear-line-profile'))
    ).toBe(false);
    expect(errors).toEqual([]);
  });

  test('cancelled before the cell runs, it profiles nothing', async ({ page }) => {
    const errors = consoleErrors(page);
    await threeCells(page);
    await armProfile(page, 2);
    await execute(page, 'memory-usage:cancel-line-profile');
    await expect.poll(async () => (await kernelState(page)).line_profile_armed, { timeout: 15000 }).toBeNull();
    // Once the kernel's model has polled the new state.
    await expect
      .poll(() =>
        page.evaluate(() => (window as any).jupyterapp.commands.isEnabled('memory-usage:cancel-line-profile'))
      )
      .toBe(false);
    await runAndWait(page, 2);
    const msgId = await cellOf(page, 2).locator(BADGE).getAttribute('data-msg-id');
    const record = (await kernelState(page)).executions.find((r: any) => r.msg_id === msgId);
    expect(record.line_profile).toBeNull();
    await page.waitForTimeout(500);
    await expect(page.locator(PROFILE_MARK)).toHaveCount(0);
    // The statement marks of the run are there instead: `r = build(10**7)` kept its array.
    expect((await marksOf(page, 2)).map(m => [m.line, m.hits])).toEqual([[1, null]]);
    expect(errors).toEqual([]);
  });
});

test.describe('heap sites', () => {
  test('in heap mode the badge names where the heap grew, and the timeline lists the sites', async ({
    page
  }) => {
    await page.notebook.createNew(undefined, { kernel: 'python3' });
    await page.notebook.setCell(0, 'code', IMPORT);
    await page.notebook.addCell('code', 'x = np.ones(10**7)\nwords = [str(i) for i in range(100_000)]');
    await runAndWait(page, 0);
    await execute(page, 'memory-usage:toggle-heap-mode');
    await expect.poll(async () => (await kernelState(page)).heap_mode, { timeout: 15000 }).toBe(true);
    await runAndWait(page, 1);
    const tooltip = (await cellOf(page, 1).locator(BADGE).getAttribute('title')) ?? '';
    // The array's site (NumPy's own file), then the list's (the cell's line 2);
    // `≈` where the site's small blocks were sampled.
    expect(tooltip, tooltip).toMatch(/\nheap: ≈?\+76\.\d MiB at \S+\.py:\d+, ≈?\+\d+\.\d [KM]iB at cell \[2\] line 2/);
    await page.notebook.selectCells(1);
    await execute(page, 'memory-usage:open-timeline');
    await showCellsSection(page);
    const sites = page.locator('.jp-MemoryUsage-timeline .jp-MemoryUsage-heapSite');
    await expect(sites.first()).toBeVisible({ timeout: 15000 });
    expectClose(Number(await sites.first().getAttribute('data-size')), ONES_1E7, 0.03, 'np.ones(10**7)');
  });
});
