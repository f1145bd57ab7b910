import { ISignal } from '@lumino/signaling';
import { Token } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';

import { ByteUnits } from './format';
import { IExecutionRecord, IKernelState, ISample } from './model/types';

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
  /** The runs of a cell, newest first. */
  runsOfCell(cellId: string): IExecutionRecord[];
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
