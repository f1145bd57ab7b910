import { Kernel } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { Disposable } from '../disposable';
import { ByteUnits } from '../format';
import { IKernelMemoryModel, IMemoryUsageManager, IMemoryUsageService } from '../tokens';
import { KernelMemoryModel } from './kernelModel';
import { IExecutionRecord, ILineProfileReply, IVariablesReply } from './types';

export interface IMemoryUsageSettings {
  monitoring: boolean;
  units: ByteUnits;
  /** Turn heap mode on in every kernel a notebook here connects to. */
  heapModeByDefault?: boolean;
}

/**
 * Owns one model per running kernel, created on demand and disposed when the
 * kernel shuts down or monitoring is turned off.
 */
export class MemoryUsageManager extends Disposable implements IMemoryUsageManager {
  constructor(
    private readonly _service: IMemoryUsageService,
    kernels: Kernel.IManager
  ) {
    super();
    kernels.runningChanged.connect(this._onRunningChanged, this);
  }

  get monitoring(): boolean {
    return this._settings.monitoring;
  }

  get units(): ByteUnits {
    return this._settings.units;
  }

  get settingsChanged(): ISignal<this, void> {
    return this._settingsChanged;
  }

  configure(settings: IMemoryUsageSettings): void {
    const { monitoring, units, heapModeByDefault } = this._settings;
    if (
      settings.monitoring === monitoring &&
      settings.units === units &&
      !!settings.heapModeByDefault === !!heapModeByDefault
    ) {
      return;
    }
    this._settings = { ...settings };
    if (!settings.monitoring) {
      this._disposeModels(() => true);
    }
    this._settingsChanged.emit();
  }

  modelFor(kernelId: string): IKernelMemoryModel | null {
    if (!this.monitoring || this.isDisposed) {
      return null;
    }
    let model = this._models.get(kernelId);
    if (!model) {
      model = new KernelMemoryModel(kernelId, this._service);
      this._models.set(kernelId, model);
      model.stateChanged.connect(this._applyHeapDefault, this);
    }
    return model;
  }

  async setHeapMode(kernelId: string, enabled: boolean): Promise<void> {
    await this._service.setHeapMode(kernelId, enabled);
    await this._models.get(kernelId)?.refresh();
  }

  async armLineProfile(kernelId: string, cellId: string | null): Promise<ILineProfileReply> {
    const reply = await this._service.armLineProfile(kernelId, cellId);
    await this._models.get(kernelId)?.refresh();
    return reply;
  }

  async disarmLineProfile(kernelId: string): Promise<ILineProfileReply> {
    const reply = await this._service.disarmLineProfile(kernelId);
    await this._models.get(kernelId)?.refresh();
    return reply;
  }

  variables(kernelId: string): Promise<IVariablesReply> {
    return this._service.variables(kernelId);
  }

  async clearHistory(kernelId: string): Promise<void> {
    await this._service.clearHistory(kernelId);
    await this._models.get(kernelId)?.refresh();
  }

  async earlierRuns(notebookPath: string): Promise<IExecutionRecord[]> {
    if (!this.monitoring) {
      return [];
    }
    try {
      return await this._service.notebookRuns(notebookPath);
    } catch {
      return []; // an older server, or none: there is simply no earlier history
    }
  }

  async annotate(
    kernelId: string,
    msgId: string,
    cellId: string | null,
    notebookPath: string | null
  ): Promise<void> {
    if (!this.monitoring) {
      return;
    }
    try {
      await this._service.annotate(kernelId, msgId, cellId, notebookPath);
    } catch {
      // A missing server extension is reported once by the server-check
      // plugin; an unknown kernel has just gone away. Neither is news here.
    }
  }

  protected onDispose(): void {
    this._disposeModels(() => true);
  }

  /** Once per kernel process whose hook is ready, when heap mode is the default. */
  private _applyHeapDefault(model: KernelMemoryModel): void {
    const state = model.state;
    if (!this._settings.heapModeByDefault || !state || state.hook !== 'active' || state.heap_mode) {
      return;
    }
    const key = `${model.kernelId}:${state.pid}`;
    if (this._heapRequested.has(key)) {
      return;
    }
    this._heapRequested.add(key);
    void this.setHeapMode(model.kernelId, true).catch(() => undefined);
  }

  private _onRunningChanged(
    _: Kernel.IManager,
    running: Kernel.IModel[]
  ): void {
    const alive = new Set(running.map(k => k.id));
    this._disposeModels(id => !alive.has(id));
  }

  private _disposeModels(which: (kernelId: string) => boolean): void {
    for (const [kernelId, model] of this._models) {
      if (which(kernelId)) {
        model.dispose();
        this._models.delete(kernelId);
      }
    }
  }

  private _settings: IMemoryUsageSettings = {
    monitoring: true,
    units: 'binary'
  };
  private _models = new Map<string, KernelMemoryModel>();
  private _heapRequested = new Set<string>();
  private _settingsChanged = new Signal<this, void>(this);
}
