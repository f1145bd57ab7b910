import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';

import { CurrentKernel } from '../model/currentKernel';
import { ICurrentKernel, IMemoryUsageManager } from '../tokens';
import { deactivate, registrations } from './registrations';

const CURRENT_KERNEL_PLUGIN_ID = 'jupyterlab-memory-usage:current-kernel';

/**
 * The current notebook's kernel model, one for every plugin that shows it.
 */
export const currentKernelPlugin: JupyterFrontEndPlugin<ICurrentKernel> = {
  id: CURRENT_KERNEL_PLUGIN_ID,
  description: "Follows the current notebook and its kernel's memory model.",
  autoStart: true,
  provides: ICurrentKernel,
  requires: [IMemoryUsageManager, INotebookTracker],
  deactivate: app => deactivate(app, CURRENT_KERNEL_PLUGIN_ID),
  activate: (
    app: JupyterFrontEnd,
    manager: IMemoryUsageManager,
    tracker: INotebookTracker
  ): ICurrentKernel => {
    const current = new CurrentKernel(tracker, manager);
    registrations(app, CURRENT_KERNEL_PLUGIN_ID).add(current);
    return current;
  }
};
