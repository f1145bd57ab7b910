import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { MemoryUsageService } from '../service';
import { IMemoryUsageService } from '../tokens';

/**
 * The one object that calls the server extension's REST API.
 */
export const servicePlugin: JupyterFrontEndPlugin<IMemoryUsageService> = {
  id: 'jupyterlab-memory-usage:service',
  description: 'Calls the REST API of the jupyterlab_memory_usage server extension.',
  autoStart: true,
  provides: IMemoryUsageService,
  activate: (app: JupyterFrontEnd): IMemoryUsageService =>
    new MemoryUsageService(app.serviceManager.serverSettings)
};
