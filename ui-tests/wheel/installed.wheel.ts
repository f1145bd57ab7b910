import { expect, test } from '@jupyterlab/galata';

const MIB = 2 ** 20;
const FILLED = 200 * MIB; // b'a' * (200 * 2**20) writes every byte, so every page

test('the installed wheel measures a cell, with no error in the console', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', message => {
    if (message.type() === 'error') {
      errors.push(message.text());
    }
  });
  page.on('pageerror', error => errors.push(String(error)));

  await page.notebook.createNew();
  await page.notebook.setCell(0, 'code', "x = b'a' * (200 * 2**20)");
  await page.notebook.runCell(0);

  const badge = page.locator('.jp-Notebook .jp-Cell').nth(0).locator('.jp-MemoryUsage-badge');
  await expect(badge).toHaveAttribute('data-state', 'ok', { timeout: 60000 });
  // The status bar item shows while a notebook is the current widget.
  await expect(page.locator('.jp-MemoryUsage-status')).toBeVisible();
  const delta = Number(await badge.getAttribute('data-delta'));
  expect(
    Math.abs(delta - FILLED),
    `delta ${(delta / MIB).toFixed(2)} MiB, expected 200.00 MiB within 2%`
  ).toBeLessThanOrEqual(0.02 * FILLED);

  // Measured by the hook that the wheel's server extension loaded into the kernel.
  const kernels = await (await page.request.get('/api/memory-usage/kernels')).json();
  const state = await (
    await page.request.get(`/api/memory-usage/kernels/${kernels.kernels[0].kernel_id}`)
  ).json();
  const record = state.executions.find((r: { execution_count: number }) => r.execution_count === 1);
  expect(record.method).toBe('kernel_hook');
  expect(errors, errors.join('\n')).toEqual([]);
  console.log(`installed wheel: x = b'a' * (200 * 2**20) delta ${(delta / MIB).toFixed(2)} MiB`);
});
