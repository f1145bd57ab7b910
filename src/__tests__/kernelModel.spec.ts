import { ServerConnection } from '@jupyterlab/services';

import {
  FAST_INTERVAL_MS,
  KernelMemoryModel,
  SLOW_INTERVAL_MS
} from '../model/kernelModel';
import { IExecutionRecord, IKernelReply } from '../model/types';
import { record } from './fixtures';

/** A server whose next replies are set by the test; every GET gets `next`. */
function fakeServer() {
  const server = {
    requests: 0,
    next: reply([]),
    settings: ServerConnection.makeSettings({
      baseUrl: 'http://localhost:8888/',
      wsUrl: 'ws://localhost:8888/',
      fetch: (async () => {
        server.requests++;
        return new Response(JSON.stringify(server.next), {
          status: 200,
          headers: { 'Content-Type': 'application/json' }
        });
      }) as unknown as typeof fetch
    })
  };
  return server;
}

function reply(
  executions: IExecutionRecord[],
  executionState = 'idle'
): IKernelReply {
  return {
    kernel_id: 'k1',
    pid: 42,
    rss: 1,
    children_rss: null,
    limit: null,
    limit_source: null,
    system_available: null,
    method: 'procfs',
    hook: 'active',
    execution_state: executionState,
    reason: null,
    restarts: 0,
    history_id: 'h1',
    seq: executions.length ? Math.max(...executions.map(r => r.seq)) : 0,
    executions,
    samples: []
  };
}

function interval(model: KernelMemoryModel): number {
  return (model as any)._poll.frequency.interval;
}

/** Let the poll's request and its reply be handled. */
async function settle(model: KernelMemoryModel, server: { requests: number }) {
  const before = server.requests;
  await model.refresh();
  await new Promise(resolve => setTimeout(resolve, 0));
  expect(server.requests).toBeGreaterThan(before);
}

describe('KernelMemoryModel polling speed', () => {
  it('stays fast for an expected execution until its record is seen finished', async () => {
    const server = fakeServer();
    const model = new KernelMemoryModel('k1', server.settings);
    await settle(model, server);
    expect(interval(model)).toBe(SLOW_INTERVAL_MS);

    // The request is sent; the server has not seen the kernel's busy yet.
    model.expectExecution('m1');
    await settle(model, server);
    expect(interval(model)).toBe(FAST_INTERVAL_MS);

    server.next = reply([record({ msg_id: 'm1', seq: 1, status: 'running' })], 'busy');
    await settle(model, server);
    expect(interval(model)).toBe(FAST_INTERVAL_MS);

    server.next = reply([record({ msg_id: 'm1', seq: 2, status: 'ok' })]);
    await settle(model, server);
    expect(interval(model)).toBe(SLOW_INTERVAL_MS);
    model.dispose();
  });

  it('gives up on an expected execution that never shows', async () => {
    const server = fakeServer();
    const model = new KernelMemoryModel('k1', server.settings);
    await settle(model, server);
    const now = Date.now();
    const spy = jest.spyOn(Date, 'now');
    spy.mockReturnValue(now);
    model.expectExecution('lost');
    await settle(model, server);
    expect(interval(model)).toBe(FAST_INTERVAL_MS);

    spy.mockReturnValue(now + 60000);
    await settle(model, server);
    expect(interval(model)).toBe(SLOW_INTERVAL_MS);
    spy.mockRestore();
    model.dispose();
  });
});
