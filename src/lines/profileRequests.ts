import { ISignal, Signal } from '@lumino/signaling';

import { Disposable } from '../disposable';
import { IExecutionRecord, ILineProfileReply } from '../model/types';
import { IKernelMemoryModel, IMemoryUsageManager } from '../tokens';

/** A finished run of a kernel that this frontend asked to profile line by line. */
export interface IProfileResult {
  kernelId: string;
  record: IExecutionRecord;
}

/**
 * The line profiles asked for from this frontend: arms and disarms them
 * through the manager, and emits `finished` once with the run each one
 * profiled (a profile seen in the records before it was asked for is not news).
 */
export class LineProfileRequests extends Disposable {
  constructor(private readonly _manager: IMemoryUsageManager) {
    super();
  }

  /** Emitted with the profiled run of a profile asked for here. */
  get finished(): ISignal<this, IProfileResult> {
    return this._finished;
  }

  /** Profile the next run of a cell (`null`: the next cell); rejects with the server's message. */
  async arm(kernelId: string, cellId: string | null): Promise<ILineProfileReply> {
    const reply = await this._manager.armLineProfile(kernelId, cellId);
    if (!this.isDisposed) {
      this._watch(kernelId);
    }
    return reply;
  }

  /** No longer profile the cell asked for; rejects with the server's message. */
  async cancel(kernelId: string): Promise<ILineProfileReply> {
    const reply = await this._manager.disarmLineProfile(kernelId);
    this._unwatch(kernelId);
    return reply;
  }

  protected onDispose(): void {
    for (const kernelId of [...this._watched.keys()]) {
      this._unwatch(kernelId);
    }
  }

  private _watch(kernelId: string): void {
    const model = this._manager.modelFor(kernelId);
    if (!model) {
      return;
    }
    this._unwatch(kernelId);
    const known = new Set<string>();
    for (const record of model.executions.values()) {
      if (record.line_profile) {
        known.add(record.msg_id);
      }
    }
    this._watched.set(kernelId, { model, known });
    model.executionsChanged.connect(this._onExecutions, this);
  }

  private _unwatch(kernelId: string): void {
    const watched = this._watched.get(kernelId);
    if (watched) {
      this._watched.delete(kernelId);
      watched.model.executionsChanged.disconnect(this._onExecutions, this);
    }
  }

  private _onExecutions(model: IKernelMemoryModel, changed: IExecutionRecord[]): void {
    const watched = this._watched.get(model.kernelId);
    if (!watched || watched.model !== model) {
      return;
    }
    const record = changed.find(
      r => r.line_profile && r.status !== 'running' && !watched.known.has(r.msg_id)
    );
    if (record) {
      this._unwatch(model.kernelId);
      this._finished.emit({ kernelId: model.kernelId, record });
    }
  }

  private _watched = new Map<string, { model: IKernelMemoryModel; known: Set<string> }>();
  private _finished = new Signal<this, IProfileResult>(this);
}
