/**
 * What several UI tests share: notebooks written through the contents API, a
 * windowed notebook's settings, Notebook 7, the marks beside a cell's lines,
 * the page's console errors, and figures compared within a tolerance.
 */
import { expect, galata, IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';

const MIB = 2 ** 20;

/** The seed's examples (the demo notebook's cells before its final `del`). */
export const SEED_EXAMPLES = [
  'import numpy as np',
  'a = np.ones(10**8)',
  'b = a * 2',
  'np.ones(10**8).sum()',
  'c = a[:2*10**7] * 2 + a[:2*10**7] * 3',
  'np.ones(3 * 10**7).sum()'
];

/** A line mark: a statement's, or a line profile's (`jp-mod-profile`). */
export const MARK = '.jp-MemoryUsage-line';

export interface IMarkView {
  line: number;
  endLine: number;
  delta: number;
  peak: number | null;
  text: string;
  title: string;
  edited: boolean;
  /** A line profile's mark: how many times the line ran; null on a statement's. */
  hits: number | null;
}

/** The cell at `index` among those drawn. */
export function cellOf(page: Page, index: number) {
  return page.locator('.jp-Notebook .jp-Cell').nth(index);
}

/** The marks inside the node of the cell at `index`, in the order of their lines. */
export async function marksOf(page: Page, index: number): Promise<IMarkView[]> {
  const marks = await cellOf(page, index)
    .locator(MARK)
    .evaluateAll(nodes =>
      nodes.map(node => {
        const data = (node as HTMLElement).dataset;
        return {
          line: Number(data.line),
          endLine: Number(data.endLine),
          delta: Number(data.delta),
          peak: data.peakIncrement ? Number(data.peakIncrement) : null,
          text: node.textContent ?? '',
          title: node.getAttribute('title') ?? '',
          edited: node.classList.contains('jp-mod-edited'),
          hits: node.classList.contains('jp-mod-profile') ? Number(data.hits) : null
        };
      })
    );
  return marks.sort((a, b) => a.line - b.line);
}

/** Run a JupyterLab command, as the palette would. */
export async function command(page: Page, id: string, args: object = {}) {
  await page.evaluate(([id, args]) => (window as any).jupyterapp.commands.execute(id, args), [id, args] as const);
}

/** The id of the current notebook's active cell. */
export async function activeCellId(page: Page): Promise<string> {
  return page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.content.activeCell.model.id);
}

/**
 * Write `sources` as a notebook at `filePath`, run its first `run` cells (all by
 * default; the rest stay unrun), and open the memory panel once they are measured.
 */
export async function runInPanel(page: IJupyterLabPageFixture, filePath: string, sources: string[], run = sources.length) {
  await putNotebook(page, filePath, sources);
  await page.notebook.openByPath(filePath);
  await page.notebook.activate(filePath.split('/').pop()!);
  if (run < sources.length) {
    await page.notebook.selectCells(run);
    await command(page, 'notebook:run-all-above');
  } else {
    await page.notebook.run();
  }
  await expect(page.locator('.jp-MemoryUsage-badge[data-state="ok"]')).toHaveCount(run, { timeout: 90000 });
  await command(page, 'memory-usage:open-timeline');
  await expect(page.locator('.jp-MemoryUsage-timeline')).toHaveAttribute('data-executions', String(run), {
    timeout: 20000
  });
}

/** Console errors of the page, from now on. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', message => {
    if (message.type() === 'error') {
      errors.push(message.text());
    }
  });
  page.on('pageerror', error => errors.push(String(error)));
  return errors;
}

/** Cell ids of the notebooks `putNotebook` writes (nbformat 4.5). */
export const cellId = (i: number) => `cell-${i}`;

const PYTHON3 = { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' };

/** Write a notebook through the contents API; its cells have the ids `cell-{i}`. */
export async function putNotebook(page: Page, filePath: string, sources: string[], kernelspec = PYTHON3) {
  const content = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec },
    cells: sources.map((source, i) => ({
      id: cellId(i),
      cell_type: 'code',
      source,
      metadata: {},
      outputs: [],
      execution_count: null
    }))
  };
  const response = await page.request.put(`/api/contents/${filePath}`, {
    data: { type: 'notebook', format: 'json', content }
  });
  expect(response.ok(), await response.text()).toBeTruthy();
}

/**
 * Settings for a notebook windowed in full: only the cells in the viewport
 * are in the DOM; the others are placeholders until first drawn, and
 * detached again when scrolled away.
 */
export const WINDOWED_SETTINGS = {
  ...galata.DEFAULT_SETTINGS,
  '@jupyterlab/notebook-extension:tracker': {
    ...(galata.DEFAULT_SETTINGS['@jupyterlab/notebook-extension:tracker'] as object),
    windowingMode: 'full'
  }
};

/** Open a notebook of `cells` cells in Notebook 7, and wait for its kernel to be idle. */
export async function openInNotebook7(page: Page, baseURL: string, filePath: string, cells: number) {
  // The frame's own goto: galata's page.goto waits for JupyterLab's Launcher.
  await page.mainFrame().goto(`${baseURL}/notebooks/${filePath}`);
  await expect(page.locator('.jp-Notebook .jp-Cell')).toHaveCount(cells, { timeout: 20000 });
  // Wait for the notebook's kernel to be ready before running anything.
  await expect
    .poll(
      async () => {
        const sessions = await (await page.request.get('/api/sessions')).json();
        const session = sessions.find((s: any) => s.path === filePath);
        return session?.kernel?.execution_state;
      },
      { timeout: 30000 }
    )
    .toBe('idle');
}

/** Within `rel` of `expected`; says both in MiB otherwise. */
export function expectClose(actual: number | null, expected: number, rel: number, what: string) {
  expect(actual, `${what}: no figure`).not.toBeNull();
  expect(
    Math.abs((actual as number) - expected),
    `${what}: ${((actual as number) / MIB).toFixed(2)} MiB, expected ${(expected / MIB).toFixed(2)} MiB`
  ).toBeLessThanOrEqual(rel * Math.abs(expected));
}

/** The memory panel's Cells section (bars, cells table, the selected cell's details), the panel open. */
export async function showCellsSection(page: Page) {
  await page.locator('.jp-MemoryUsage-sectionTab[data-section="cells"]').click();
}
