import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { COMMAND_CATEGORY, CommandIDs } from '../commands';
import { ByteUnits } from '../format';
import { NotebookAnnotators } from '../model/annotator';
import { MemoryUsageManager } from '../model/manager';
import { IMemoryUsageManager, IMemoryUsageService } from '../tokens';

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
    const manager = new MemoryUsageManager(service, app.serviceManager.kernels);
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
        loaded.changed.connect(apply);
        apply();
      });
    }

    app.commands.addCommand(CommandIDs.toggleMonitoring, {
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
    });
    palette?.addItem({
      command: CommandIDs.toggleMonitoring,
      category: COMMAND_CATEGORY
    });
    mainMenu?.viewMenu.addGroup([{ command: CommandIDs.toggleMonitoring }], 60);

    if (tracker) {
      new NotebookAnnotators(tracker, manager);
    }
    return manager;
  }
};
