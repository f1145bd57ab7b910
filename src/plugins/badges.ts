import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { BadgesExtension } from '../badges/extension';
import { IBadgeSettings } from '../badges/notebookBadges';
import { CommandIDs } from '../commands';
import { IMemoryUsageManager } from '../tokens';
import { connection, deactivate, registrations, showCommands } from './registrations';

export const BADGES_PLUGIN_ID = 'jupyterlab-memory-usage:badges';
const MIB = 2 ** 20;

/** The badge settings from `schema/badges.json`. */
function badgeSettings(settings: ISettingRegistry.ISettings): IBadgeSettings {
  const minimumMiB = Number(settings.get('minimumDeltaMiB').composite);
  return {
    show: settings.get('showBadges').composite !== false,
    minimumDeltaBytes:
      Number.isFinite(minimumMiB) && minimumMiB > 0 ? minimumMiB * MIB : 0,
    saveToMetadata: settings.get('saveToMetadata').composite === true,
    showLineMarks: settings.get('showLineMarks').composite !== false
  };
}

/**
 * A memory badge on every executed code cell, through one widget extension
 * per notebook panel.
 */
export const badgesPlugin: JupyterFrontEndPlugin<void> = {
  id: BADGES_PLUGIN_ID,
  description: 'Shows on each executed cell the memory it cost.',
  autoStart: true,
  requires: [IMemoryUsageManager],
  optional: [ISettingRegistry, ICommandPalette, IMainMenu, ITranslator, INotebookTracker],
  deactivate: app => deactivate(app, BADGES_PLUGIN_ID),
  activate: (
    app: JupyterFrontEnd,
    manager: IMemoryUsageManager,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    mainMenu: IMainMenu | null,
    translator: ITranslator | null,
    tracker: INotebookTracker | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_memory_usage');
    const held = registrations(app, BADGES_PLUGIN_ID);
    const extension = new BadgesExtension(manager, trans);
    held.add(app.docRegistry.addWidgetExtension('Notebook', extension));

    let settings: ISettingRegistry.ISettings | null = null;
    const apply = (next: IBadgeSettings) => {
      extension.settings = next;
      app.commands.notifyCommandChanged(CommandIDs.toggleBadges);
    };
    if (settingRegistry) {
      void settingRegistry.load(BADGES_PLUGIN_ID).then(loaded => {
        settings = loaded;
        held.add(connection(loaded.changed, () => apply(badgeSettings(loaded))));
        apply(badgeSettings(loaded));
      });
    }

    held.add(app.commands.addCommand(CommandIDs.toggleBadges, {
      label: trans.__('Show Memory Badges on Cells'),
      caption: trans.__(
        'Show on each executed cell the memory it used, its peak and its duration'
      ),
      isToggled: () => extension.settings.show,
      execute: async () => {
        const show = !extension.settings.show;
        if (settings) {
          await settings.set('showBadges', show);
        } else {
          apply({ ...extension.settings, show });
        }
      }
    }));
    const notebook = () => tracker?.currentWidget ?? null;
    held.add(app.commands.addCommand(CommandIDs.clearLineProfile, {
      label: trans.__('Clear Line Profile'),
      caption: trans.__(
        "Remove the line profile's marks from the current notebook: its cells show their own runs' marks again"
      ),
      isEnabled: () => {
        const panel = notebook();
        return panel !== null && extension.showsLineProfile(panel);
      },
      execute: () => {
        const panel = notebook();
        if (panel) {
          extension.clearLineProfile(panel);
        }
      }
    }));
    held.add(
      app.contextMenu.addItem({
        command: CommandIDs.clearLineProfile,
        selector: '.jp-Notebook .jp-CodeCell',
        rank: 31
      })
    );
    held.add(
      showCommands(palette, mainMenu, [CommandIDs.toggleBadges, CommandIDs.clearLineProfile], 60)
    );
  }
};
