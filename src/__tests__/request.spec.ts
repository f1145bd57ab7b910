import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from '../request';

type FetchArgs = { url: string; method: string; body: string | null };

function makeSettings(
  status: number,
  body: string,
  calls: FetchArgs[],
  contentType = 'application/json'
): ServerConnection.ISettings {
  const fetchMock = async (input: RequestInfo, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    calls.push({
      url: request.url,
      method: request.method,
      body: request.method === 'GET' ? null : await request.text()
    });
    return new Response(body === '' ? null : body, {
      status,
      headers: { 'Content-Type': contentType }
    });
  };
  return ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/base/',
    wsUrl: 'ws://localhost:8888/base/',
    fetch: fetchMock as typeof fetch
  });
}

describe('requestAPI', () => {
  it('builds the URL under api/memory-usage and parses JSON', async () => {
    const calls: FetchArgs[] = [];
    const settings = makeSettings(
      200,
      JSON.stringify({ kernels: [{ id: 'k1', rss: 1 }] }),
      calls
    );
    const data = await requestAPI<{ kernels: { id: string }[] }>(
      'kernels',
      {},
      settings
    );
    expect(data.kernels[0].id).toBe('k1');
    expect(calls).toHaveLength(1);
    // ServerConnection.makeRequest may append a cache-busting query.
    const url = new URL(calls[0].url);
    expect(url.origin + url.pathname).toBe(
      'http://localhost:8888/base/api/memory-usage/kernels'
    );
    expect(calls[0].method).toBe('GET');
  });

  it('keeps query strings and sends POST bodies', async () => {
    const calls: FetchArgs[] = [];
    const settings = makeSettings(201, '{}', calls);
    await requestAPI(
      'kernels/abc/executions?since=3',
      {
        method: 'POST',
        body: JSON.stringify({ msg_id: 'm', cell_id: 'c', notebook_path: 'a' })
      },
      settings
    );
    const url = new URL(calls[0].url);
    expect(url.pathname).toBe(
      '/base/api/memory-usage/kernels/abc/executions'
    );
    expect(url.searchParams.get('since')).toBe('3');
    expect(calls[0].method).toBe('POST');
    expect(JSON.parse(calls[0].body!)).toEqual({
      msg_id: 'm',
      cell_id: 'c',
      notebook_path: 'a'
    });
  });

  it('raises a ResponseError carrying the server JSON message', async () => {
    const settings = makeSettings(
      404,
      JSON.stringify({ message: 'Kernel abc not found' }),
      []
    );
    const promise = requestAPI('kernels/abc', {}, settings);
    await expect(promise).rejects.toBeInstanceOf(
      ServerConnection.ResponseError
    );
    await expect(promise).rejects.toMatchObject({
      message: 'Kernel abc not found',
      response: { status: 404 }
    });
  });

  it('raises a ResponseError for a non-JSON 404 (extension missing)', async () => {
    const settings = makeSettings(
      404,
      '<html><body>404: Not Found</body></html>',
      [],
      'text/html'
    );
    const promise = requestAPI('kernels', {}, settings);
    await expect(promise).rejects.toBeInstanceOf(
      ServerConnection.ResponseError
    );
    await expect(promise).rejects.toMatchObject({ response: { status: 404 } });
  });

  it('returns undefined for an empty successful body', async () => {
    const settings = makeSettings(204, '', []);
    await expect(requestAPI('kernels', {}, settings)).resolves.toBeUndefined();
  });
});
