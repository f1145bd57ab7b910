import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CommandIDs } from '../commands';
import { MemoryAlerts } from '../statusbar/alerts';
import { KernelStatusItem } from '../statusbar/item';
import { DEFAULT_THRESHOLDS, validThresholds } from '../statusbar/level';
import { KernelStatusModel } from '../statusbar/model';
import { ICurrentKernel, IMemoryUsageManager } from '../tokens';
import { connection, deactivate, registrations } from './registrations';

export const STATUS_PLUGIN_ID = 'jupyterlab-memory-usage:status';

/**
 * The current kernel's memory against its limit in the status bar, and a
 * warning when a running cell crosses the warning threshold.
 */
export const statusPlugin: JupyterFrontEndPlugin<void> = {
  id: STATUS_PLUGIN_ID,
  description: "Shows the kernel's memory and its limit, and warns before it is reached.",
  autoStart: true,
  requires: [IMemoryUsageManager, INotebookTracker, ICurrentKernel],
  optional: [IStatusBar, ISettingRegistry, ITranslator],
  deactivate: app => deactivate(app, STATUS_PLUGIN_ID),
  activate: (
    app: JupyterFrontEnd,
    manager: IMemoryUsageManager,
    tracker: INotebookTracker,
    current: ICurrentKernel,
    statusBar: IStatusBar | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_memory_usage');
    const model = new KernelStatusModel(current, manager);
    const alerts = new MemoryAlerts(tracker, manager, trans, {
      enabled: true,
      thresholds: { ...DEFAULT_THRESHOLDS }
    });
    const held = registrations(app, STATUS_PLUGIN_ID);
    held.add(model);
    held.add(alerts);

    if (statusBar) {
      const item = new KernelStatusItem(model, trans, () =>
        void app.commands.execute(CommandIDs.openTimeline)
      );
      held.add(
        statusBar.registerStatusItem(STATUS_PLUGIN_ID, {
          item,
          align: 'left',
          rank: 4,
          isActive: () => model.state !== null,
          activeStateChanged: model.changed
        })
      );
      held.add(item);
    }

    if (settingRegistry) {
      let warned = false;
      void settingRegistry.load(STATUS_PLUGIN_ID).then(settings => {
        const apply = () => {
          const { thresholds, valid } = validThresholds(
            settings.get('warningThreshold').composite,
            settings.get('criticalThreshold').composite
          );
          if (!valid && !warned) {
            warned = true;
            Notification.warning(
              trans.__(
                'Memory Usage: the warning threshold must be between 0 and 1 and not above the critical one; using %1 and %2.',
                DEFAULT_THRESHOLDS.warning,
                DEFAULT_THRESHOLDS.critical
              ),
              { autoClose: 8000 }
            );
          }
          model.thresholds = thresholds;
          alerts.settings = {
            enabled: settings.get('notifyOnWarning').composite !== false,
            thresholds
          };
        };
        held.add(connection(settings.changed, apply));
        apply();
      });
    }
  }
};
