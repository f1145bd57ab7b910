import { DocumentRegistry } from '@jupyterlab/docregistry';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IMemoryUsageManager } from '../tokens';
import { IExecutionRecord } from './types';

/**
 * A notebook's cell runs kept by the server from earlier sessions (earlier
 * kernels, or before a server restart), loaded when the notebook is ready and
 * again when it is renamed.
 */
export class EarlierRuns implements IDisposable {
  constructor(
    private readonly _context: DocumentRegistry.IContext<DocumentRegistry.IModel>,
    private readonly _manager: IMemoryUsageManager
  ) {
    _context.pathChanged.connect(this._load, this);
    void _context.ready.then(() => this._load());
  }

  /** Emitted when `runs` changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get runs(): readonly IExecutionRecord[] {
    return this._runs;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _load(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    const path = this._context.path;
    const runs = await this._manager.earlierRuns(path);
    // A rename while the request was out makes its reply stale.
    if (this._isDisposed || path !== this._context.path) {
      return;
    }
    this._runs = runs;
    this._changed.emit();
  }

  private _runs: readonly IExecutionRecord[] = [];
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}
