import { Signal } from '@lumino/signaling';

import { Disposable } from '../disposable';

class Listener extends Disposable {
  constructor(readonly source: Signal<object, number>) {
    super();
    source.connect(this._onValue, this);
  }

  readonly seen: number[] = [];
  released = 0;

  protected onDispose(): void {
    this.released++;
  }

  private _onValue(_: object, value: number): void {
    this.seen.push(value);
  }
}

describe('Disposable', () => {
  it('releases once, then drops the connections made with itself as thisArg', () => {
    const source = new Signal<object, number>({});
    const listener = new Listener(source);
    source.emit(1);
    listener.dispose();
    listener.dispose();
    source.emit(2);
    expect(listener.isDisposed).toBe(true);
    expect(listener.released).toBe(1);
    expect(listener.seen).toEqual([1]);
  });
});
