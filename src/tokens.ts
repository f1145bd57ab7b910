import { NotebookPanel } from '@jupyterlab/notebook';
import { Token } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

import { ByteUnits } from './format';
import { IExecutionRecord, IKernelState, ILineProfileReply, ISample, IVariablesReply } from './model/types';
import { MemoryUsageService } from './service';

/**
 * Every REST call to the server extension.
 */
export type IMemoryUsageService = MemoryUsageService;

export const IMemoryUsageService = new Token<IMemoryUsageService>(
  'jupyterlab-memory-usage:IMemoryUsageService',
  'Calls the REST API of the jupyterlab_memory_usage server extension.'
);

/**
 * The memory figures of one kernel, polled from the server extension.
 */
export interface IKernelMemoryModel extends IDisposable {
  readonly kernelId: string;
  /** The kernel's latest state, or null before the first reply. */
  readonly state: IKernelState | null;
  /** Every execution record held, by msg_id, in the order first seen. */
  readonly executions: ReadonlyMap<string, IExecutionRecord>;
  readonly samples: readonly ISample[];
  /** Records that changed in the last reply. */
  readonly executionsChanged: ISignal<this, IExecutionRecord[]>;
  readonly stateChanged: ISignal<this, IKernelState>;
  /** Emitted with the error when a poll fails (the poll then backs off). */
  readonly connectionFailure: ISignal<this, Error>;
  /** Poll now, and fast until that execution's record is seen finished. */
  expectExecution(msgId: string): void;
  /** Poll now. */
  refresh(): Promise<void>;
}

/**
 * One model per kernel, and the user's monitoring preferences.
 */
export interface IMemoryUsageManager {
  /** Whether the kernels are watched at all (setting `monitoring`). */
  readonly monitoring: boolean;
  readonly units: ByteUnits;
  readonly settingsChanged: ISignal<this, void>;
  /** The model of a kernel; null while monitoring is off. */
  modelFor(kernelId: string): IKernelMemoryModel | null;
  /**
   * A notebook's cell runs kept by the server from earlier sessions (earlier
   * kernels, or before a server restart); empty when there are none.
   */
  earlierRuns(notebookPath: string): Promise<IExecutionRecord[]>;
  /**
   * Turn heap mode (tracemalloc in the kernel) on or off; rejects with the
   * server's message when the kernel cannot (not IPython, no hook).
   */
  setHeapMode(kernelId: string, enabled: boolean): Promise<void>;
  /**
   * Profile the next run of a cell line by line (`null`: the next cell that
   * runs), then poll the kernel's model; rejects with the server's message when
   * the kernel cannot (not IPython, no hook).
   */
  armLineProfile(kernelId: string, cellId: string | null): Promise<ILineProfileReply>;
  /** No longer profile the cell asked for, then poll the kernel's model. */
  disarmLineProfile(kernelId: string): Promise<ILineProfileReply>;
  /**
   * The kernel's global names and what each holds (sized now when it is idle,
   * else the last result, `stale`); rejects with the server's message when the
   * kernel cannot (not IPython, no hook).
   */
  variables(kernelId: string): Promise<IVariablesReply>;
  /** Forget a kernel's records and samples, then poll its model. */
  clearHistory(kernelId: string): Promise<void>;
  /** Tell the server which cell an execution belongs to. */
  annotate(
    kernelId: string,
    msgId: string,
    cellId: string | null,
    notebookPath: string | null
  ): Promise<void>;
}

export const IMemoryUsageManager = new Token<IMemoryUsageManager>(
  'jupyterlab-memory-usage:IMemoryUsageManager',
  'The memory figures of every kernel, polled from the jupyterlab_memory_usage server extension.'
);

/**
 * The current notebook and the memory model of its kernel, followed through
 * notebook switches, kernel changes and monitoring turned off or on.
 */
export interface ICurrentKernel {
  /** Emitted when the panel, its kernel model or the model's state changed. */
  readonly changed: ISignal<this, void>;
  readonly panel: NotebookPanel | null;
  readonly model: IKernelMemoryModel | null;
}

export const ICurrentKernel = new Token<ICurrentKernel>(
  'jupyterlab-memory-usage:ICurrentKernel',
  "The current notebook and its kernel's memory model."
);
