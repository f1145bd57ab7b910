import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

const BADGE = '.jp-MemoryUsage-badge';
const TIMELINE = '.jp-MemoryUsage-timeline';
const ROW = '.jp-MemoryUsage-heaviest-row';

const SEED = [
  'import numpy as np',
  'a = np.ones(10**8)',
  'b = a*2',
  'c = np.ones(10**6)',
  'np.ones(3*10**7).sum()',
  'del a, b'
];

async function runSeed(page: IJupyterLabPageFixture) {
  await page.notebook.createNew(undefined, { kernel: 'python3' });
  await page.notebook.setCell(0, 'code', SEED[0]);
  for (const source of SEED.slice(1)) {
    await page.notebook.addCell('code', source);
  }
  await page.notebook.run();
  await expect(page.locator(`${BADGE}[data-state="ok"]`)).toHaveCount(SEED.length, {
    timeout: 60000
  });
}

/** Show one of the panel's sections. */
async function showSection(page: IJupyterLabPageFixture, section: 'timeline' | 'cells') {
  await page.locator(`.jp-MemoryUsage-sectionTab[data-section="${section}"]`).click();
}

async function execute(page: IJupyterLabPageFixture, command: string) {
  await page.evaluate(id => (window as any).jupyterapp.commands.execute(id), command);
}

test.describe('memory timeline', () => {
  test('shows one span per execution and the heaviest cells first', async ({ page }) => {
    await runSeed(page);
    await execute(page, 'memory-usage:open-timeline');
    const timeline = page.locator(TIMELINE);
    await expect(timeline).toBeVisible();
    await expect(timeline).toHaveAttribute('data-executions', String(SEED.length), {
      timeout: 15000
    });
    await expect(timeline.locator('.jp-MemoryUsage-span')).toHaveCount(SEED.length);
    await showSection(page, 'cells');
    const rows = timeline.locator(ROW);
    await expect(rows.first()).toBeVisible();
    // The two 762.9 MiB allocations lead, by peak above start.
    const sources = await rows.locator('code').allTextContents();
    expect(sources.slice(0, 2).sort()).toEqual(['a = np.ones(10**8)', 'b = a*2']);
    const peaks = (await rows.evaluateAll(els =>
      els.map(el => Number((el as HTMLElement).dataset.peakIncrement))
    )) as number[];
    expect([...peaks].sort((x, y) => y - x)).toEqual(peaks);
    expect(Math.abs(peaks[0] - 8e8)).toBeLessThan(0.02 * 8e8);
    // The README's pictures of the panel come from panel-layout.spec.ts.
    await timeline.screenshot({ path: test.info().outputPath('timeline.png') });
  });

  test('clicking a row selects its cell and scrolls to it', async ({ page }) => {
    await runSeed(page);
    await execute(page, 'memory-usage:open-timeline');
    await showSection(page, 'cells');
    const row = page.locator(ROW, { hasText: 'b = a*2' });
    const cellId = await row.getAttribute('data-cell-id');
    await page.notebook.selectCells(0);
    await row.click();
    await expect
      .poll(() =>
        page.evaluate(() => {
          const panel = (window as any).jupyterapp.shell.currentWidget;
          return panel.content.activeCell.model.id;
        })
      )
      .toBe(cellId);
  });

  test('export writes the records that the badges show; clear empties the panel', async ({
    page,
    tmpPath
  }) => {
    await runSeed(page);
    await execute(page, 'memory-usage:open-timeline');
    await execute(page, 'memory-usage:export');
    const csv = await page.evaluate(
      async path => {
        const contents = (window as any).jupyterapp.serviceManager.contents;
        const model = await contents.get(path, { content: true, type: 'file', format: 'text' });
        return model.content as string;
      },
      `${tmpPath}/Untitled.memory-usage.csv`
    );
    const lines = csv.trim().split(/\r\n/);
    const header = lines[0].split(',');
    expect(header.slice(0, 3)).toEqual(['seq', 'msg_id', 'cell_id']);
    const deltaColumn = header.indexOf('delta');
    const badgeDeltas = await page
      .locator(BADGE)
      .evaluateAll(els => els.map(el => (el as HTMLElement).dataset.delta));
    const csvDeltas = lines.slice(1).map(line => line.split(',')[deltaColumn]);
    expect(csvDeltas.sort()).toEqual([...badgeDeltas].sort());

    page.once('dialog', () => undefined);
    void execute(page, 'memory-usage:clear');
    await page.locator('.jp-Dialog .jp-mod-warn').click();
    await expect(page.locator(TIMELINE)).toHaveAttribute('data-executions', '0', {
      timeout: 15000
    });
    await expect(page.locator(BADGE)).toHaveCount(0, { timeout: 15000 });
  });
});
