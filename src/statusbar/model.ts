import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { ByteUnits } from '../format';
import { IKernelState } from '../model/types';
import { ICurrentKernel, IMemoryUsageManager } from '../tokens';
import { DEFAULT_THRESHOLDS, IThresholds, memoryLevel, MemoryLevel } from './level';

/**
 * The current notebook's kernel memory, for the status bar.
 */
export class KernelStatusModel implements IDisposable {
  constructor(
    private readonly _current: ICurrentKernel,
    private readonly _manager: IMemoryUsageManager
  ) {
    _current.changed.connect(this._emit, this);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get state(): IKernelState | null {
    return this._current.model?.state ?? null;
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
    this._current.changed.disconnect(this._emit, this);
    Signal.clearData(this);
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _thresholds: IThresholds = { ...DEFAULT_THRESHOLDS };
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}
