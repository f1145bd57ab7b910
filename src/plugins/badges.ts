import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';

import { IBadgeSettings, NotebookBadges } from '../badges/notebookBadges';
import { COMMAND_CATEGORY, CommandIDs } from '../commands';
import { IMemoryUsageManager } from '../tokens';

export const BADGES_PLUGIN_ID = 'jupyterlab-memory-usage:badges';
const MIB = 2 ** 20;

/**
 * A memory badge on every executed code cell, through one widget extension
 * per notebook panel.
 */
export const badgesPlugin: JupyterFrontEndPlugin<void> = {
  id: BADGES_PLUGIN_ID,
  description: 'Shows on each executed cell the memory it cost.',
  autoStart: true,
  requires: [IMemoryUsageManager],
  optional: [ISettingRegistry, ICommandPalette, IMainMenu, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    manager: IMemoryUsageManager,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    mainMenu: IMainMenu | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_memory_usage');
    let current: IBadgeSettings = {
      show: true,
      minimumDeltaBytes: 0,
      saveToMetadata: false
    };
    let settings: ISettingRegistry.ISettings | null = null;
    const live = new Set<NotebookBadges>();

    const extension: DocumentRegistry.IWidgetExtension<
      NotebookPanel,
      INotebookModel
    > = {
      createNew: (panel: NotebookPanel): IDisposable => {
        const badges = new NotebookBadges(panel, manager, trans, current);
        live.add(badges);
        panel.disposed.connect(() => {
          live.delete(badges);
          badges.dispose();
        });
        return badges;
      }
    };
    app.docRegistry.addWidgetExtension('Notebook', extension);

    const apply = () => {
      if (!settings) {
        return;
      }
      const minimumMiB = Number(settings.get('minimumDeltaMiB').composite);
      current = {
        show: settings.get('showBadges').composite !== false,
        minimumDeltaBytes:
          Number.isFinite(minimumMiB) && minimumMiB > 0 ? minimumMiB * MIB : 0,
        saveToMetadata: settings.get('saveToMetadata').composite === true
      };
      for (const badges of live) {
        badges.settings = current;
      }
      app.commands.notifyCommandChanged(CommandIDs.toggleBadges);
    };
    if (settingRegistry) {
      void settingRegistry.load(BADGES_PLUGIN_ID).then(loaded => {
        settings = loaded;
        loaded.changed.connect(apply);
        apply();
      });
    }

    app.commands.addCommand(CommandIDs.toggleBadges, {
      label: trans.__('Show Memory Badges on Cells'),
      caption: trans.__(
        'Show on each executed cell the memory it used, its peak and its duration'
      ),
      isToggled: () => current.show,
      execute: async () => {
        if (settings) {
          await settings.set('showBadges', !current.show);
        } else {
          current = { ...current, show: !current.show };
          for (const badges of live) {
            badges.settings = current;
          }
          app.commands.notifyCommandChanged(CommandIDs.toggleBadges);
        }
      }
    });
    palette?.addItem({
      command: CommandIDs.toggleBadges,
      category: COMMAND_CATEGORY
    });
    mainMenu?.viewMenu.addGroup([{ command: CommandIDs.toggleBadges }], 60);
  }
};
