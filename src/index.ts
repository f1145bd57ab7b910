import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { badgesPlugin } from './plugins/badges';
import { currentKernelPlugin } from './plugins/currentKernel';
import { heapModePlugin } from './plugins/heapMode';
import { lineProfilePlugin } from './plugins/lineProfile';
import { managerPlugin } from './plugins/manager';
import { serverCheckPlugin } from './plugins/serverCheck';
import { servicePlugin } from './plugins/service';
import { statusPlugin } from './plugins/status';
import { timelinePlugin } from './plugins/timeline';

/**
 * All plugins of the extension; each can be disabled on its own.
 */
const plugins: JupyterFrontEndPlugin<any>[] = [
  servicePlugin,
  serverCheckPlugin,
  managerPlugin,
  currentKernelPlugin,
  heapModePlugin,
  lineProfilePlugin,
  badgesPlugin,
  timelinePlugin,
  statusPlugin
];

export default plugins;
