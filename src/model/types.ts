/**
 * The server extension's API payloads (units: bytes and seconds since the epoch).
 * `keys.ts` lists every field of each, and a Jest test checks those lists against
 * replies recorded from a real server (`scripts/record-api-fixture.py`).
 */

import type { KERNEL_SUMMARY_STATE_FIELDS } from './keys';

export type ExecutionStatus = 'running' | 'ok' | 'error' | 'aborted' | 'died';

/** Why the kernel died during an execution. */
export type DiedReason =
  | 'out_of_memory'
  | 'killed'
  | 'signal'
  | 'exited'
  | 'server_stopped'
  | 'connection_lost';

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
   * SIGKILL), `signal`, `exited`, `connection_lost` (a remote kernel's connection
   * went while it ran: its end is unknown), or `server_stopped` (the server stopped, and
   * shut the kernel down, while it ran). Optional, like the fields after it:
   * records kept from earlier sessions may have been saved before it existed.
   */
  died_reason?: DiedReason | null;
  /** How many times the out-of-memory killer ran in the kernel's cgroup during it. */
  oom_kills?: number | null;
  /** Heap mode (tracemalloc): Python allocations still held at the end. */
  heap_delta?: number | null;
  /** Heap mode: the traced peak above the cell's start. */
  heap_peak_increment?: number | null;
  /**
   * The cell's top-level statements in execution order (IPython kernels with
   * the hook); null where the kernel could not tell them apart. Beyond the
   * server's limit, the last entry sums the rest (`aggregated`).
   */
  statements?: IStatement[] | null;
  /** The run's line-by-line profile, when one was asked for; null otherwise. */
  line_profile?: ILineProfile | null;
  /**
   * Heap mode: the allocation sites that grew most during the cell and were
   * still allocated at its end, the largest first (at most 10); null when heap
   * mode was off.
   */
  heap_top?: IHeapSite[] | null;
}

/** Where Python allocated memory that a cell kept (heap mode). */
export interface IHeapSite {
  /** The file's path; for a site in a notebook cell, the name IPython compiled it under. */
  file: string;
  /** Its line: in a notebook cell, the cell's line as typed (1-based). */
  line: number | null;
  /** How much it grew during the cell (bytes). */
  size: number | null;
  /** Blocks allocated there and still held. */
  count: number | null;
  /** Small blocks were sampled: `size` and `count` are estimates. */
  estimated: boolean;
  /** The run of the notebook cell it is in; null for a library's file. */
  execution_count: number | null;
  cell_id: string | null;
}

/** One top-level statement of a cell, as the kernel hook measured it. */
export interface IStatement {
  /** Its first line in the cell's source as typed (1-based); null for the aggregate. */
  line: number | null;
  /** Its last line: a `for` loop spans several. */
  end_line: number | null;
  /** How many statements this entry sums; absent for an ordinary statement. */
  aggregated?: number;
  /** Memory at its end minus memory at its start (bytes). */
  delta: number;
  /** Its peak above its start (bytes); null where the kernel cannot reset its peak. */
  peak_increment: number | null;
  /** Seconds. */
  duration: number;
  /** The kernel's memory at its end (bytes). */
  rss_end: number;
}

/** A run profiled line by line (`POST kernels/{id}/line-profile`). */
export interface ILineProfile {
  /** Why the profile could not start (another tracer was active); null when it ran. */
  error: string | null;
  /** `sys.monitoring` (Python 3.12 and later) or `settrace`. */
  backend: string | null;
  /** Line events seen. */
  events: number;
  /** The profiled time (seconds); null when it could not start. */
  duration: number | null;
  /** The profiler's own time, estimated (seconds); null when it could not start. */
  overhead: number | null;
  /** Lines beyond the heaviest kept. */
  lines_left_out: number;
  cells: ILineProfileCell[];
}

/** The lines of one notebook cell that ran during a profiled run. */
export interface ILineProfileCell {
  execution_count: number | null;
  cell_id: string | null;
  lines: ILineProfileLine[];
}

/** One line's figures over all its runs in a profiled run. */
export interface ILineProfileLine {
  /** The line in its cell as typed (1-based). */
  line: number;
  /** How many times it ran. */
  hits: number;
  /** The sum of its changes of memory, each from its start to the next line run (bytes). */
  delta: number;
  /** The most memory reached above one of its starts (bytes). */
  peak_increment: number;
  /** Its time over all runs, what it called outside the notebook's code included (seconds). */
  duration: number | null;
}

export interface ISample {
  seq: number;
  time: number;
  rss: number;
  children_rss: number | null;
}

/** A kernel's state, as `GET kernels/{id}` sends it. */
export interface IKernelState {
  kernel_id: string;
  pid: number | null;
  rss: number | null;
  children_rss: number | null;
  limit: number | null;
  limit_source: string | null;
  /** Out-of-memory kills counted in the kernel's cgroup; null where none is kept. */
  oom_kill_count: number | null;
  system_available: number | null;
  method: string | null;
  hook: string;
  /** Whether tracemalloc heap figures are being recorded (IPython kernels). */
  heap_mode: boolean;
  /** Whether each execution's peak is measured from a reset high-water mark. */
  peak_reset: boolean;
  execution_state: string;
  reason: string | null;
  /** The reason in words, for people. */
  reason_message: string | null;
  restarts: number;
  /** When the kernel's memory was last read (seconds since the epoch). */
  sampled_at: number | null;
  /** The cell whose next run is profiled line by line (`""`: the next cell); null when none. */
  line_profile_armed: string | null;
  /** How the kernel would profile lines; null without an active hook. */
  line_profile_backend: string | null;
}

/** `GET kernels/{id}?since=seq`: the state, and what changed since `seq`. */
export interface IKernelReply extends IKernelState {
  history_id: string;
  seq: number;
  executions: IExecutionRecord[];
  samples: ISample[];
}

/** One kernel in `GET kernels`. */
export interface IKernelSummary
  extends Pick<IKernelState, (typeof KERNEL_SUMMARY_STATE_FIELDS)[number]> {
  id: string;
}

/** `GET kernels`. */
export interface IKernelsReply {
  kernels: IKernelSummary[];
  system_available: number | null;
}

/** `GET notebooks?path=`: a notebook's runs kept from earlier sessions. */
export interface INotebookRunsReply {
  path: string;
  executions: IExecutionRecord[];
}

/** `POST` and `DELETE kernels/{id}/line-profile`. */
export interface ILineProfileReply {
  kernel_id: string;
  /** The cell whose next run is profiled (`""`: the next cell); null when none. */
  line_profile_armed: string | null;
  line_profile_backend: string | null;
  /** A cell is running: the kernel takes the request once it ends. */
  pending: boolean;
}

/** `POST kernels/{id}/heap-mode`. */
export interface IHeapModeReply {
  kernel_id: string;
  heap_mode: boolean;
  requested: boolean;
  /** The kernel has not answered yet; `heap_mode` changes when it does. */
  pending: boolean;
}

/** A global name of an IPython kernel and what it holds, as `GET kernels/{id}/variables` lists it. */
export interface IVariable {
  name: string;
  /** The class name; `output history` for IPython's `Out`. */
  type: string;
  /** Bytes this name holds that no name before it counts; null when not sized within the budget. */
  size: number | null;
  shape: number[] | null;
  dtype: string | null;
  length: number | null;
  /** The variable that counts what this one shares (an array's base, a second name). */
  view_of: string | null;
  /** The size is not exact (pandas sized shallow, a memory map, a user's own `__sizeof__`). */
  estimated: boolean;
  /** A tensor's device (`cpu`, `cuda:0`); null otherwise. */
  device?: string | null;
  /** The cell whose run last bound the name; null when no cell did. */
  cell_id: string | null;
  execution_count: number | null;
}

/** `GET kernels/{id}/variables`. */
export interface IVariablesReply {
  kernel_id: string;
  /** When the kernel sized them (seconds since the epoch); null before the first sizing. */
  as_of: number | null;
  /** A cell was running: this is the last result, not a new one. */
  stale: boolean;
  /** False when the budget ran out before every name was sized. */
  complete: boolean;
  sized_in_s: number | null;
  budget_s: number | null;
  /** The kernel's resident memory when they were sized. */
  rss: number | null;
  /** The sum of every variable's size in RAM, listed or omitted. */
  total_size: number | null;
  omitted_count: number;
  omitted_size: number;
  /** Largest first; null when there is no result yet. */
  variables: IVariable[] | null;
}
