import { JupyterFrontEnd } from '@jupyterlab/application';
import { DisposableDelegate } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';

import { connection, deactivate, registrations } from '../plugins/registrations';

describe('plugin registrations', () => {
  it("are kept per application and plugin, and deactivate disposes exactly that plugin's", () => {
    const app = {} as JupyterFrontEnd;
    const other = {} as JupyterFrontEnd;
    const disposed: string[] = [];
    const note = (name: string) => new DisposableDelegate(() => disposed.push(name));
    registrations(app, 'p:a').add(note('a1'));
    registrations(app, 'p:a').add(note('a2'));
    registrations(app, 'p:b').add(note('b'));
    registrations(other, 'p:a').add(note('other'));

    deactivate(app, 'p:a');
    expect(disposed).toEqual(['a1', 'a2']);
    deactivate(app, 'p:a');
    expect(disposed).toEqual(['a1', 'a2']);
    // Activated again, it gets a fresh set.
    expect(registrations(app, 'p:a').isDisposed).toBe(false);
  });

  it('disconnect a connection when disposed', () => {
    const signal = new Signal<object, number>({});
    const seen: number[] = [];
    const connected = connection(signal, (_, value) => seen.push(value));
    signal.emit(1);
    connected.dispose();
    signal.emit(2);
    expect(seen).toEqual([1]);
  });
});
