import { expect, test } from '@jupyterlab/galata';

import { cellId, consoleErrors } from './notebooks';

/**
 * A notebook run headless (`jupyter memory-usage execute`, papermill) carries
 * each cell's figures in its metadata: opened in JupyterLab, before anything
 * runs here, its cells show them, marked as from that run.
 */
const BADGE = '.jp-MemoryUsage-badge';
const MIB = 2 ** 20;

/** What headless.py writes into a cell's metadata for `a = np.ones(10**8)`. */
function headlessFigures(executionCount: number, delta: number, peak: number) {
  return {
    cell_id: cellId(executionCount - 1),
    execution_count: executionCount,
    status: 'ok',
    started: 1796227276,
    ended: 1796227279,
    duration: 3.07,
    rss_start: 62 * MIB,
    rss_end: 62 * MIB + delta,
    rss_peak: 62 * MIB + peak,
    delta,
    peak_increment: peak,
    method: 'kernel_hook',
    pid: 4242,
    exit_code: null,
    exit_signal: null,
    died_reason: null,
    oom_kills: null,
    heap_delta: null,
    heap_peak_increment: null,
    statements: [{ line: 1, end_line: 1, delta, peak_increment: peak, duration: 3.07, rss_end: 62 * MIB + delta }],
    headless: { run_started: '2026-12-02T16:01:16+00:00', runner: 'papermill' }
  };
}

test('a headless run’s figures show as badges until the cell runs here', async ({ page, tmpPath }) => {
  const errors = consoleErrors(page);
  const sources = ['import numpy as np', 'a = np.ones(10**8)', 'np.ones(10**8).sum()', 'n = 1'];
  const metadata = [headlessFigures(1, 9 * MIB, 9 * MIB), headlessFigures(2, 8e8, 8e8), headlessFigures(3, 0, 8e8), {}];
  const content = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
    cells: sources.map((source, i) => ({
      id: cellId(i),
      cell_type: 'code',
      source,
      metadata: i < 3 ? { memory_usage: metadata[i] } : {},
      outputs: [],
      execution_count: i < 3 ? i + 1 : null
    }))
  };
  const response = await page.request.put(`/api/contents/${tmpPath}/headless.ipynb`, {
    data: { type: 'notebook', format: 'json', content }
  });
  expect(response.ok()).toBeTruthy();
  await page.notebook.openByPath(`${tmpPath}/headless.ipynb`);
  await page.notebook.activate('headless.ipynb');

  const badge = (index: number) => page.locator('.jp-Notebook .jp-Cell').nth(index).locator(BADGE);
  await expect(badge(1)).toHaveAttribute('data-headless', 'true', { timeout: 30000 });
  await expect(badge(1)).toHaveAttribute('data-earlier', 'true');
  expect(Number(await badge(1).getAttribute('data-delta'))).toBe(8e8);
  await expect(badge(1)).toHaveText('+762.9 MiB · peak +762.9 MiB · 3.07 s · 824.9 MiB');
  expect(await badge(1).getAttribute('title')).toMatch(/From a headless run on .+ \(papermill\)\./);
  await expect(badge(2)).toHaveText(/peak \+762\.9 MiB/);
  // A cell without figures has no badge; the line marks come with the statements.
  await expect(badge(3)).toHaveCount(0);
  await expect(page.locator('.jp-Notebook .jp-Cell').nth(1).locator('.jp-MemoryUsage-line')).toHaveCount(1);

  // Run here, a cell's own figures replace the headless ones.
  await page.notebook.runCell(0);
  await expect(badge(0)).toHaveAttribute('data-headless', 'false', { timeout: 30000 });
  await expect(badge(0)).toHaveAttribute('data-state', 'ok');
  await expect(badge(1)).toHaveAttribute('data-headless', 'true');
  expect(errors).toEqual([]);
});
