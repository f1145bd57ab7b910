import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';

import {
  IExecutionRecord,
  IHeapModeReply,
  IKernelReply,
  IKernelsReply,
  ILineProfileReply,
  INotebookRunsReply,
  IVariablesReply
} from './model/types';
import { requestAPI } from './request';

/** Where a kernel's figures were read up to. */
export interface IKernelCursor {
  /** The last `seq` received; 0 for everything. */
  since: number;
  /** The `history_id` that numbering belongs to; empty before the first reply. */
  historyId: string;
}

/**
 * Every call to the server extension's REST API (`/api/memory-usage/`), and
 * nothing else: no state, no retries. Each method rejects with a
 * `ServerConnection.ResponseError` carrying the server's JSON `message`, or a
 * `NetworkError`. Disposing it aborts the requests in flight.
 */
export class MemoryUsageService implements IDisposable {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  get isDisposed(): boolean {
    return this._abort.signal.aborted;
  }

  dispose(): void {
    this._abort.abort();
  }

  /** Every kernel the server runs, with its current memory. */
  kernels(): Promise<IKernelsReply> {
    return this._request('kernels');
  }

  /** A kernel's state, and the records and samples that changed since `cursor`. */
  kernel(kernelId: string, cursor: IKernelCursor): Promise<IKernelReply> {
    const query = new URLSearchParams({ since: String(cursor.since) });
    if (cursor.historyId) {
      query.set('history_id', cursor.historyId);
    }
    return this._request(`${kernelPath(kernelId)}?${query}`);
  }

  /** Tell the server which cell and notebook an execution belongs to. */
  async annotate(
    kernelId: string,
    msgId: string,
    cellId: string | null,
    notebookPath: string | null
  ): Promise<void> {
    const body = { msg_id: msgId, cell_id: cellId, notebook_path: notebookPath };
    await this._request(`${kernelPath(kernelId)}/executions`, 'POST', body);
  }

  /** Forget a kernel's records and samples; its next reply has a new history id. */
  async clearHistory(kernelId: string): Promise<void> {
    await this._request(`${kernelPath(kernelId)}/executions`, 'DELETE');
  }

  /** Turn heap mode (tracemalloc in the kernel) on or off. */
  setHeapMode(kernelId: string, enabled: boolean): Promise<IHeapModeReply> {
    return this._request(`${kernelPath(kernelId)}/heap-mode`, 'POST', { enabled });
  }

  /**
   * Profile the next run of a cell line by line (`null`: the next cell that
   * runs, whichever it is). Rejects with the server's message (409) when the
   * kernel has no active hook.
   */
  armLineProfile(kernelId: string, cellId: string | null): Promise<ILineProfileReply> {
    return this._request(`${kernelPath(kernelId)}/line-profile`, 'POST', { cell_id: cellId });
  }

  /** No longer profile the cell asked for. */
  disarmLineProfile(kernelId: string): Promise<ILineProfileReply> {
    return this._request(`${kernelPath(kernelId)}/line-profile`, 'DELETE');
  }

  /**
   * The kernel's global names and what each holds, sized now when the kernel
   * is idle, else the last result (`stale`). Rejects with the server's
   * message (409) when the kernel has no active hook.
   */
  variables(kernelId: string): Promise<IVariablesReply> {
    return this._request(`${kernelPath(kernelId)}/variables`);
  }

  /** A notebook's last runs per cell kept from earlier sessions. */
  async notebookRuns(notebookPath: string): Promise<IExecutionRecord[]> {
    const query = new URLSearchParams({ path: notebookPath });
    const reply = await this._request<INotebookRunsReply>(`notebooks?${query}`);
    return reply.executions;
  }

  private _request<T>(endPoint: string, method = 'GET', body?: object): Promise<T> {
    const init: RequestInit = { method, signal: this._abort.signal };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
    }
    return requestAPI<T>(endPoint, init, this.serverSettings);
  }

  private _abort = new AbortController();
}

function kernelPath(kernelId: string): string {
  return `kernels/${encodeURIComponent(kernelId)}`;
}
