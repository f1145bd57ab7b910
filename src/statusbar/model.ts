import { ISignal, Signal } from '@lumino/signaling';

import { Disposable } from '../disposable';
import { ByteUnits } from '../format';
import { IKernelState } from '../model/types';
import { ICurrentKernel, IMemoryUsageManager } from '../tokens';
import { DEFAULT_THRESHOLDS, IThresholds, memoryLevel, MemoryLevel } from './level';

/**
 * The current notebook's kernel memory, for the status bar.
 */
export class KernelStatusModel extends Disposable {
  constructor(
    private readonly _current: ICurrentKernel,
    private readonly _manager: IMemoryUsageManager
  ) {
    super();
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

  protected onDispose(): void {
    this._current.changed.disconnect(this._emit, this);
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _thresholds: IThresholds = { ...DEFAULT_THRESHOLDS };
  private _changed = new Signal<this, void>(this);
}
