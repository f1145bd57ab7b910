import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { DisposableDelegate, DisposableSet, IDisposable } from '@lumino/disposable';
import { ISignal, Slot } from '@lumino/signaling';

import { COMMAND_CATEGORY } from '../commands';

/**
 * What each plugin registered in an application (commands, palette and menu
 * items, widget extensions, the status item, signal connections, the objects
 * it made), held so that the plugin's `deactivate` disposes it all.
 */
const byApp = new WeakMap<JupyterFrontEnd, Map<string, DisposableSet>>();

/** The registrations of a plugin in an application; add each one's IDisposable to it. */
export function registrations(app: JupyterFrontEnd, pluginId: string): DisposableSet {
  let byPlugin = byApp.get(app);
  if (!byPlugin) {
    byPlugin = new Map();
    byApp.set(app, byPlugin);
  }
  let held = byPlugin.get(pluginId);
  if (!held || held.isDisposed) {
    held = new DisposableSet();
    byPlugin.set(pluginId, held);
  }
  return held;
}

/** Undo everything a plugin registered: its `deactivate`. */
export function deactivate(app: JupyterFrontEnd, pluginId: string): void {
  const byPlugin = byApp.get(app);
  byPlugin?.get(pluginId)?.dispose();
  byPlugin?.delete(pluginId);
}

/** Connect a slot; disposing the result disconnects it. */
export function connection<T, U>(signal: ISignal<T, U>, slot: Slot<T, U>): IDisposable {
  signal.connect(slot);
  return new DisposableDelegate(() => signal.disconnect(slot));
}

/** Add commands to the palette's Memory Usage category and, as one group, to the View menu. */
export function showCommands(
  palette: ICommandPalette | null,
  mainMenu: IMainMenu | null,
  commands: readonly string[],
  menuRank: number
): IDisposable {
  const shown = new DisposableSet();
  for (const command of commands) {
    if (palette) {
      shown.add(palette.addItem({ command, category: COMMAND_CATEGORY }));
    }
  }
  if (mainMenu) {
    shown.add(mainMenu.viewMenu.addGroup(commands.map(command => ({ command })), menuRank));
  }
  return shown;
}
