import { URLExt } from '@jupyterlab/coreutils';

import { ServerConnection } from '@jupyterlab/services';

/**
 * URL path segments of the server extension's REST API, relative to the
 * server's base URL.
 */
export const API_NAMESPACE = ['api', 'memory-usage'];

/**
 * Call the jupyterlab_memory_usage server extension.
 *
 * @param endPoint - API end point relative to `api/memory-usage`, e.g.
 *   `kernels` or `kernels/<id>?since=3`.
 * @param init - Initial values for the request (method, body, ...).
 * @param serverSettings - The server settings to use; defaults to
 *   `ServerConnection.makeSettings()`.
 * @returns The response body parsed as JSON (or `undefined` for an empty body).
 * @throws {ServerConnection.NetworkError} If the server cannot be reached.
 * @throws {ServerConnection.ResponseError} If the response status is not ok;
 *   its message is the server's JSON `message` when there is one.
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const requestUrl = URLExt.join(
    serverSettings.baseUrl,
    ...API_NAMESPACE,
    endPoint
  );

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      requestUrl,
      init,
      serverSettings
    );
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }

  const text = await response.text();
  let data: any = undefined;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      // Not JSON (e.g. Tornado's HTML 404 page when the server extension is
      // not enabled): keep the raw text for error reporting only.
      data = undefined;
    }
  }

  if (!response.ok) {
    const message =
      data && typeof data.message === 'string' && data.message
        ? data.message
        : undefined;
    const traceback =
      data && typeof data.traceback === 'string' ? data.traceback : undefined;
    throw new ServerConnection.ResponseError(response, message, traceback);
  }

  if (text.length > 0 && data === undefined) {
    throw new ServerConnection.ResponseError(
      response,
      `Invalid JSON response from ${requestUrl}`
    );
  }

  return data as T;
}
