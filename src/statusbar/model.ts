import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { ByteUnits } from '../format';
import { IKernelState } from '../model/types';
import { IKernelMemoryModel, IMemoryUsageManager } from '../tokens';
import { DEFAULT_THRESHOLDS, IThresholds, memoryLevel, MemoryLevel } from './level';

/**
 * The current notebook's kernel memory, for the status bar.
 */
export class KernelStatusModel implements IDisposable {
  constructor(
    private readonly _tracker: INotebookTracker,
    private readonly _manager: IMemoryUsageManager
  ) {
    _tracker.currentChanged.connect(this._follow, this);
    _manager.settingsChanged.connect(this._follow, this);
    this._follow();
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get state(): IKernelState | null {
    return this._kernelModel?.state ?? null;
  }

  get units(): ByteUnits {
    return this._manager.units;
  }

  get thresholds(): IThresholds {
    return this._thresholds;
  }

  set thresholds(thresholds: IThresholds) {
    this._thresholds = thresholds;
    this._changed.emit();
  }

  get level(): MemoryLevel {
    const state = this.state;
    return memoryLevel(state?.rss ?? null, state?.limit ?? null, this._thresholds);
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

  private _follow(): void {
    const panel: NotebookPanel | null = this._tracker.currentWidget;
    if (panel !== this._panel) {
      this._panel?.sessionContext.kernelChanged.disconnect(this._follow, this);
      this._panel = panel;
      panel?.sessionContext.kernelChanged.connect(this._follow, this);
    }
    const kernelId = panel?.sessionContext.session?.kernel?.id;
    const model = kernelId ? this._manager.modelFor(kernelId) : null;
    if (model !== this._kernelModel) {
      this._kernelModel?.stateChanged.disconnect(this._emit, this);
      this._kernelModel = model;
      model?.stateChanged.connect(this._emit, this);
    }
    this._changed.emit();
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _panel: NotebookPanel | null = null;
  private _kernelModel: IKernelMemoryModel | null = null;
  private _thresholds: IThresholds = { ...DEFAULT_THRESHOLDS };
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}
