import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CommandIDs } from '../commands';
import { ICurrentKernel, IMemoryUsageManager } from '../tokens';
import { connection, deactivate, registrations, showCommands } from './registrations';

const HEAP_MODE_PLUGIN_ID = 'jupyterlab-memory-usage:heap-mode';

/**
 * The command that turns heap mode (tracemalloc) on or off in the current
 * notebook's kernel.
 */
export const heapModePlugin: JupyterFrontEndPlugin<void> = {
  id: HEAP_MODE_PLUGIN_ID,
  description: 'Turns heap mode (tracemalloc) on or off in the current kernel.',
  autoStart: true,
  requires: [IMemoryUsageManager, ICurrentKernel],
  optional: [ICommandPalette, IMainMenu, ITranslator],
  deactivate: app => deactivate(app, HEAP_MODE_PLUGIN_ID),
  activate: (
    app: JupyterFrontEnd,
    manager: IMemoryUsageManager,
    current: ICurrentKernel,
    palette: ICommandPalette | null,
    mainMenu: IMainMenu | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_memory_usage');
    const held = registrations(app, HEAP_MODE_PLUGIN_ID);
    held.add(app.commands.addCommand(CommandIDs.toggleHeapMode, {
      label: trans.__('Trace Python Heap (Heap Mode)'),
      caption: trans.__(
        'Also record what each cell allocated in Python (tracemalloc), which RAM cannot show when memory is reused. Tracing slows code that makes many small Python objects about 10× (measured: 6× to 13×); large NumPy arrays hardly.'
      ),
      isEnabled: () => current.model?.state?.hook === 'active',
      isToggled: () => current.model?.state?.heap_mode === true,
      execute: async () => {
        const model = current.model;
        if (!model) {
          return;
        }
        try {
          await manager.setHeapMode(model.kernelId, !(model.state?.heap_mode === true));
        } catch (error) {
          Notification.warning(
            trans.__('Heap mode is not available for this kernel: %1', (error as Error).message),
            { autoClose: 8000 }
          );
        }
        app.commands.notifyCommandChanged(CommandIDs.toggleHeapMode);
      }
    }));
    held.add(showCommands(palette, mainMenu, [CommandIDs.toggleHeapMode], 60));
    held.add(
      connection(current.changed, () => app.commands.notifyCommandChanged(CommandIDs.toggleHeapMode))
    );
  }
};
