import { expect, test } from '@jupyterlab/galata';
import type { ConsoleMessage } from '@playwright/test';

const SERVER_CHECK_PLUGIN = 'jupyterlab-memory-usage:server-check';
const KERNELS_ENDPOINT = '/api/memory-usage/kernels';

/**
 * Whether a console message comes from, or is about, this extension
 * (its bundle URL, its API URL or a message mentioning it).
 */
function isOurs(message: ConsoleMessage): boolean {
  const text = `${message.text()} ${message.location().url}`;
  return /memory[-_]usage/i.test(text);
}

test.describe('extension loading', () => {
  /**
   * Don't load JupyterLab before the test: we need to capture all console
   * messages and the first call to the server extension.
   */
  test.use({ autoGoto: false });

  test('loads without console noise and without the server-check warning', async ({
    page
  }) => {
    const messages: string[] = [];
    page.on('console', message => {
      if (
        ['error', 'warning'].includes(message.type()) &&
        isOurs(message)
      ) {
        messages.push(
          `[${message.type()}] ${message.text()} (${message.location().url})`
        );
      }
    });

    // The server check calls the API once after the application is restored.
    const checkResponse = page.waitForResponse(
      response =>
        new URL(response.url()).pathname.endsWith(KERNELS_ENDPOINT) &&
        response.request().method() === 'GET'
    );

    await page.goto();

    const response = await checkResponse;
    expect(response.status(), 'server extension API should answer').toBe(200);
    const body = await response.json();
    expect(Array.isArray(body.kernels)).toBe(true);

    // The plugin is registered and activated.
    const activated = await page.evaluate(
      id => (window as any).jupyterapp.isPluginActivated(id),
      SERVER_CHECK_PLUGIN
    );
    expect(activated).toBe(true);

    // Give the plugin a moment to (not) emit a notification.
    await page.waitForTimeout(500);

    const notifications: { message: string }[] = await page.evaluate(() =>
      (window as any).galata.getNotifications()
    );
    expect(
      notifications.filter(n => n.message.includes('jupyterlab_memory_usage'))
    ).toEqual([]);
    await expect(
      page.locator('.Toastify__toast', { hasText: 'jupyterlab_memory_usage' })
    ).toHaveCount(0);

    expect(messages).toEqual([]);
  });
});

test.describe('kernel monitoring', () => {
  test('measures the cells a notebook runs, exactly', async ({ page }) => {
    await page.notebook.createNew(undefined, { kernel: 'python3' });
    await page.notebook.setCell(0, 'code', 'import numpy as np');
    await page.notebook.addCell('code', 'x = np.ones(10**7)');
    await page.notebook.runCell(0);
    await page.notebook.runCell(1);

    // No error output from the cells.
    for (const index of [0, 1]) {
      expect((await page.notebook.getCellTextOutput(index)) ?? []).toEqual([]);
    }

    const kernelId: string | undefined = await page.evaluate(() => {
      const widget = (window as any).jupyterapp.shell.currentWidget;
      return widget?.sessionContext?.session?.kernel?.id;
    });
    expect(kernelId, 'the notebook should have a kernel').toBeTruthy();

    // galata's server configuration disables authentication.
    const response = await page.request.get(KERNELS_ENDPOINT);
    expect(
      response.status(),
      `GET ${KERNELS_ENDPOINT}: ${await response.text()}`
    ).toBe(200);
    const body = (await response.json()) as {
      kernels: { id: string; pid?: number | null; rss?: number | null }[];
    };
    expect(body.kernels.map(k => k.id)).toContain(kernelId);

    // The execution JupyterLab sent through its own kernel connection is
    // recorded with its exact figures: np.ones(10**7) holds 80,000,000 bytes.
    type Execution = {
      execution_count: number | null;
      status: string;
      delta: number;
      method: string;
    };
    let allocation: Execution | undefined;
    await expect
      .poll(async () => {
        const detail = await page.request.get(
          `${KERNELS_ENDPOINT}/${kernelId}`
        );
        const executions = ((await detail.json()) as { executions: Execution[] })
          .executions;
        allocation = executions.find(
          e => e.execution_count === 2 && e.status !== 'running'
        );
        return allocation?.status;
      })
      .toBe('ok');
    expect(allocation!.method).toBe('kernel_hook');
    expect(Math.abs(allocation!.delta - 8e7)).toBeLessThan(0.02 * 8e7);
  });
});
