import { DocumentRegistry } from '@jupyterlab/docregistry';
import { ISignal, Signal } from '@lumino/signaling';

import { Disposable } from '../disposable';
import { IMemoryUsageManager } from '../tokens';
import { IExecutionRecord } from './types';

/**
 * A notebook's cell runs kept by the server from earlier sessions (earlier
 * kernels, or before a server restart), loaded when the notebook is ready and
 * again when it is renamed.
 */
export class EarlierRuns extends Disposable {
  constructor(
    private readonly _context: DocumentRegistry.IContext<DocumentRegistry.IModel>,
    private readonly _manager: IMemoryUsageManager
  ) {
    super();
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


  private async _load(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const path = this._context.path;
    const runs = await this._manager.earlierRuns(path);
    // A rename while the request was out makes its reply stale.
    if (this.isDisposed || path !== this._context.path) {
      return;
    }
    this._runs = runs;
    this._changed.emit();
  }

  private _runs: readonly IExecutionRecord[] = [];
  private _changed = new Signal<this, void>(this);
}
