import { ServerConnection } from '@jupyterlab/services';

import {
  FAST_INTERVAL_MS,
  KernelMemoryModel,
  SLOW_INTERVAL_MS
} from '../model/kernelModel';
import { IExecutionRecord, IKernelReply } from '../model/types';
import { MemoryUsageService } from '../service';
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
    reason_message: null,
    restarts: 0,
    oom_kill_count: null,
    heap_mode: false,
    peak_reset: true,
    sampled_at: null,
    line_profile_armed: null,
    line_profile_backend: 'settrace',
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
    const model = new KernelMemoryModel('k1', new MemoryUsageService(server.settings));
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
    const model = new KernelMemoryModel('k1', new MemoryUsageService(server.settings));
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

/**
 * A repeatable stand-in for Math.random (mulberry32): Lumino's backoff draws each gap
 * at random, and a test must not pass or fail by the draw.
 */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('KernelMemoryModel and a kernel that no longer exists', () => {
  it.each([1, 2, 3])('backs off on 404, says so on connectionFailure, and writes nothing to the console (draws of seed %i)', async seed => {
    jest.useFakeTimers();
    const random = jest.spyOn(Math, 'random').mockImplementation(seededRandom(seed));
    const startMs = Date.now();
    const consoleCalls = ['error', 'warn', 'log'].map(name =>
      jest.spyOn(console, name as 'error' | 'warn' | 'log')
    );
    let requests = 0;
    const requestTimes: number[] = [];
    const settings = ServerConnection.makeSettings({
      baseUrl: 'http://localhost:8888/',
      wsUrl: 'ws://localhost:8888/',
      fetch: (async () => {
        requests++;
        requestTimes.push(Date.now() - startMs);
        // What the server extension answers for an unknown kernel.
        return new Response(
          JSON.stringify({ message: 'No kernel k1 on this server' }),
          { status: 404, headers: { 'Content-Type': 'application/json' } }
        );
      }) as unknown as typeof fetch
    });
    const model = new KernelMemoryModel('k1', new MemoryUsageService(settings));
    const failures: ServerConnection.ResponseError[] = [];
    model.connectionFailure.connect((_, error) => {
      failures.push(error as ServerConnection.ResponseError);
    });
    // A cell was just sent: the model wants to poll fast (every 400 ms).
    model.expectExecution('m1');
    const MINUTE_MS = 60000;
    for (let t = 0; t < 2 * MINUTE_MS; t += 100) {
      await jest.advanceTimersByTimeAsync(100);
    }
    // Fast polling would have sent 300 requests in two minutes, slow polling 24;
    // the backoff (randomised, never below the base interval) grows the interval
    // towards its 30 s maximum. The cell's request, never seen run, stops keeping
    // the poll fast after 30 s: from then on no gap is below the slow interval.
    expect(requests).toBeGreaterThan(1);
    expect(requests).toBeLessThan(60);
    const gapsAfterExpiryMs = requestTimes
      .slice(1)
      .map((time, i) => [requestTimes[i], time - requestTimes[i]])
      .filter(([at]) => at > 31000)
      .map(([, gap]) => gap);
    expect(gapsAfterExpiryMs.length).toBeGreaterThan(1);
    expect(Math.min(...gapsAfterExpiryMs)).toBeGreaterThanOrEqual(
      SLOW_INTERVAL_MS
    );
    const phase = (model as any)._poll.state.phase;
    expect(phase).toBe('rejected');
    expect(failures.length).toBe(requests);
    expect(failures[0].response.status).toBe(404);
    expect(failures[0].message).toBe('No kernel k1 on this server');
    expect(model.state).toBeNull();

    // Disposed (the kernel manager saw the kernel go): no request any more.
    model.dispose();
    const atDispose = requests;
    await jest.advanceTimersByTimeAsync(2 * MINUTE_MS);
    expect(requests).toBe(atDispose);
    for (const spy of consoleCalls) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
    random.mockRestore();
    jest.useRealTimers();
  });
});
