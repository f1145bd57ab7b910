import { expect, test } from '@jupyterlab/galata';

/**
 * Drawing a long session in the timeline panel: 200,000 samples and 2,000
 * executions, handed to the panel's kernel model as one poll reply would be.
 * Prints the time to the first complete draw and the frame time of live
 * updates (a running cell's figures and 4 new samples every 100 ms).
 */
test('timeline: 200,000 samples and 2,000 executions', async ({ page }) => {
  await page.notebook.createNew();
  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.runCell(0);
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('memory-usage:open-timeline'));
  const timeline = page.locator('.jp-MemoryUsage-timeline');
  await expect(timeline).toHaveAttribute('data-executions', '1', { timeout: 20000 });

  const result = await page.evaluate(async () => {
    const app = (window as any).jupyterapp;
    const panel = [...app.shell.widgets('right')].find((w: any) => w.id === 'jp-MemoryUsage-timeline');
    const kernelModel = panel.model._kernelModel;
    const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve(null)));
    const settle = async () => {
      await frame();
      await frame();
    };
    const SAMPLES = 200000;
    const EXECUTIONS = 2000;
    const t0 = Date.now() / 1000 - SAMPLES * 0.1;
    let seq = kernelModel._seq + 1;
    const samples = [];
    for (let i = 0; i < SAMPLES; i++) {
      samples.push({ seq: seq++, time: t0 + i * 0.1, rss: 1e8 + ((i * 7919) % 1000) * 1e5, children_rss: 0 });
    }
    const executions = [];
    for (let k = 0; k < EXECUTIONS; k++) {
      const started = t0 + k * 10 + 1;
      executions.push({
        seq: seq++, msg_id: `bench-${k}`, cell_id: `cell-${k % 50}`, notebook_path: 'bench.ipynb',
        execution_count: k + 1, status: 'ok', started, ended: started + 0.5, duration: 0.5,
        rss_start: 1e8, rss_end: 1e8 + (k % 10) * 1e6, rss_peak: 2e8 + k * 1e4,
        delta: (k % 10) * 1e6, peak_increment: 1e8 + k * 1e4, method: 'kernel_hook',
        pid: kernelModel.state.pid, exit_code: null, exit_signal: null
      });
    }
    const reply = { ...kernelModel.state, history_id: kernelModel._historyId, seq, executions, samples };
    const start = performance.now();
    kernelModel._apply(reply);
    while (panel.node.dataset.executions !== String(EXECUTIONS + 1)) {
      await frame();
    }
    await settle();
    const firstDraw = performance.now() - start;

    // Live: a running cell and new samples every 100 ms, for 30 updates.
    const frameTimes = [];
    let now = t0 + SAMPLES * 0.1;
    for (let u = 0; u < 30; u++) {
      const newSamples = [];
      for (let j = 0; j < 4; j++) {
        now += 0.025;
        newSamples.push({ seq: seq++, time: now, rss: 1.5e8 + u * 1e6, children_rss: 0 });
      }
      const running = {
        ...executions[0], seq: seq++, msg_id: 'bench-live', execution_count: EXECUTIONS + 1,
        status: 'running', started: now - u * 0.1, ended: null, duration: u * 0.1
      };
      const t = performance.now();
      kernelModel._apply({ ...reply, seq, executions: [running], samples: newSamples });
      await settle();
      frameTimes.push(performance.now() - t);
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    frameTimes.sort((a, b) => a - b);
    return {
      firstDrawMs: firstDraw,
      liveMedianMs: frameTimes[Math.floor(frameTimes.length / 2)],
      liveP95Ms: frameTimes[Math.floor(frameTimes.length * 0.95)],
      svgNodes: panel.node.querySelectorAll('svg *').length
    };
  });
  console.log(
    `timeline, 200,000 samples + 2,000 executions: first draw ${result.firstDrawMs.toFixed(0)} ms; ` +
      `live update frame ${result.liveMedianMs.toFixed(0)} ms median, ${result.liveP95Ms.toFixed(0)} ms p95; ` +
      `${result.svgNodes} SVG nodes`
  );
});
