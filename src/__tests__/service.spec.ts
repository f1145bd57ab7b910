import { ServerConnection } from '@jupyterlab/services';

import { MemoryUsageService } from '../service';

interface ISent {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/** A service on a fake server that answers `status` with `reply` and notes each request. */
function serviceAnswering(status: number, reply: unknown) {
  const sent: ISent[] = [];
  const fetch = async (input: RequestInfo, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.text();
    sent.push({
      method: request.method,
      path: url.pathname,
      query: queryOf(url),
      body: text ? JSON.parse(text) : null
    });
    const body = reply === undefined ? null : JSON.stringify(reply);
    return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
  };
  const service = new MemoryUsageService(
    ServerConnection.makeSettings({
      baseUrl: 'http://localhost:8888/lab-base/',
      wsUrl: 'ws://localhost:8888/lab-base/',
      fetch: fetch as typeof globalThis.fetch
    })
  );
  return { service, sent };
}

const API = '/lab-base/api/memory-usage';

function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => {
    // makeRequest adds a cache buster to GETs: a bare timestamp.
    if (!/^\d+$/.test(key)) {
      query[key] = value;
    }
  });
  return query;
}

describe('MemoryUsageService', () => {
  it('asks for a kernel since a seq, with the history id once known', async () => {
    const { service, sent } = serviceAnswering(200, { seq: 3 });
    await service.kernel('k/1', { since: 0, historyId: '' });
    await service.kernel('k/1', { since: 7, historyId: 'h1' });
    expect(sent).toEqual([
      { method: 'GET', path: `${API}/kernels/k%2F1`, query: { since: '0' }, body: null },
      { method: 'GET', path: `${API}/kernels/k%2F1`, query: { since: '7', history_id: 'h1' }, body: null }
    ]);
  });

  it('annotates, clears and sets heap mode with the bodies the server reads', async () => {
    const { service, sent } = serviceAnswering(200, { heap_mode: true });
    await service.annotate('k1', 'm1', 'c1', 'a.ipynb');
    await service.clearHistory('k1');
    await service.setHeapMode('k1', true);
    expect(sent.map(({ method, path, body }) => [method, path, body])).toEqual([
      ['POST', `${API}/kernels/k1/executions`, { msg_id: 'm1', cell_id: 'c1', notebook_path: 'a.ipynb' }],
      ['DELETE', `${API}/kernels/k1/executions`, null],
      ['POST', `${API}/kernels/k1/heap-mode`, { enabled: true }]
    ]);
  });

  it('arms a line profile for a cell or the next cell, and disarms it', async () => {
    const { service, sent } = serviceAnswering(200, { line_profile_armed: 'c1', pending: false });
    expect((await service.armLineProfile('k1', 'c1')).line_profile_armed).toBe('c1');
    await service.armLineProfile('k1', null);
    await service.disarmLineProfile('k1');
    expect(sent.map(({ method, path, body }) => [method, path, body])).toEqual([
      ['POST', `${API}/kernels/k1/line-profile`, { cell_id: 'c1' }],
      ['POST', `${API}/kernels/k1/line-profile`, { cell_id: null }],
      ['DELETE', `${API}/kernels/k1/line-profile`, null]
    ]);
  });

  it("lists the kernels and a notebook's earlier runs", async () => {
    const { service, sent } = serviceAnswering(200, { kernels: [], executions: [{ seq: 1 }] });
    expect((await service.kernels()).kernels).toEqual([]);
    expect(await service.notebookRuns('dir/a b.ipynb')).toEqual([{ seq: 1 }]);
    expect(sent[0].path).toBe(`${API}/kernels`);
    expect(sent[1]).toMatchObject({ path: `${API}/notebooks`, query: { path: 'dir/a b.ipynb' } });
  });

  it("rejects with a ResponseError carrying the server's message", async () => {
    const { service } = serviceAnswering(409, { message: 'No hook in this kernel' });
    const promise = service.setHeapMode('k1', true);
    await expect(promise).rejects.toBeInstanceOf(ServerConnection.ResponseError);
    await expect(promise).rejects.toMatchObject({
      message: 'No hook in this kernel',
      response: { status: 409 }
    });
  });

  it('is disposable', () => {
    const { service } = serviceAnswering(204, undefined);
    expect(service.isDisposed).toBe(false);
    service.dispose();
    service.dispose();
    expect(service.isDisposed).toBe(true);
  });
});
