import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CommandIDs } from '../commands';
import { ByteUnits } from '../format';
import { NotebookAnnotators } from '../model/annotator';
import { MemoryUsageManager } from '../model/manager';
import { IMemoryUsageManager, IMemoryUsageService } from '../tokens';
import { connection, deactivate, registrations, showCommands } from './registrations';

export const MANAGER_PLUGIN_ID = 'jupyterlab-memory-usage:manager';

/**
 * Provides the per-kernel models, ties each notebook's executions to their
 * cells, and owns the monitoring switch.
 */
export const managerPlugin: JupyterFrontEndPlugin<IMemoryUsageManager> = {
  id: MANAGER_PLUGIN_ID,
  description: 'Polls the memory figures of every kernel from the server.',
  autoStart: true,
  provides: IMemoryUsageManager,
  requires: [IMemoryUsageService],
  optional: [
    ISettingRegistry,
    INotebookTracker,
    ICommandPalette,
    IMainMenu,
    ITranslator
  ],
  deactivate: app => deactivate(app, MANAGER_PLUGIN_ID),
  activate: (
    app: JupyterFrontEnd,
    service: IMemoryUsageService,
    settingRegistry: ISettingRegistry | null,
    tracker: INotebookTracker | null,
    palette: ICommandPalette | null,
    mainMenu: IMainMenu | null,
    translator: ITranslator | null
  ): IMemoryUsageManager => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_memory_usage');
    const held = registrations(app, MANAGER_PLUGIN_ID);
    const manager = new MemoryUsageManager(service, app.serviceManager.kernels);
    held.add(manager);
    let settings: ISettingRegistry.ISettings | null = null;

    const apply = () => {
      if (!settings) {
        return;
      }
      manager.configure({
        monitoring: settings.get('monitoring').composite !== false,
        units: (settings.get('units').composite as ByteUnits) ?? 'binary',
        heapModeByDefault: settings.get('heapModeByDefault').composite === true
      });
      app.commands.notifyCommandChanged(CommandIDs.toggleMonitoring);
    };
    if (settingRegistry) {
      void settingRegistry.load(MANAGER_PLUGIN_ID).then(loaded => {
        settings = loaded;
        held.add(connection(loaded.changed, apply));
        apply();
      });
    }

    held.add(app.commands.addCommand(CommandIDs.toggleMonitoring, {
      label: trans.__('Monitor Kernel Memory'),
      caption: trans.__(
        'Measure the memory of every cell this notebook runs (polls the server)'
      ),
      isToggled: () => manager.monitoring,
      execute: async () => {
        const monitoring = !manager.monitoring;
        if (settings) {
          await settings.set('monitoring', monitoring);
        } else {
          manager.configure({ monitoring, units: manager.units });
          app.commands.notifyCommandChanged(CommandIDs.toggleMonitoring);
        }
      }
    }));
    held.add(showCommands(palette, mainMenu, [CommandIDs.toggleMonitoring], 60));
    if (tracker) {
      held.add(new NotebookAnnotators(tracker, manager));
    }
    return manager;
  }
};
