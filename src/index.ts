import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { serverCheckPlugin } from './plugins/serverCheck';

/**
 * All plugins provided by the jupyterlab-memory-usage extension.
 */
const plugins: JupyterFrontEndPlugin<any>[] = [serverCheckPlugin];

export default plugins;
