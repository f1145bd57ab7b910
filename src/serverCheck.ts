import { Clipboard, Notification } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';

import { IMemoryUsageService } from './tokens';

/**
 * The Python package (and server extension) name.
 */
export const SERVER_EXTENSION_NAME = 'jupyterlab_memory_usage';

/**
 * The command that enables the server extension.
 */
export const ENABLE_COMMAND = `jupyter server extension enable ${SERVER_EXTENSION_NAME}`;

/** What to tell the user when the server extension did not answer. */
export function serverMissingMessage(reason: unknown, trans: TranslationBundle): string {
  // JupyterLab toasts show only the first 140 characters: keep the
  // enable command within them (the notification center shows all).
  if (reason instanceof ServerConnection.ResponseError && reason.response.status === 404) {
    return trans.__(
      'The %1 server extension is not enabled. Enable it with: %2, then restart the Jupyter server.',
      SERVER_EXTENSION_NAME,
      ENABLE_COMMAND
    );
  }
  const detail = reason instanceof Error ? reason.message : String(reason);
  return trans.__(
    'The %1 server extension failed. Check it is enabled: %2 (error: %3), then restart the Jupyter server.',
    SERVER_EXTENSION_NAME,
    ENABLE_COMMAND,
    detail
  );
}

/**
 * Ask the server extension once; when it does not answer and `shouldNotify`
 * agrees, warn the user with a button that copies the enable command. Says
 * nothing when it answers.
 */
export async function checkServerExtension(
  service: IMemoryUsageService,
  trans: TranslationBundle,
  shouldNotify: () => Promise<boolean>
): Promise<void> {
  try {
    await service.kernels();
  } catch (reason) {
    if (!(await shouldNotify())) {
      return;
    }
    Notification.warning(serverMissingMessage(reason, trans), {
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
}
