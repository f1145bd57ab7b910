import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';

import { CurrentKernel } from '../model/currentKernel';
import { ICurrentKernel, IMemoryUsageManager } from '../tokens';

/**
 * The current notebook's kernel model, one for every plugin that shows it.
 */
export const currentKernelPlugin: JupyterFrontEndPlugin<ICurrentKernel> = {
  id: 'jupyterlab-memory-usage:current-kernel',
  description: "Follows the current notebook and its kernel's memory model.",
  autoStart: true,
  provides: ICurrentKernel,
  requires: [IMemoryUsageManager, INotebookTracker],
  activate: (
    _: JupyterFrontEnd,
    manager: IMemoryUsageManager,
    tracker: INotebookTracker
  ): ICurrentKernel => new CurrentKernel(tracker, manager)
};
