import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { badgesPlugin } from './plugins/badges';
import { managerPlugin } from './plugins/manager';
import { serverCheckPlugin } from './plugins/serverCheck';
import { statusPlugin } from './plugins/status';
import { timelinePlugin } from './plugins/timeline';

/**
 * All plugins of the extension; each can be disabled on its own.
 */
const plugins: JupyterFrontEndPlugin<any>[] = [
  serverCheckPlugin,
  managerPlugin,
  badgesPlugin,
  timelinePlugin,
  statusPlugin
];

export default plugins;
