/**
 * The server extension's API payloads (units: bytes and seconds since the epoch).
 */

export type ExecutionStatus = 'running' | 'ok' | 'error' | 'aborted' | 'died';

export interface IExecutionRecord {
  seq: number;
  msg_id: string;
  cell_id: string | null;
  notebook_path: string | null;
  execution_count: number | null;
  status: ExecutionStatus;
  started: number | null;
  ended: number | null;
  duration: number | null;
  rss_start: number | null;
  rss_end: number | null;
  rss_peak: number | null;
  delta: number | null;
  peak_increment: number | null;
  method: string | null;
  pid: number | null;
  exit_code: number | null;
  exit_signal: number | null;
  /**
   * Why the kernel died during this execution: `out_of_memory` (SIGKILL with the
   * out-of-memory killer seen, or memory near the limit), `killed` (another
   * SIGKILL), `signal`, `exited`, or `server_stopped` (the server stopped, and
   * shut the kernel down, while it ran). Absent from older servers.
   */
  died_reason?:
    | 'out_of_memory'
    | 'killed'
    | 'signal'
    | 'exited'
    | 'server_stopped'
    | null;
  /** How many times the out-of-memory killer ran in the kernel's cgroup during it. */
  oom_kills?: number | null;
  /** Heap mode (tracemalloc): Python allocations still held at the end. */
  heap_delta?: number | null;
  /** Heap mode: the traced peak above the cell's start. */
  heap_peak_increment?: number | null;
}

export interface ISample {
  seq: number;
  time: number;
  rss: number;
  children_rss: number | null;
}

export interface IKernelState {
  kernel_id: string;
  pid: number | null;
  rss: number | null;
  children_rss: number | null;
  limit: number | null;
  limit_source: string | null;
  system_available: number | null;
  method: string | null;
  hook: string;
  execution_state: string;
  reason: string | null;
  restarts: number;
  /** Whether tracemalloc heap figures are being recorded (IPython kernels). */
  heap_mode?: boolean;
}

export interface IKernelReply extends IKernelState {
  history_id: string;
  seq: number;
  executions: IExecutionRecord[];
  samples: ISample[];
}
