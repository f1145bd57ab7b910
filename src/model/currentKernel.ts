import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISignal, Signal } from '@lumino/signaling';

import { Disposable } from '../disposable';
import { ICurrentKernel, IKernelMemoryModel, IMemoryUsageManager } from '../tokens';

/**
 * Follows the current notebook and the memory model of its kernel, through
 * notebook switches, kernel changes and monitoring being turned off or on.
 * Emits `changed` on any of those and whenever the model's state changes.
 */
export class CurrentKernel extends Disposable implements ICurrentKernel {
  constructor(
    private readonly _tracker: INotebookTracker,
    private readonly _manager: IMemoryUsageManager
  ) {
    super();
    _tracker.currentChanged.connect(this._follow, this);
    _manager.settingsChanged.connect(this._follow, this);
    this._follow();
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get panel(): NotebookPanel | null {
    return this._panel;
  }

  get model(): IKernelMemoryModel | null {
    return this._model;
  }

  protected onDispose(): void {
    this._panel?.sessionContext.kernelChanged.disconnect(this._follow, this);
    this._model?.stateChanged.disconnect(this._emit, this);
  }

  private _follow(): void {
    const panel = this._tracker.currentWidget;
    if (panel !== this._panel) {
      this._panel?.sessionContext.kernelChanged.disconnect(this._follow, this);
      this._panel = panel;
      panel?.sessionContext.kernelChanged.connect(this._follow, this);
    }
    const kernelId = panel?.sessionContext.session?.kernel?.id;
    const model = kernelId ? this._manager.modelFor(kernelId) : null;
    if (model !== this._model) {
      this._model?.stateChanged.disconnect(this._emit, this);
      this._model = model;
      model?.stateChanged.connect(this._emit, this);
    }
    this._changed.emit();
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _panel: NotebookPanel | null = null;
  private _model: IKernelMemoryModel | null = null;
  private _changed = new Signal<this, void>(this);
}
