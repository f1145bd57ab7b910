import { IDisposable } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';

/**
 * The IDisposable of this package's models and views: disposed once, then
 * every signal connection it sends or made with itself as `thisArg` is gone.
 */
export abstract class Disposable implements IDisposable {
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.onDispose();
    Signal.clearData(this);
  }

  /** What a subclass releases before its signal connections go. */
  protected onDispose(): void {
    // Nothing beyond the signal connections by default.
  }

  private _isDisposed = false;
}
