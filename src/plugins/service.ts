import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { MemoryUsageService } from '../service';
import { IMemoryUsageService } from '../tokens';
import { deactivate, registrations } from './registrations';

const SERVICE_PLUGIN_ID = 'jupyterlab-memory-usage:service';

/**
 * The one object that calls the server extension's REST API.
 */
export const servicePlugin: JupyterFrontEndPlugin<IMemoryUsageService> = {
  id: SERVICE_PLUGIN_ID,
  description: 'Calls the REST API of the jupyterlab_memory_usage server extension.',
  autoStart: true,
  provides: IMemoryUsageService,
  deactivate: app => deactivate(app, SERVICE_PLUGIN_ID),
  activate: (app: JupyterFrontEnd): IMemoryUsageService => {
    const service = new MemoryUsageService(app.serviceManager.serverSettings);
    registrations(app, SERVICE_PLUGIN_ID).add(service);
    return service;
  }
};
