import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

import { cellId, expectClose, openInNotebook7, putNotebook, WINDOWED_SETTINGS } from './notebooks';

/**
 * How the badges behave when cells move, are copied, are drawn lazily, when
 * the page reloads, when the kernel restarts, and in Notebook 7. No mocks: a
 * real server, kernel and extension.
 */

const MIB = 2 ** 20;
const BADGE = '.jp-MemoryUsage-badge';
const RUN_TIMEOUT = 30000;

/** np.ones(n) holds 8 bytes an element. */
const ONES = (n: number) => 8 * n;

interface ICellView {
  index: number;
  id: string;
  source: string;
  /** How many badges the cell's node holds. */
  badges: number;
  state: string | null;
  delta: number | null;
  msgId: string | null;
  stale: string | null;
  /** Whether the badge sits between the cell's input and its outputs. */
  placed: boolean;
  /**
   * Whether the cell is drawn. A windowed notebook draws only the cells near
   * the viewport: the others are placeholders until first drawn, and once
   * scrolled away they are detached, their input taken out of the DOM.
   */
  drawn: boolean;
}

async function notebookWith(page: IJupyterLabPageFixture, sources: string[]) {
  await page.notebook.createNew(undefined, { kernel: 'python3' });
  await page.notebook.setCell(0, 'code', sources[0]);
  for (const source of sources.slice(1)) {
    await page.notebook.addCell('code', source);
  }
}

/** The badge of the cell at `index`, found through the cell's own node. */
function badgeOf(page: Page, index: number) {
  return page.locator('.jp-Notebook .jp-Cell').nth(index).locator(BADGE);
}

/** What the active notebook's cells are and what their nodes show. */
async function cellViews(page: Page): Promise<ICellView[]> {
  return page.evaluate(badgeSelector => {
    const notebook = (window as any).jupyterapp.shell.currentWidget.content;
    return notebook.widgets.map((cell: any, index: number) => {
      const badges = cell.node.querySelectorAll(badgeSelector);
      const badge = badges[0] as HTMLElement | undefined;
      const delta = badge?.dataset.delta;
      const input = cell.node.querySelector('.jp-Cell-inputWrapper');
      const output = cell.node.querySelector('.jp-Cell-outputWrapper');
      const follows = (a: Node, b: Node) =>
        (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
      const placed =
        !!badge && !!input && follows(input, badge) && (!output || follows(badge, output));
      return {
        index,
        id: cell.model.id,
        source: cell.model.sharedModel.getSource(),
        badges: badges.length,
        state: badge?.dataset.state ?? null,
        delta: delta ? Number(delta) : null,
        msgId: badge?.dataset.msgId ?? null,
        stale: badge?.dataset.stale ?? null,
        placed,
        drawn: cell.isAttached && !cell.isPlaceholder()
      };
    });
  }, BADGE);
}

async function execute(page: Page, command: string, args: object = {}) {
  await page.evaluate(
    ({ command, args }) => (window as any).jupyterapp.commands.execute(command, args),
    { command, args }
  );
}

/** Wait until each cell of the active notebook has a finished (`ok`) badge. */
async function waitForOkBadges(page: Page, count: number) {
  for (let i = 0; i < count; i++) {
    await expect(badgeOf(page, i)).toHaveAttribute('data-state', 'ok', { timeout: RUN_TIMEOUT });
  }
}

/** Restart the kernel through the notebook's command, accepting its dialog. */
async function restartKernel(page: Page) {
  // The command resolves only once the dialog is answered: do not wait for it here.
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('notebook:restart-kernel');
  });
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
}

const IMPORT = 'import numpy as np';
const M1 = 'm1 = np.ones(10**7)';
const M2 = 'm2 = np.ones(3*10**7)';

/** The delta each of the three cells above must show. */
function checkThreeCells(views: ICellView[]) {
  for (const view of views) {
    expect(view.badges, `badges on "${view.source}"`).toBe(1);
    expect(view.placed, `badge of "${view.source}" between input and output`).toBe(true);
    expect(view.state, `state of "${view.source}"`).toBe('ok');
    switch (view.source) {
      case IMPORT:
        expect(view.delta, 'import numpy').toBeLessThan(64 * MIB);
        break;
      case M1:
        expectClose(view.delta, ONES(10 ** 7), 0.02, M1);
        break;
      case M2:
        expectClose(view.delta, ONES(3 * 10 ** 7), 0.02, M2);
        break;
      default:
        throw new Error(`unexpected cell "${view.source}"`);
    }
  }
}

test.describe('badges follow their cells', () => {
  test('a moved cell keeps its badge', async ({ page }) => {
    await notebookWith(page, [IMPORT, M1, M2]);
    await page.notebook.run();
    await waitForOkBadges(page, 3);
    const before = await cellViews(page);
    checkThreeCells(before);

    await page.notebook.selectCells(2);
    await execute(page, 'notebook:move-cell-up');

    await expect
      .poll(async () => (await cellViews(page)).map(v => v.source))
      .toEqual([IMPORT, M2, M1]);
    const after = await cellViews(page);
    checkThreeCells(after);
    // The very same records, on the very same cells.
    for (const view of after) {
      const earlier = before.find(v => v.id === view.id)!;
      expect(view.msgId).toBe(earlier.msgId);
    }
  });

  test('a cut and pasted cell is the same cell; a copy has no badge', async ({ page }) => {
    await notebookWith(page, [IMPORT, M1, M2]);
    await page.notebook.run();
    await waitForOkBadges(page, 3);
    const before = await cellViews(page);

    // Cut the last cell and paste it below the first one.
    await page.notebook.selectCells(2);
    await execute(page, 'notebook:cut-cell');
    await expect.poll(async () => (await cellViews(page)).length).toBe(2);
    await page.notebook.selectCells(0);
    await execute(page, 'notebook:paste-cell-below');
    await expect
      .poll(async () => (await cellViews(page)).map(v => v.source))
      .toEqual([IMPORT, M2, M1]);
    let views = await cellViews(page);
    // JupyterLab keeps a code cell's id through cut and paste: it is the same cell.
    expect(views[1].id).toBe(before[2].id);
    await expect.poll(async () => (await cellViews(page))[1].badges).toBe(1);
    views = await cellViews(page);
    checkThreeCells(views);
    expect(views[1].msgId).toBe(before[2].msgId);

    // Copy the m1 cell and paste it at the end: a new cell, never run.
    await page.notebook.selectCells(2);
    await execute(page, 'notebook:copy-cell');
    await execute(page, 'notebook:paste-cell-below');
    await expect
      .poll(async () => (await cellViews(page)).map(v => v.source))
      .toEqual([IMPORT, M2, M1, M1]);
    views = await cellViews(page);
    expect(views[3].id).not.toBe(views[2].id);
    expect(views[3].badges).toBe(0);
    checkThreeCells(views.slice(0, 3));
    expect(views[2].msgId).toBe(before[1].msgId);
  });

  test('a badge made while the outputs are collapsed still sits above them', async ({
    page
  }) => {
    await notebookWith(page, [IMPORT, 'np.ones(10**7).sum()']);
    await page.notebook.run();
    await waitForOkBadges(page, 2);
    await page.notebook.selectCells(1);
    await execute(page, 'notebook:hide-cell-outputs');
    // Badges off and on again: they are made anew, the outputs still collapsed.
    await execute(page, 'memory-usage:toggle-badges');
    await expect(page.locator(BADGE)).toHaveCount(0);
    await execute(page, 'memory-usage:toggle-badges');
    await expect(page.locator(BADGE)).toHaveCount(2);
    const views = await cellViews(page);
    expect(views.map(v => v.placed)).toEqual([true, true]);
  });

  test('a copy of a running cell shows no running badge', async ({ page }) => {
    await notebookWith(page, ['import time; time.sleep(5)']);
    // In place: Shift+Enter on the last cell would add a cell below.
    await page.notebook.runCell(0, { inplace: true, wait: false });
    await expect(badgeOf(page, 0)).toHaveAttribute('data-state', 'running', {
      timeout: 10000
    });

    await page.notebook.selectCells(0);
    await execute(page, 'notebook:copy-cell');
    await execute(page, 'notebook:paste-cell-below');
    await expect.poll(async () => (await cellViews(page)).length).toBe(2);
    // Record any badge that ever shows on the copy while the original runs.
    await page.evaluate(badgeSelector => {
      const notebook = (window as any).jupyterapp.shell.currentWidget.content;
      const copy = notebook.widgets[1].node as HTMLElement;
      const w = window as any;
      w.__copyBadges = copy.querySelectorAll(badgeSelector).length;
      new MutationObserver(() => {
        w.__copyBadges = Math.max(w.__copyBadges, copy.querySelectorAll(badgeSelector).length);
      }).observe(copy, { childList: true, subtree: true });
    }, BADGE);

    const views = await cellViews(page);
    expect(views[1].id).not.toBe(views[0].id);
    expect(views[0].state).toBe('running');
    // The original keeps updating live, then finishes; the copy never gets a badge.
    await expect(badgeOf(page, 0)).toHaveAttribute('data-state', 'ok', { timeout: 15000 });
    expect(await page.evaluate(() => (window as any).__copyBadges)).toBe(0);
    expect((await cellViews(page))[1].badges).toBe(0);
  });
});

test.describe('a windowed notebook', () => {
  // 'full': only the cells in the viewport are in the DOM; the others are
  // placeholders until first drawn, and detached again when scrolled away.
  test.use({ mockSettings: WINDOWED_SETTINGS });

  const COUNT = 100;
  const sources = Array.from({ length: COUNT }, (_, i) => {
    if (i === 0) {
      return 'import numpy as np\nv0 = 0';
    }
    return i % 10 === 0 ? `v${i} = ${i}\na${i} = np.ones(10**6)` : `v${i} = ${i}`;
  });

  /** What is wrong with the drawn cells; empty when all is right. */
  function problems(views: ICellView[]): string[] {
    const found: string[] = [];
    for (const view of views.filter(v => v.drawn)) {
      const i = view.index;
      const what = `cell ${i}`;
      if (view.id !== cellId(i)) {
        found.push(`${what}: id ${view.id}`);
      } else if (view.badges !== 1) {
        found.push(`${what}: ${view.badges} badges`);
      } else if (!view.placed) {
        found.push(`${what}: badge not between input and output`);
      } else if (view.state !== 'ok' || view.delta === null) {
        found.push(`${what}: state ${view.state}, delta ${view.delta}`);
      } else if (i > 0 && i % 10 === 0) {
        if (Math.abs(view.delta - ONES(10 ** 6)) > 0.05 * ONES(10 ** 6)) {
          found.push(`${what}: delta ${(view.delta / MIB).toFixed(2)} MiB, expected 7.63 MiB`);
        }
      } else if (i > 0 && Math.abs(view.delta) >= MIB) {
        found.push(`${what}: delta ${(view.delta / MIB).toFixed(2)} MiB, expected < 1 MiB`);
      }
    }
    return found;
  }

  async function scrollTo(page: Page, index: number) {
    await page.evaluate(async i => {
      const notebook = (window as any).jupyterapp.shell.currentWidget.content;
      await notebook.scrollToItem(i, 'center');
    }, index);
  }

  test('every drawn cell has exactly one right badge, after scrolling both ways', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(120000);
    const filePath = `${tmpPath}/windowed.ipynb`;
    await putNotebook(page, filePath, sources);
    await page.notebook.openByPath(filePath);
    await page.notebook.activate('windowed.ipynb');
    expect(
      await page.evaluate(
        () => (window as any).jupyterapp.shell.currentWidget.content.notebookConfig.windowingMode
      )
    ).toBe('full');
    await page.notebook.run();

    const drawnAt = async (index: number) => {
      await scrollTo(page, index);
      await expect
        .poll(async () => {
          const views = await cellViews(page);
          return { near: views[index].drawn, problems: problems(views) };
        }, { timeout: 15000 })
        .toEqual({ near: true, problems: [] });
      return (await cellViews(page)).filter(v => v.drawn).map(v => v.index);
    };
    const drawnFirst = await drawnAt(COUNT - 1);
    const drawnBack = await drawnAt(0);
    const drawnAgain = await drawnAt(COUNT / 2);
    // The notebook really is windowed: not every cell is drawn at once.
    for (const drawn of [drawnFirst, drawnBack, drawnAgain]) {
      expect(drawn.length).toBeGreaterThan(0);
      expect(drawn.length).toBeLessThan(COUNT);
    }
    // Every cell was drawn at some point: together the three views cover
    // the start, the middle and the end.
    expect(drawnFirst).toContain(COUNT - 1);
    expect(drawnBack).toContain(0);
    expect(drawnAgain).toContain(COUNT / 2);
  });
});

test.describe('badges outlive the page and the kernel process', () => {
  // Galata's kernels mock answers every POST under /api/kernels with 201,
  // restart included, and JupyterLab then takes the restart for a failure and
  // never reconnects (no cell runs afterwards). Let those calls reach the
  // server unmocked; the sessions fixture still shuts the kernels down.
  test.use({ kernels: null });

  test('after a reload the badges come back with the same figures', async ({ page }) => {
    await notebookWith(page, [IMPORT, M1, M2]);
    await page.notebook.run();
    await waitForOkBadges(page, 3);
    await page.notebook.save();
    const snapshot = () =>
      page.locator(`.jp-Notebook .jp-Cell ${BADGE}`).evaluateAll(nodes =>
        nodes.map(node => ({
          ...(node as HTMLElement).dataset,
          title: node.getAttribute('title'),
          text: node.textContent
        }))
      );
    const before = await snapshot();
    expect(before).toHaveLength(3);

    // Galata's own readiness check waits for the Launcher tab to be active,
    // which it is not: the restored notebook is.
    await page.reload({ waitForIsReady: false });
    await expect(page.locator('.jp-NotebookPanel')).toHaveCount(1, { timeout: 20000 });
    await expect.poll(snapshot, { timeout: 20000 }).toEqual(before);
    checkThreeCells(await cellViews(page));
  });

  test('a kernel restart leaves stale badges; a new run gives a fresh one', async ({
    page
  }) => {
    await notebookWith(page, [IMPORT, M1]);
    await page.notebook.run();
    await waitForOkBadges(page, 2);
    const before = await cellViews(page);
    expect(before.map(v => v.stale)).toEqual(['false', 'false']);

    await restartKernel(page);
    for (const i of [0, 1]) {
      await expect(badgeOf(page, i)).toHaveAttribute('data-stale', 'true', { timeout: 20000 });
      await expect(badgeOf(page, i)).toHaveAttribute('data-state', 'ok');
      await expect(badgeOf(page, i)).toHaveAttribute('title', /restarted/);
    }
    expect((await cellViews(page)).map(v => v.msgId)).toEqual(before.map(v => v.msgId));

    await page.notebook.runCell(0);
    const fresh = badgeOf(page, 0);
    await expect(fresh).not.toHaveAttribute('data-msg-id', before[0].msgId!, {
      timeout: RUN_TIMEOUT
    });
    await expect(fresh).toHaveAttribute('data-state', 'ok', { timeout: RUN_TIMEOUT });
    await expect(fresh).toHaveAttribute('data-stale', 'false');
    await expect(badgeOf(page, 1)).toHaveAttribute('data-stale', 'true');
    expect(await page.locator(BADGE).count()).toBe(2);
  });

  /** Restart while the cell at `index` runs; return its badge once it has ended. */
  async function restartWhileRunning(page: IJupyterLabPageFixture, index: number) {
    await page.notebook.runCell(index, { inplace: true, wait: false });
    const badge = badgeOf(page, index);
    await expect(badge).toHaveAttribute('data-state', 'running', { timeout: 10000 });
    await expect
      .poll(async () => Number(await badge.getAttribute('data-duration')), { timeout: 10000 })
      .toBeGreaterThan(1);
    await restartKernel(page);
    await expect(badge).not.toHaveAttribute('data-state', 'running', { timeout: 20000 });
    return badge;
  }

  /** The badge's figures stay as they are: nothing ticks after the end. */
  async function expectFrozen(page: Page, badge: ReturnType<typeof badgeOf>) {
    const duration = Number(await badge.getAttribute('data-duration'));
    expect(duration).toBeGreaterThan(1);
    expect(duration).toBeLessThan(30);
    // A fixed wait is the point here: several live updates (every 0.4 s)
    // would have come in this time.
    await page.waitForTimeout(2000);
    expect(Number(await badge.getAttribute('data-duration'))).toBe(duration);
  }

  test('a cell running when the kernel restarts ends, and its clock stops', async ({
    page
  }) => {
    test.setTimeout(90000);
    await notebookWith(page, [
      'import time; time.sleep(30)',
      'import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(30)'
    ]);

    // jupyter_client interrupts a kernel before shutting it down for a
    // restart: the sleeping cell gets KeyboardInterrupt and ends as an error,
    // the kernel still alive.
    const interrupted = await restartWhileRunning(page, 0);
    await expect(interrupted).toHaveAttribute('data-state', 'error');
    await expect(interrupted).toHaveAttribute('data-stale', 'true', { timeout: 20000 });
    await expectFrozen(page, interrupted);

    // A cell deaf to the interrupt keeps the old process alive until
    // jupyter_client ends it after its shutdown wait: SIGTERM, and SIGKILL if
    // that is not enough. The cell ends as `died`, with the signal.
    const killed = await restartWhileRunning(page, 1);
    await expect(killed).toHaveAttribute('data-state', 'died');
    await expect(killed).toContainText(/^kernel died \(signal (15|9)\) · /);
    await expectFrozen(page, killed);
    await expect(interrupted).toHaveAttribute('data-state', 'error');
  });
});

test.describe('Notebook 7', () => {
  test('a cell run in Notebook 7 gets its badge', async ({ page, tmpPath, baseURL }) => {
    const filePath = `${tmpPath}/nb7.ipynb`;
    await putNotebook(page, filePath, [IMPORT, 'x = np.ones(10**7)']);
    await openInNotebook7(page, baseURL!, filePath, 2);

    // The badge of this run, finished: one of an earlier session (the same path
    // and cell ids) would also say `ok`.
    const finished = (i: number) =>
      page
        .locator('.jp-Notebook .jp-Cell')
        .nth(i)
        .locator(`${BADGE}[data-state="ok"][data-earlier="false"]`);
    for (const i of [0, 1]) {
      await page.locator('.jp-Notebook .jp-Cell').nth(i).locator('.cm-content').click();
      await page.keyboard.press('Shift+Enter');
      await expect(finished(i)).toHaveCount(1, { timeout: RUN_TIMEOUT });
    }
    // On a failure, the server's own view of the kernel and its records says why.
    const sessions = await (await page.request.get('/api/sessions')).json();
    const kernelId = sessions.find((s: any) => s.path === filePath)?.kernel?.id;
    const kernel = await (await page.request.get(`/api/memory-usage/kernels/${kernelId}`)).json();
    const diagnosis = JSON.stringify({
      hook: kernel.hook,
      records: (kernel.executions ?? []).map((r: any) => [r.status, r.method, r.delta])
    });
    expectClose(
      Number(await finished(1).getAttribute('data-delta')),
      ONES(10 ** 7),
      0.02,
      `x = np.ones(10**7) (${diagnosis})`
    );
    await expect(page.locator(BADGE)).toHaveCount(2);
  });
});

test.describe('README screenshots', () => {
  // The PNGs in ui-tests/screenshots/ change with every run (durations, RSS);
  // they are rewritten only on request, to keep the working tree clean:
  //   UPDATE_README_SCREENSHOTS=1 npx playwright test tests/badge-behaviour.spec.ts -g screenshots
  const target = (name: string) =>
    process.env.UPDATE_README_SCREENSHOTS
      ? path.resolve(__dirname, '..', 'screenshots', name)
      : test.info().outputPath(name);

  /** The cells' area only, with a small margin. */
  async function cellsClip(page: Page) {
    const boxes = await page.locator('.jp-Notebook .jp-Cell').evaluateAll(nodes =>
      nodes.map(node => {
        const r = node.getBoundingClientRect();
        return { x: r.left, y: r.top, right: r.right, bottom: r.bottom };
      })
    );
    const margin = 8;
    const x = Math.max(0, Math.min(...boxes.map(b => b.x)) - margin);
    const y = Math.max(0, Math.min(...boxes.map(b => b.y)) - margin);
    return {
      x,
      y,
      width: Math.max(...boxes.map(b => b.right)) + margin - x,
      height: Math.max(...boxes.map(b => b.bottom)) + margin - y
    };
  }

  test('badges in the light and dark themes (README screenshots)', async ({ page }) => {
    await notebookWith(page, [IMPORT, 'a = np.ones(10**8)', 'np.ones(10**8).sum()', 'del a']);
    await page.notebook.run();
    await waitForOkBadges(page, 4);
    // Command mode, no cursor in an editor.
    await page.keyboard.press('Escape');
    await page.notebook.selectCells(0);

    for (const [theme, name] of [
      ['light', 'badges.png'],
      ['dark', 'badges-dark.png']
    ]) {
      if (theme === 'dark') {
        await page.theme.setDarkTheme();
      }
      const file = target(name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file, clip: await cellsClip(page) });
      expect(fs.statSync(file).size).toBeGreaterThan(0);
      // Each badge sits below its cell's input, starting where the input's
      // editor starts, and is fully visible (not cut off).
      for (let i = 0; i < 4; i++) {
        const cell = page.locator('.jp-Notebook .jp-Cell').nth(i);
        const editor = await cell.locator('.jp-InputArea-editor').boundingBox();
        const badge = await cell.locator(BADGE).boundingBox();
        expect(editor && badge).toBeTruthy();
        expect(Math.abs(badge!.x - editor!.x), `badge ${i} aligned with its input`).toBeLessThanOrEqual(2);
        expect(badge!.y).toBeGreaterThanOrEqual(editor!.y + editor!.height - 1);
        const clipped = await cell
          .locator(BADGE)
          .evaluate(node => node.scrollWidth > node.clientWidth);
        expect(clipped, `badge ${i} text cut off`).toBe(false);
      }
    }
  });
});
