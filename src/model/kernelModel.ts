import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { Disposable } from '../disposable';
import { MemoryUsageService } from '../service';
import { IKernelMemoryModel } from '../tokens';
import { mergeExecutions, trimOldest } from './merge';
import { IExecutionRecord, IKernelReply, IKernelState, ISample } from './types';

/** Poll intervals: live badges update at least twice a second while a cell runs. */
export const FAST_INTERVAL_MS = 400;
export const SLOW_INTERVAL_MS = 5000;
const MAX_BACKOFF_MS = 30000;
const MAX_EXECUTIONS = 5000;
const MAX_SAMPLES = 20000;
/** How long an execution sent but never seen by the server keeps the poll fast. */
const EXPECT_TIMEOUT_MS = 30000;

/**
 * The memory figures of one kernel. Polls `GET /api/memory-usage/kernels/{id}`
 * for what changed since its last reply, fast while an execution runs, slowly
 * otherwise, and not at all while the page is hidden.
 */
export class KernelMemoryModel extends Disposable implements IKernelMemoryModel {
  constructor(
    readonly kernelId: string,
    private readonly _service: MemoryUsageService
  ) {
    super();
    this._poll = new Poll({
      factory: () => this._fetch(),
      frequency: {
        interval: SLOW_INTERVAL_MS,
        backoff: true,
        max: MAX_BACKOFF_MS
      },
      name: `jupyterlab-memory-usage:kernel:${kernelId}`,
      standby: 'when-hidden'
    });
  }

  get state(): IKernelState | null {
    return this._state;
  }

  get executions(): ReadonlyMap<string, IExecutionRecord> {
    return this._executions;
  }

  get samples(): readonly ISample[] {
    return this._samples;
  }

  get executionsChanged(): ISignal<this, IExecutionRecord[]> {
    return this._executionsChanged;
  }

  get stateChanged(): ISignal<this, IKernelState> {
    return this._stateChanged;
  }

  get connectionFailure(): ISignal<this, Error> {
    return this._connectionFailure;
  }

  expectExecution(msgId: string): void {
    this._expected.set(msgId, Date.now());
    this._setFast(true);
    void this._poll.refresh();
  }

  refresh(): Promise<void> {
    return this._poll.refresh();
  }

  protected onDispose(): void {
    this._poll.dispose();
  }

  private async _fetch(): Promise<void> {
    const requestId = ++this._lastRequestId;
    let reply: IKernelReply;
    try {
      reply = await this._service.kernel(this.kernelId, {
        since: this._seq,
        historyId: this._historyId
      });
    } catch (error) {
      if (!this.isDisposed) {
        // Backing off from the fast interval would keep knocking every second
        // or so on a kernel that is gone: fast only while a request is fresh.
        this._forgetExpired(Date.now());
        this._setFast(this._expected.size > 0);
        this._connectionFailure.emit(error as Error);
      }
      throw error; // so that the poll backs off
    }
    // A reply to an older request than one already applied is stale.
    if (this.isDisposed || requestId < this._appliedRequestId) {
      return;
    }
    this._appliedRequestId = requestId;
    this._apply(reply);
  }

  private _apply(reply: IKernelReply): void {
    const restarted = reply.history_id !== this._historyId;
    if (restarted) {
      // The server's numbering started over (cleared, or a server restart).
      this._historyId = reply.history_id;
      this._executions.clear();
      this._samples = [];
    }
    this._seq = reply.seq;
    const { executions, samples, history_id, seq, ...state } = reply;
    const changed = mergeExecutions(this._executions, executions);
    trimOldest(this._executions, MAX_EXECUTIONS);
    if (samples.length) {
      this._samples = this._samples.concat(samples);
      if (this._samples.length > MAX_SAMPLES) {
        this._samples = this._samples.slice(-MAX_SAMPLES);
      }
    }
    // The poll sent as an execution is requested usually reaches the server
    // before the kernel's `busy` does: it shows nothing running, and going
    // slow on it would hide the cell's live figures for a whole slow interval.
    // So an expected execution keeps the poll fast until its record is seen
    // finished (or, if it never runs, e.g. queued when the kernel restarted,
    // for a while).
    for (const msgId of this._expected.keys()) {
      const record = this._executions.get(msgId);
      if (record && record.status !== 'running') {
        this._expected.delete(msgId);
      }
    }
    this._forgetExpired(Date.now());
    const running =
      state.execution_state === 'busy' ||
      changed.some(r => r.status === 'running') ||
      this._expected.size > 0;
    this._setFast(running);
    if (!this._state || !shallowEqual(this._state, state)) {
      this._state = state;
      this._stateChanged.emit(state);
    }
    if (changed.length || restarted) {
      this._executionsChanged.emit(changed);
    }
  }

  private _forgetExpired(now: number): void {
    for (const [msgId, since] of this._expected) {
      if (now - since > EXPECT_TIMEOUT_MS) {
        this._expected.delete(msgId);
      }
    }
  }

  private _setFast(fast: boolean): void {
    const interval = fast ? FAST_INTERVAL_MS : SLOW_INTERVAL_MS;
    if (this._poll.frequency.interval !== interval) {
      this._poll.frequency = { ...this._poll.frequency, interval };
    }
  }

  private _poll: Poll;
  private _state: IKernelState | null = null;
  private _executions = new Map<string, IExecutionRecord>();
  private _samples: ISample[] = [];
  /** Executions requested and not yet seen finished: msg_id → when. */
  private _expected = new Map<string, number>();
  private _seq = 0;
  private _historyId = '';
  private _lastRequestId = 0;
  private _appliedRequestId = 0;
  private _executionsChanged = new Signal<this, IExecutionRecord[]>(this);
  private _stateChanged = new Signal<this, IKernelState>(this);
  private _connectionFailure = new Signal<this, Error>(this);
}

function shallowEqual(a: object, b: object): boolean {
  const aa = a as Record<string, unknown>;
  const bb = b as Record<string, unknown>;
  const keys = Object.keys(aa);
  return (
    keys.length === Object.keys(bb).length && keys.every(k => aa[k] === bb[k])
  );
}
