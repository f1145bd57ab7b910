import { expect, test } from '@jupyterlab/galata';

const MIB = 2 ** 20;
const ONES_1E8 = 8e8; // np.ones(10**8): 762.94 MiB
const BADGE = '.jp-MemoryUsage-badge';

// Galata's kernel fixture watches the kernels' websockets; behind a gateway the
// server's own bridge reconnects to it, and the cells must reach the real kernel.
test.use({ kernels: null });

test('badges of a kernel behind a gateway, exact in Run All (the hook sent to it)', async ({ page, request }) => {
  await page.notebook.createNew(undefined, { kernel: 'python3' });
  const sources = ['import numpy as np', 'x = np.ones(10**8)', 'y = x * 2', 'del x'];
  await page.notebook.setCell(0, 'code', sources[0]);
  for (const source of sources.slice(1)) {
    await page.notebook.addCell('code', source);
  }
  // The server loads its hook into the remote kernel once the kernel has answered.
  await expect
    .poll(
      async () => {
        const kernels = (await (await request.get('/api/memory-usage/kernels')).json()).kernels;
        return kernels.length === 1 ? kernels[0].hook : null;
      },
      { timeout: 120000 }
    )
    .toBe('active');
  // Run All: back to back, each cell's start and end the hook's own.
  await page.notebook.run();

  const badge = (index: number) => page.locator('.jp-Notebook .jp-Cell').nth(index).locator(BADGE);
  await expect(page.locator(`${BADGE}[data-state="ok"]`)).toHaveCount(sources.length, { timeout: 120000 });
  const deltas = [];
  for (const [index, expected] of [
    [1, ONES_1E8],
    [2, ONES_1E8],
    [3, -ONES_1E8]
  ]) {
    const delta = Number(await badge(index).getAttribute('data-delta'));
    deltas.push(delta);
    expect(
      Math.abs(delta - expected),
      `${sources[index]}: ${(delta / MIB).toFixed(2)} MiB, expected ${(expected / MIB).toFixed(2)} MiB within 2%`
    ).toBeLessThanOrEqual(0.02 * ONES_1E8);
  }

  // The server read it through the gateway, not from a local process, and by the hook.
  const kernels = await (await request.get('/api/memory-usage/kernels')).json();
  expect(kernels.kernels[0]).toMatchObject({ pid: null, method: 'usage_request', reason: null, hook: 'active' });
  const state = await (await request.get(`/api/memory-usage/kernels/${kernels.kernels[0].kernel_id}`)).json();
  const record = state.executions.find((r: { execution_count: number }) => r.execution_count === 2);
  expect(record.method).toBe('kernel_hook_remote');
  console.log(`gateway badges, Run All: ${deltas.map(d => (d / MIB).toFixed(2)).join(', ')} MiB`);
});
