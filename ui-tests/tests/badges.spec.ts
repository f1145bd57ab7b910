import { expect, galata, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

const MIB = 2 ** 20;
const ONES_1E8 = 8e8; // np.ones(10**8): 762.94 MiB
const BADGE = '.jp-MemoryUsage-badge';

const SEED = [
  'import numpy as np',
  'a = np.ones(10**8)',
  'b = a * 2',
  'np.ones(10**8).sum()',
  'del a, b'
];

async function notebookWith(page: IJupyterLabPageFixture, sources: string[]) {
  await page.notebook.createNew(undefined, { kernel: 'python3' });
  await page.notebook.setCell(0, 'code', sources[0]);
  for (const source of sources.slice(1)) {
    await page.notebook.addCell('code', source);
  }
}

/** The badge of the cell at `index`, found through the cell's own node. */
function badgeOf(page: IJupyterLabPageFixture, index: number) {
  return page.locator('.jp-Notebook .jp-Cell').nth(index).locator(BADGE);
}

async function numberAttr(
  page: IJupyterLabPageFixture,
  index: number,
  name: string
): Promise<number> {
  return Number(await badgeOf(page, index).getAttribute(`data-${name}`));
}

function expectClose(actual: number, expected: number, rel: number, what: string) {
  expect(
    Math.abs(actual - expected),
    `${what}: ${(actual / MIB).toFixed(2)} MiB, expected ${(expected / MIB).toFixed(2)} MiB`
  ).toBeLessThanOrEqual(rel * Math.abs(expected));
}

test.describe('memory badges', () => {
  test('the seed examples give exact badges', async ({ page }) => {
    await notebookWith(page, SEED);
    await page.notebook.run();
    for (let i = 0; i < SEED.length; i++) {
      await expect(badgeOf(page, i)).toHaveAttribute('data-state', 'ok', {
        timeout: 30000
      });
    }
    expectClose(await numberAttr(page, 1, 'delta'), ONES_1E8, 0.02, 'a = np.ones(10**8)');
    expectClose(await numberAttr(page, 1, 'peak-increment'), ONES_1E8, 0.02, 'peak of a');
    expectClose(await numberAttr(page, 2, 'delta'), ONES_1E8, 0.02, 'b = a * 2');
    expect(Math.abs(await numberAttr(page, 3, 'delta'))).toBeLessThan(16 * MIB);
    expectClose(await numberAttr(page, 3, 'peak-increment'), ONES_1E8, 0.02, 'peak of np.ones(10**8).sum()');
    expectClose(await numberAttr(page, 4, 'delta'), -2 * ONES_1E8, 0.02, 'del a, b');
    expect(await numberAttr(page, 4, 'rss')).toBeGreaterThan(0);
    expect(await numberAttr(page, 1, 'duration')).toBeGreaterThan(0);
    // The compact line and the full sentence.
    await expect(badgeOf(page, 1)).toContainText(/\+76\d\.\d MiB · peak \+76\d\.\d MiB · /);
    expect(await badgeOf(page, 1).getAttribute('title')).toMatch(/used \+76\d\.\d MiB RAM/);
  });

  test('a running cell shows live figures, then its result', async ({ page }) => {
    await notebookWith(page, [
      'import numpy as np, time',
      'x = np.ones(10**8)\ntime.sleep(8)'
    ]);
    await page.notebook.runCell(0);
    // Galata's run ends when the status bar says Idle: awaited at the end, so
    // that it does not outlive the test.
    const run = page.notebook.runCell(1);
    const badge = badgeOf(page, 1);
    await expect(badge).toHaveAttribute('data-state', 'running', { timeout: 10000 });
    await expect
      // Filling 762.94 MiB takes 0.1 s here, or seconds when the machine is busy.
      .poll(async () => Number(await badge.getAttribute('data-delta')), { timeout: 30000 })
      .toBeGreaterThan(0.95 * ONES_1E8);
    const liveDuration = Number(await badge.getAttribute('data-duration'));
    await page.waitForTimeout(1200);
    // Live: at least two updates a second.
    expect(Number(await badge.getAttribute('data-duration'))).toBeGreaterThan(liveDuration + 0.5);
    await expect(badge).toHaveAttribute('data-state', 'ok', { timeout: 30000 });
    expectClose(Number(await badge.getAttribute('data-delta')), ONES_1E8, 0.02, 'x');
    await run;
  });

  test('toggling from the palette hides the badges and stops the polling', async ({ page }) => {
    await notebookWith(page, ['import numpy as np', 'y = np.ones(10**7)']);
    await page.notebook.run();
    await expect(page.locator(BADGE)).toHaveCount(2, { timeout: 30000 });

    await page.evaluate(() => (window as any).jupyterapp.commands.execute('memory-usage:toggle-badges'));
    await expect(page.locator(BADGE)).toHaveCount(0);
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('memory-usage:toggle-badges'));
    await expect(page.locator(BADGE)).toHaveCount(2);

    const polls: string[] = [];
    page.on('request', request => {
      if (/\/api\/memory-usage\/kernels\/[^/?]+/.test(request.url())) {
        polls.push(request.url());
      }
    });
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('memory-usage:toggle-monitoring'));
    await page.waitForTimeout(500);
    polls.length = 0;
    await page.notebook.runCell(1);
    await page.waitForTimeout(6000);
    expect(polls).toEqual([]);
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('memory-usage:toggle-monitoring'));
    await expect.poll(() => polls.length, { timeout: 10000 }).toBeGreaterThan(0);
  });
});
