import { expect, test } from '@jupyterlab/galata';

import { showCellsSection } from './notebooks';

const BADGE = '.jp-MemoryUsage-badge';

test.describe('heap mode', () => {
  test('toggled from the palette, it adds the heap figures to badges and timeline', async ({
    page
  }) => {
    await page.notebook.createNew(undefined, { kernel: 'python3' });
    await page.notebook.setCell(0, 'code', 'import numpy as np');
    await page.notebook.addCell('code', 'y = np.ones(10**7)');
    await page.notebook.runCell(0);
    await expect(page.locator('.jp-Notebook .jp-Cell').nth(0).locator(BADGE)).toHaveAttribute(
      'data-state',
      'ok',
      { timeout: 30000 }
    );

    // From the command palette, as a user would.
    await page.keyboard.press('Control+Shift+C');
    await page.locator('.lm-CommandPalette-input').fill('Trace Python Heap');
    await page.locator('.lm-CommandPalette-item', { hasText: 'Trace Python Heap' }).first().click();
    await expect
      .poll(() =>
        page.evaluate(() =>
          (window as any).jupyterapp.commands.isToggled('memory-usage:toggle-heap-mode')
        )
      , { timeout: 15000 })
      .toBe(true);

    await page.notebook.runCell(1);
    const badge = page.locator('.jp-Notebook .jp-Cell').nth(1).locator(BADGE);
    await expect(badge).toHaveAttribute('data-state', 'ok', { timeout: 30000 });
    const heap = Number(await badge.getAttribute('data-heap-delta'));
    expect(Math.abs(heap - 8e7)).toBeLessThan(0.02 * 8e7);
    await expect(badge).toContainText(/heap \+76\.\d MiB/);
    const tooltip = (await badge.getAttribute('title')) ?? '';
    expect(tooltip).toMatch(/used \+7\d\.\d MiB RAM/);
    expect(tooltip).toMatch(/Python heap \(tracemalloc\): \+76\.\d MiB allocated and still held/);

    await page.evaluate(() => (window as any).jupyterapp.commands.execute('memory-usage:open-timeline'));
    await showCellsSection(page);
    // The heap series: a bar for the traced cell.
    await expect(
      page.locator('.jp-MemoryUsage-timeline .jp-MemoryUsage-heapBar .recharts-rectangle').first()
    ).toBeVisible({ timeout: 15000 });

    // Off again: the next run has no heap figures.
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('memory-usage:toggle-heap-mode'));
    await expect
      .poll(() =>
        page.evaluate(() =>
          (window as any).jupyterapp.commands.isToggled('memory-usage:toggle-heap-mode')
        )
      , { timeout: 15000 })
      .toBe(false);
    await page.notebook.runCell(1);
    await expect(badge).toHaveAttribute('data-heap-delta', '', { timeout: 30000 });
  });
});
