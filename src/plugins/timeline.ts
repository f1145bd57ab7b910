import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, ICommandPalette, Notification, showDialog } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CommandIDs } from '../commands';
import { TimelineModel } from '../timeline/model';
import { TimelinePanel } from '../timeline/panel';
import { isSection } from '../timeline/sections';
import { DEFAULT_VARIABLES_THRESHOLD_BYTES } from '../timeline/variablesModel';
import { ICurrentKernel, IMemoryUsageManager } from '../tokens';
import { connection, deactivate, registrations, showCommands } from './registrations';

export const TIMELINE_PLUGIN_ID = 'jupyterlab-memory-usage:timeline';
/** Where the panel's section is kept across reloads. */
const SECTION_STATE_KEY = `${TIMELINE_PLUGIN_ID}:section`;

/**
 * The timeline side panel, and the export and clear commands that act on the
 * current notebook's kernel history.
 */
export const timelinePlugin: JupyterFrontEndPlugin<void> = {
  id: TIMELINE_PLUGIN_ID,
  description: 'A side panel with the kernel memory over the session, cell by cell.',
  autoStart: true,
  requires: [IMemoryUsageManager, ICurrentKernel],
  optional: [ICommandPalette, IMainMenu, ILayoutRestorer, ITranslator, IStateDB, ISettingRegistry],
  deactivate: app => deactivate(app, TIMELINE_PLUGIN_ID),
  activate: (
    app: JupyterFrontEnd,
    manager: IMemoryUsageManager,
    current: ICurrentKernel,
    palette: ICommandPalette | null,
    mainMenu: IMainMenu | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    state: IStateDB | null,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_memory_usage');
    const model = new TimelineModel(current, manager);
    const panel = new TimelinePanel(model, trans);
    const held = registrations(app, TIMELINE_PLUGIN_ID);
    held.add(model);
    held.add(panel);
    const hasHistory = () => model.notice === null;
    app.shell.add(panel, 'right', { rank: 900 });
    restorer?.add(panel, panel.id);
    if (settingRegistry) {
      void settingRegistry.load(TIMELINE_PLUGIN_ID).then(settings => {
        const apply = () => {
          const mib = settings.get('variablesThresholdMiB').composite;
          model.variables.thresholdBytes =
            typeof mib === 'number' && mib >= 0 ? mib * 2 ** 20 : DEFAULT_VARIABLES_THRESHOLD_BYTES;
        };
        held.add(connection(settings.changed, apply));
        apply();
      });
    }
    if (state) {
      void state
        .fetch(SECTION_STATE_KEY)
        .then(saved => {
          if (isSection(saved)) {
            model.section = saved;
          }
        })
        .catch(() => undefined) // a state database that cannot be read: the default section
        .then(() => held.add(connection(model.sectionChanged, (_, section) => void state.save(SECTION_STATE_KEY, section))));
    }

    held.add(app.commands.addCommand(CommandIDs.openTimeline, {
      label: trans.__('Open Memory Timeline'),
      caption: trans.__("The current notebook's kernel memory over the session, cell by cell"),
      icon: args => (args.isPalette ? undefined : panel.title.icon),
      execute: () => app.shell.activateById(panel.id)
    }));

    held.add(app.commands.addCommand(CommandIDs.exportRecords, {
      label: trans.__('Export Memory Measurements'),
      caption: trans.__(
        'Save the kernel’s execution records next to the notebook, as CSV and JSON, and their statements as a second CSV'
      ),
      isEnabled: hasHistory,
      execute: async () => {
        const saved = await model.saveExport(app.serviceManager.contents);
        if (!saved) {
          return;
        }
        Notification.success(
          trans.__(
            'Saved %1 records to %2.csv, %2.statements.csv and %2.json',
            saved.count,
            saved.base
          ),
          { autoClose: 5000 }
        );
      }
    }));

    held.add(app.commands.addCommand(CommandIDs.clearHistory, {
      label: trans.__('Clear Memory History'),
      caption: trans.__("Forget the current kernel's execution records and samples"),
      isEnabled: hasHistory,
      execute: async () => {
        if (!model.panel?.sessionContext.session?.kernel) {
          return;
        }
        const answer = await showDialog({
          title: trans.__('Clear the memory history?'),
          body: trans.__(
            'The memory records of every execution of this kernel, and its badges, will be forgotten.'
          ),
          buttons: [
            Dialog.cancelButton({ label: trans.__('Cancel') }),
            Dialog.warnButton({ label: trans.__('Clear') })
          ]
        });
        if (!answer.button.accept) {
          return;
        }
        await model.clearHistory();
      }
    }));

    held.add(
      showCommands(
        palette,
        mainMenu,
        [CommandIDs.openTimeline, CommandIDs.exportRecords, CommandIDs.clearHistory],
        61
      )
    );
    held.add(
      app.contextMenu.addItem({
        command: CommandIDs.openTimeline,
        selector: '.jp-MemoryUsage-badge',
        rank: 0
      })
    );
    held.add(
      connection(model.changed, () => {
        app.commands.notifyCommandChanged(CommandIDs.exportRecords);
        app.commands.notifyCommandChanged(CommandIDs.clearHistory);
      })
    );
  }
};
