import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { IMemoryUsageService } from '../tokens';

/**
 * The Python package (and server extension) name.
 */
export const SERVER_EXTENSION_NAME = 'jupyterlab_memory_usage';

/**
 * The command that enables the server extension.
 */
export const ENABLE_COMMAND = `jupyter server extension enable ${SERVER_EXTENSION_NAME}`;

/**
 * Plugin id; its settings schema is `schema/server-check.json`.
 */
export const SERVER_CHECK_PLUGIN_ID = 'jupyterlab-memory-usage:server-check';

/**
 * Check once that the server extension answers; warn the user otherwise.
 *
 * Nothing is logged when the check succeeds.
 */
export const serverCheckPlugin: JupyterFrontEndPlugin<void> = {
  id: SERVER_CHECK_PLUGIN_ID,
  description:
    'Checks that the jupyterlab_memory_usage server extension is enabled and warns if it is not.',
  autoStart: true,
  requires: [IMemoryUsageService],
  optional: [ITranslator, ISettingRegistry],
  // It registers nothing: a warning, if any, is the user's to close.
  deactivate: () => undefined,
  activate: (
    app: JupyterFrontEnd,
    service: IMemoryUsageService,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_memory_usage');

    const shouldNotify = async (): Promise<boolean> => {
      if (!settingRegistry) {
        return true;
      }
      try {
        const settings = await settingRegistry.load(SERVER_CHECK_PLUGIN_ID);
        return settings.get('notifyIfMissing').composite !== false;
      } catch {
        // Without settings, keep the default behaviour (notify).
        return true;
      }
    };

    const check = async (): Promise<void> => {
      try {
        await service.kernels();
        return;
      } catch (reason) {
        if (!(await shouldNotify())) {
          return;
        }
        // JupyterLab toasts show only the first 140 characters: keep the
        // enable command within them (the notification center shows all).
        let message: string;
        if (
          reason instanceof ServerConnection.ResponseError &&
          reason.response.status === 404
        ) {
          message = trans.__(
            'The %1 server extension is not enabled. Enable it with: %2, then restart the Jupyter server.',
            SERVER_EXTENSION_NAME,
            ENABLE_COMMAND
          );
        } else {
          const detail =
            reason instanceof Error ? reason.message : String(reason);
          message = trans.__(
            'The %1 server extension failed. Check it is enabled: %2 (error: %3), then restart the Jupyter server.',
            SERVER_EXTENSION_NAME,
            ENABLE_COMMAND,
            detail
          );
        }
        Notification.warning(message, {
          autoClose: false,
          actions: [
            {
              label: trans.__('Copy command'),
              caption: trans.__('Copy "%1" to the clipboard', ENABLE_COMMAND),
              callback: () => Clipboard.copyToSystem(ENABLE_COMMAND)
            }
          ]
        });
      }
    };

    void app.restored.then(check);
  }
};
