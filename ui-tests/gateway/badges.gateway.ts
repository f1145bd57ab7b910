import { expect, test } from '@jupyterlab/galata';

const MIB = 2 ** 20;
const ONES_1E8 = 8e8; // np.ones(10**8): 762.94 MiB
const BADGE = '.jp-MemoryUsage-badge';

// Galata's kernel fixture watches the kernels' websockets; behind a gateway the
// server's own bridge reconnects to it, and the cells must reach the real kernel.
test.use({ kernels: null });

test('badges of a kernel behind a gateway, read through usage_request', async ({ page, request }) => {
  await page.notebook.createNew();
  await page.notebook.setCell(0, 'code', 'import numpy as np');
  await page.notebook.addCell('code', 'x = np.ones(10**8)');
  // One cell at a time. Run All is not measured exactly behind a gateway: the
  // start of a cell that follows another at once is the kernel's first answer
  // after its busy, which can come after part of the allocation (see the README).
  await page.notebook.runCell(0);
  await page.notebook.runCell(1);

  const badge = page.locator('.jp-Notebook .jp-Cell').nth(1).locator(BADGE);
  await expect(badge).toHaveAttribute('data-state', 'ok', { timeout: 60000 });
  // kernel_memory is the PSS of the kernel and its children: within 10% of the array.
  const delta = Number(await badge.getAttribute('data-delta'));
  expect(
    Math.abs(delta - ONES_1E8),
    `delta ${(delta / MIB).toFixed(2)} MiB, expected 762.94 MiB within 10%`
  ).toBeLessThanOrEqual(0.1 * ONES_1E8);
  expect(Number(await badge.getAttribute('data-peak-increment'))).toBeGreaterThanOrEqual(delta);

  // The server really read it through the gateway, not from a local process.
  const kernels = await (await request.get('/api/memory-usage/kernels')).json();
  expect(kernels.kernels.length).toBe(1);
  expect(kernels.kernels[0]).toMatchObject({ pid: null, method: 'usage_request', reason: null });
  const state = await (await request.get(`/api/memory-usage/kernels/${kernels.kernels[0].kernel_id}`)).json();
  const record = state.executions.find((r: { execution_count: number }) => r.execution_count === 2);
  expect(record.method).toBe('usage_request_sampled');
  console.log(`gateway badge: x = np.ones(10**8) delta ${(delta / MIB).toFixed(2)} MiB`);
});
