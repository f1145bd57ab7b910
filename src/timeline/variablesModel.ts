import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { Disposable } from '../disposable';
import { IExecutionRecord, IKernelState, IVariablesReply } from '../model/types';
import { ICurrentKernel, IKernelMemoryModel, IMemoryUsageManager } from '../tokens';

const MIB = 2 ** 20;
/**
 * How long a finished cell waits before its list is fetched: in "Run All" the
 * next cell starts within it, and the sizing does not slip in between.
 */
const SETTLE_MS = 300;
/** The setting's default: names holding more than this are listed. */
export const DEFAULT_VARIABLES_THRESHOLD_BYTES = MIB;

/**
 * The current kernel's variables, fetched when the Variables section is on
 * screen: when it is shown, when a cell has finished since the last fetch,
 * and on request; never while a cell runs (the kernel would size them only
 * after it, and the server answers the last result meanwhile).
 */
export interface IVariablesError {
  /** The HTTP status; null when the server did not answer. */
  status: number | null;
  message: string;
}

export class VariablesModel extends Disposable {
  constructor(
    private readonly _current: ICurrentKernel,
    private readonly _manager: IMemoryUsageManager
  ) {
    super();
    _current.changed.connect(this._follow, this);
    this._follow();
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The latest reply for the current kernel; null before one, or after an error. */
  get reply(): IVariablesReply | null {
    return this._reply;
  }

  /** Why there is no list: the server's reply (409: no hook, not IPython; 404: gone), or a failed request. */
  get error(): IVariablesError | null {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  /** A cell of the current kernel is running: the list waits for it to end. */
  get busy(): boolean {
    const model = this._kernelModel;
    if (!model) {
      return false;
    }
    return model.state?.execution_state === 'busy' || [...model.executions.values()].some(isRunning);
  }

  get hasKernel(): boolean {
    return this._kernelModel !== null;
  }

  /** Names holding at most this many bytes are counted, not listed (setting `variablesThresholdMiB`). */
  get thresholdBytes(): number {
    return this._thresholdBytes;
  }

  set thresholdBytes(bytes: number) {
    if (bytes !== this._thresholdBytes) {
      this._thresholdBytes = bytes;
      this._changed.emit();
    }
  }

  /** Whether the section is on screen; becoming so fetches what changed since. */
  get active(): boolean {
    return this._active;
  }

  set active(active: boolean) {
    if (active === this._active) {
      return;
    }
    this._active = active;
    if (active && this._outdated) {
      void this.refresh();
    }
  }

  /** Fetch the list now, unless a cell runs (then it comes when the cell ends). */
  async refresh(): Promise<void> {
    const model = this._kernelModel;
    if (!model || this.isDisposed) {
      return;
    }
    if (this.busy) {
      this._outdated = true;
      return;
    }
    if (this._loading) {
      this._again = true;
      return;
    }
    this._outdated = false;
    this._loading = true;
    this._changed.emit();
    try {
      const reply = await this._manager.variables(model.kernelId);
      if (model === this._kernelModel) {
        this._reply = reply;
        this._error = null;
      }
    } catch (error) {
      if (model === this._kernelModel) {
        this._reply = null;
        this._error = {
          status: error instanceof ServerConnection.ResponseError ? error.response.status : null,
          message: error instanceof Error ? error.message : String(error)
        };
      }
    } finally {
      this._loading = false;
      if (!this.isDisposed) {
        this._changed.emit();
      }
    }
    if (this._again) {
      this._again = false;
      await this.refresh();
    }
  }

  protected onDispose(): void {
    clearTimeout(this._settle);
    this._current.changed.disconnect(this._follow, this);
    this._watch(null);
  }

  private _follow(): void {
    const model = this._current.model;
    if (model === this._kernelModel) {
      return;
    }
    this._watch(model);
    this._reply = null;
    this._error = null;
    this._again = false;
    this._outdated = true;
    this._hook = model?.state?.hook ?? null;
    this._changed.emit();
    if (this._active) {
      void this.refresh();
    }
  }

  private _watch(model: IKernelMemoryModel | null): void {
    this._kernelModel?.executionsChanged.disconnect(this._onExecutions, this);
    this._kernelModel?.stateChanged.disconnect(this._onState, this);
    this._kernelModel = model;
    model?.executionsChanged.connect(this._onExecutions, this);
    model?.stateChanged.connect(this._onState, this);
  }

  /** A cell ended: the namespace may have changed. */
  private _onExecutions(_: IKernelMemoryModel, changed: IExecutionRecord[]): void {
    if (changed.some(r => !isRunning(r))) {
      this._outdated = true;
      this._refreshIfShown();
    }
    this._changed.emit(); // `busy` may have changed: the Refresh button follows it
  }

  /** The hook became active (or went): the list can be had now, or no longer. */
  private _onState(_: IKernelMemoryModel, state: IKernelState): void {
    if (state.hook !== this._hook) {
      this._hook = state.hook;
      this._outdated = true;
    }
    this._refreshIfShown();
  }

  private _refreshIfShown(): void {
    if (!this._active || !this._outdated || this.busy || this._loading || this._settle !== undefined) {
      return;
    }
    this._settle = setTimeout(() => {
      this._settle = undefined;
      if (this._active && this._outdated && !this.busy) {
        void this.refresh();
      }
    }, SETTLE_MS);
  }

  private _kernelModel: IKernelMemoryModel | null = null;
  private _reply: IVariablesReply | null = null;
  private _error: IVariablesError | null = null;
  private _loading = false;
  private _again = false;
  /** A cell ended, or the kernel changed, since the last fetch. */
  private _outdated = true;
  private _active = false;
  private _hook: string | null = null;
  private _settle: ReturnType<typeof setTimeout> | undefined = undefined;
  private _thresholdBytes = DEFAULT_VARIABLES_THRESHOLD_BYTES;
  private _changed = new Signal<this, void>(this);
}

function isRunning(record: IExecutionRecord): boolean {
  return record.status === 'running';
}
