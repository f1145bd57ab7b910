import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

const STATUS = '.jp-MemoryUsage-status';
const PLUGIN = 'jupyterlab-memory-usage:status';

async function setStatusSettings(page: IJupyterLabPageFixture, settings: Record<string, unknown>) {
  // Through JupyterLab's own setting registry, as the Settings Editor does.
  await page.evaluate(
    async ({ plugin, values }) => {
      const registry = await (window as any).galata.getPlugin('@jupyterlab/apputils-extension:settings');
      for (const [key, value] of Object.entries(values)) {
        await registry.set(plugin, key, value);
      }
    },
    { plugin: PLUGIN, values: settings }
  );
}

async function notebookWith(page: IJupyterLabPageFixture, sources: string[]) {
  await page.notebook.createNew(undefined, { kernel: 'python3' });
  await page.notebook.setCell(0, 'code', sources[0]);
  for (const source of sources.slice(1)) {
    await page.notebook.addCell('code', source);
  }
}

test.describe('status bar and limit warnings', () => {
  // Galata's kernel mock cannot pass an interrupt or a restart through.
  test.use({ kernels: null });

  test('shows the kernel memory and changes colour at the thresholds', async ({ page }) => {
    await notebookWith(page, ['import numpy as np', 'a = np.ones(10**8)', 'b = a * 2', 'del a, b']);
    await page.notebook.runCell(0);
    const status = page.locator(STATUS);
    await expect(status).toBeVisible();
    await expect(status).toHaveText(/^Kernel \d+\.\d MiB \/ \d+\.\d\d GiB$/);
    const limit = Number(await status.getAttribute('data-limit'));
    expect(limit).toBeGreaterThan(2 ** 30);
    await expect(status).toHaveAttribute('data-level', 'normal');

    // Thresholds set low, relative to this machine's limit: +762.9 MiB crosses
    // the warning one, +1.5 GiB the critical one.
    const rss = Number(await status.getAttribute('data-rss'));
    await setStatusSettings(page, {
      warningThreshold: (rss + 400 * 2 ** 20) / limit,
      criticalThreshold: (rss + 1200 * 2 ** 20) / limit,
      notifyOnWarning: false
    });
    await page.notebook.runCell(1);
    await expect(status).toHaveAttribute('data-level', 'warning', { timeout: 15000 });
    await page.notebook.runCell(2);
    await expect(status).toHaveAttribute('data-level', 'critical', { timeout: 15000 });
    await page.notebook.runCell(3);
    await expect(status).toHaveAttribute('data-level', 'normal', { timeout: 15000 });

    // Clicking it opens the timeline.
    await status.click();
    await expect(page.locator('.jp-MemoryUsage-timeline')).toBeVisible();
  });

  test('warns once when a running cell crosses the warning threshold, and can interrupt it', async ({
    page
  }) => {
    await notebookWith(page, ['import numpy as np, time', 'x = np.ones(10**8)\ntime.sleep(60)']);
    await page.notebook.runCell(0);
    const status = page.locator(STATUS);
    await expect(status).toHaveAttribute('data-limit', /\d+/);
    const limit = Number(await status.getAttribute('data-limit'));
    const rss = Number(await status.getAttribute('data-rss'));
    await setStatusSettings(page, {
      warningThreshold: (rss + 400 * 2 ** 20) / limit,
      criticalThreshold: 0.99,
      notifyOnWarning: true
    });
    // Every limit warning shown, counted as it appears: clicking a toast's
    // button closes it, so the ones on screen at the end say nothing.
    await page.evaluate(() => {
      const seen = new WeakSet<Element>();
      (window as any).__limitWarnings = 0;
      new MutationObserver(() => {
        for (const toast of document.querySelectorAll('.Toastify__toast')) {
          if (!seen.has(toast) && toast.textContent?.includes('limit')) {
            seen.add(toast);
            (window as any).__limitWarnings += 1;
          }
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    void page.notebook.runCell(1);
    const toast = page.locator('.Toastify__toast', { hasText: 'limit' });
    await expect(toast).toHaveCount(1, { timeout: 20000 });
    await expect(toast).toContainText('x = np.ones(10**8)');
    await toast.getByRole('button', { name: 'Interrupt the kernel' }).click();
    const badge = page.locator('.jp-Notebook .jp-Cell').nth(1).locator('.jp-MemoryUsage-badge');
    await expect(badge).toHaveAttribute('data-state', 'error', { timeout: 20000 });
    // Once per execution: no second warning for the same cell, though its
    // memory stayed above the threshold until the interrupt (and the status
    // bar went on polling after it).
    await page.waitForTimeout(3000);
    expect(await page.evaluate(() => (window as any).__limitWarnings)).toBe(1);
  });
});
