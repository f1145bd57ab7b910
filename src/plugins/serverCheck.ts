import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { checkServerExtension } from '../serverCheck';
import { IMemoryUsageService } from '../tokens';

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
    void app.restored.then(() => checkServerExtension(service, trans, shouldNotify));
  }
};
