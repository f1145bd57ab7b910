import { expect, test } from '@jupyterlab/galata';

const BADGE = '.jp-MemoryUsage-badge';

test.describe('badges from an earlier session', () => {
  // Real kernels and sessions: the kernel is shut down for real.
  test.use({ kernels: null, sessions: null });

  test('a notebook reopened after its kernel is gone shows its last runs, marked', async ({
    page
  }) => {
    await page.notebook.createNew(undefined, { kernel: 'python3' });
    await page.notebook.setCell(0, 'code', 'import numpy as np');
    await page.notebook.addCell('code', 'a = np.ones(10**7)');
    await page.notebook.run();
    const badge = page.locator('.jp-Notebook .jp-Cell').nth(1).locator(BADGE);
    await expect(badge).toHaveAttribute('data-state', 'ok', { timeout: 30000 });
    const delta = Number(await badge.getAttribute('data-delta'));
    expect(Math.abs(delta - 8e7)).toBeLessThan(0.02 * 8e7);
    await expect(badge).toHaveAttribute('data-earlier', 'false');
    await page.notebook.save();

    // Shut the kernel down, as a server restart would, then open the notebook again.
    const kernelId = await page.evaluate(
      () => (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel.id
    );
    const response = await page.request.delete(`/api/kernels/${kernelId}`);
    expect(response.status()).toBe(204);
    await page.reload({ waitForIsReady: false });

    const again = page.locator('.jp-Notebook .jp-Cell').nth(1).locator(BADGE);
    await expect(again).toHaveAttribute('data-earlier', 'true', { timeout: 30000 });
    expect(Number(await again.getAttribute('data-delta'))).toBe(delta);
    expect(await again.getAttribute('title')).toMatch(/From an earlier session/);
    await expect(page.locator('.jp-Notebook .jp-Cell').nth(0).locator(BADGE)).toHaveAttribute(
      'data-earlier',
      'true'
    );
  });
});
