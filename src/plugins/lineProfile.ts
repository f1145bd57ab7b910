import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { COMMAND_CATEGORY, CommandIDs } from '../commands';
import { armedMessage, finishedMessage } from '../lines/profile';
import { IProfileResult, LineProfileRequests } from '../lines/profileRequests';
import { ICurrentKernel, IMemoryUsageManager } from '../tokens';
import { connection, deactivate, registrations } from './registrations';

const LINE_PROFILE_PLUGIN_ID = 'jupyterlab-memory-usage:line-profile';
const NOTIFICATION_MS = 10000;
/** Where the commands stand in a code cell's context menu. */
const CELL_SELECTOR = '.jp-Notebook .jp-CodeCell';

/**
 * The commands that profile the active cell's next run line by line, or no
 * longer, and the notifications of what each profile found.
 */
export const lineProfilePlugin: JupyterFrontEndPlugin<void> = {
  id: LINE_PROFILE_PLUGIN_ID,
  description: "Profiles the memory of a cell's next run line by line.",
  autoStart: true,
  requires: [IMemoryUsageManager, ICurrentKernel],
  optional: [ICommandPalette, IMainMenu, ITranslator],
  deactivate: app => deactivate(app, LINE_PROFILE_PLUGIN_ID),
  activate: (
    app: JupyterFrontEnd,
    manager: IMemoryUsageManager,
    current: ICurrentKernel,
    palette: ICommandPalette | null,
    mainMenu: IMainMenu | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_memory_usage');
    const held = registrations(app, LINE_PROFILE_PLUGIN_ID);
    const requests = new LineProfileRequests(manager);
    held.add(requests);
    const activeCodeCell = () => {
      const cell = current.panel?.content.activeCell;
      return cell && cell.model.type === 'code' ? cell : null;
    };
    const armed = () => current.model?.state?.line_profile_armed ?? null;
    const notify = () => {
      app.commands.notifyCommandChanged(CommandIDs.profileLines);
      app.commands.notifyCommandChanged(CommandIDs.cancelLineProfile);
    };

    held.add(app.commands.addCommand(CommandIDs.profileLines, {
      label: trans.__('Profile Memory by Line'),
      caption: trans.__(
        'Profile the next run of the active cell line by line: the memory each line kept, its peak, its runs and its time, beside the lines it ran (in this cell and in the cells that defined the functions it called). Profiling slows those lines down.'
      ),
      isEnabled: () => current.model !== null && activeCodeCell() !== null,
      isToggled: () => armed() !== null && armed() === activeCodeCell()?.model.id,
      execute: async () => {
        const model = current.model;
        const cell = activeCodeCell();
        if (!model || !cell) {
          return;
        }
        try {
          const reply = await requests.arm(model.kernelId, cell.model.id);
          Notification.info(armedMessage(reply, trans), { autoClose: NOTIFICATION_MS });
        } catch (error) {
          Notification.error(
            trans.__('This cell cannot be profiled line by line: %1', (error as Error).message),
            { autoClose: NOTIFICATION_MS }
          );
        }
        notify();
      }
    }));

    held.add(app.commands.addCommand(CommandIDs.cancelLineProfile, {
      label: trans.__('Cancel Line Profile'),
      caption: trans.__('Do not profile the next run of the cell asked for after all'),
      isEnabled: () => armed() !== null,
      execute: async () => {
        const model = current.model;
        if (!model) {
          return;
        }
        try {
          await requests.cancel(model.kernelId);
          Notification.info(trans.__('The line profile is cancelled.'), { autoClose: 5000 });
        } catch (error) {
          Notification.error(
            trans.__('The line profile could not be cancelled: %1', (error as Error).message),
            { autoClose: NOTIFICATION_MS }
          );
        }
        notify();
      }
    }));

    held.add(
      connection(requests.finished, (_: LineProfileRequests, { record }: IProfileResult) => {
        const profile = record.line_profile;
        if (!profile) {
          return;
        }
        const message = finishedMessage(profile, trans);
        if (profile.error !== null) {
          Notification.error(message, { autoClose: NOTIFICATION_MS });
        } else {
          Notification.success(message, { autoClose: NOTIFICATION_MS });
        }
      })
    );

    const commands = [CommandIDs.profileLines, CommandIDs.cancelLineProfile];
    for (const command of commands) {
      if (palette) {
        held.add(palette.addItem({ command, category: COMMAND_CATEGORY }));
      }
      held.add(app.contextMenu.addItem({ command, selector: CELL_SELECTOR, rank: 30 }));
    }
    if (mainMenu) {
      held.add(mainMenu.runMenu.addGroup(commands.map(command => ({ command })), 100));
    }
    held.add(connection(current.changed, notify));
  }
};
