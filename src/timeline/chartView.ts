import { ISignal, Signal } from '@lumino/signaling';

/** How the memory chart's x axis is laid out: by clock time, or one slot per execution. */
export type AxisMode = 'auto' | 'time' | 'cells';

/** A range of the x axis zoomed into, in seconds since the epoch. */
export interface IZoomRange {
  from: number;
  to: number;
}

/**
 * What the user chose for the chart: its axis mode and zoom. Kept by the
 * timeline model, so that switching sections loses neither.
 */
export class ChartViewState {
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get mode(): AxisMode {
    return this._mode;
  }

  set mode(mode: AxisMode) {
    if (mode !== this._mode) {
      this._mode = mode;
      this._changed.emit();
    }
  }

  get zoom(): IZoomRange | null {
    return this._zoom;
  }

  set zoom(zoom: IZoomRange | null) {
    if (zoom?.from !== this._zoom?.from || zoom?.to !== this._zoom?.to) {
      this._zoom = zoom;
      this._changed.emit();
    }
  }

  private _mode: AxisMode = 'auto';
  private _zoom: IZoomRange | null = null;
  private _changed = new Signal<this, void>(this);
}
