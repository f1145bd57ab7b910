import {
  IExecutionRecord,
  IHeapModeReply,
  IHeapSite,
  IKernelReply,
  IKernelsReply,
  IKernelState,
  IKernelSummary,
  ILineProfile,
  ILineProfileCell,
  ILineProfileLine,
  ILineProfileReply,
  INotebookRunsReply,
  ISample,
  IStatement,
  IVariable,
  IVariablesReply
} from './types';

/**
 * Every field of each API payload, once. The parameter's type makes tsc fail when a
 * list and its interface differ either way (a field missing here, or one
 * here the interface lacks); the CSV export and a Jest test that compares
 * them with replies recorded from a real server read them at run time.
 */
type Fields<T> = { [K in keyof Required<T>]: true };

function fieldNames<T>(fields: Fields<T>): (keyof T)[] {
  return Object.keys(fields) as (keyof T)[];
}

/** In the CSV export's column order. */
export const RECORD_FIELDS = fieldNames<IExecutionRecord>({
  seq: true,
  msg_id: true,
  cell_id: true,
  notebook_path: true,
  execution_count: true,
  status: true,
  started: true,
  ended: true,
  duration: true,
  rss_start: true,
  rss_end: true,
  rss_peak: true,
  delta: true,
  peak_increment: true,
  method: true,
  pid: true,
  exit_code: true,
  exit_signal: true,
  died_reason: true,
  oom_kills: true,
  heap_delta: true,
  heap_peak_increment: true,
  statements: true,
  line_profile: true,
  heap_top: true
});

export const STATEMENT_FIELDS = fieldNames<IStatement>({
  line: true,
  end_line: true,
  aggregated: true,
  delta: true,
  peak_increment: true,
  duration: true,
  rss_end: true
});

export const LINE_PROFILE_FIELDS = fieldNames<ILineProfile>({
  error: true,
  backend: true,
  events: true,
  duration: true,
  overhead: true,
  lines_left_out: true,
  cells: true
});

export const LINE_PROFILE_CELL_FIELDS = fieldNames<ILineProfileCell>({
  execution_count: true,
  cell_id: true,
  lines: true
});

export const LINE_PROFILE_LINE_FIELDS = fieldNames<ILineProfileLine>({
  line: true,
  hits: true,
  delta: true,
  peak_increment: true,
  duration: true
});

export const HEAP_SITE_FIELDS = fieldNames<IHeapSite>({
  file: true,
  line: true,
  size: true,
  count: true,
  estimated: true,
  execution_count: true,
  cell_id: true
});

export const SAMPLE_FIELDS = fieldNames<ISample>({
  seq: true,
  time: true,
  rss: true,
  children_rss: true
});

export const KERNEL_STATE_FIELDS = fieldNames<IKernelState>({
  kernel_id: true,
  pid: true,
  rss: true,
  children_rss: true,
  limit: true,
  limit_source: true,
  oom_kill_count: true,
  method: true,
  hook: true,
  heap_mode: true,
  peak_reset: true,
  execution_state: true,
  reason: true,
  reason_message: true,
  restarts: true,
  sampled_at: true,
  line_profile_armed: true,
  line_profile_backend: true,
  system_available: true
});

export const KERNEL_REPLY_FIELDS: (keyof IKernelReply)[] = [
  ...KERNEL_STATE_FIELDS,
  ...fieldNames<Omit<IKernelReply, keyof IKernelState>>({
    history_id: true,
    seq: true,
    executions: true,
    samples: true
  })
];

/** The state fields `GET kernels` sends for each kernel, beside its `id`. */
export const KERNEL_SUMMARY_STATE_FIELDS = [
  'kernel_id', 'pid', 'rss', 'children_rss', 'limit', 'limit_source', 'oom_kill_count',
  'method', 'hook', 'heap_mode', 'execution_state', 'reason'
] as const satisfies readonly (keyof IKernelState)[];

export const KERNEL_SUMMARY_FIELDS: (keyof IKernelSummary)[] = [
  ...KERNEL_SUMMARY_STATE_FIELDS,
  'id'
];

export const KERNELS_REPLY_FIELDS = fieldNames<IKernelsReply>({
  kernels: true,
  system_available: true
});

export const NOTEBOOK_RUNS_REPLY_FIELDS = fieldNames<INotebookRunsReply>({
  path: true,
  executions: true
});

export const HEAP_MODE_REPLY_FIELDS = fieldNames<IHeapModeReply>({
  kernel_id: true,
  heap_mode: true,
  requested: true,
  pending: true
});

export const LINE_PROFILE_REPLY_FIELDS = fieldNames<ILineProfileReply>({
  kernel_id: true,
  line_profile_armed: true,
  line_profile_backend: true,
  pending: true
});

export const VARIABLE_FIELDS = fieldNames<IVariable>({
  name: true,
  type: true,
  size: true,
  shape: true,
  dtype: true,
  length: true,
  view_of: true,
  estimated: true,
  device: true,
  cell_id: true,
  execution_count: true
});

export const VARIABLES_REPLY_FIELDS = fieldNames<IVariablesReply>({
  kernel_id: true,
  as_of: true,
  stale: true,
  complete: true,
  sized_in_s: true,
  budget_s: true,
  rss: true,
  total_size: true,
  omitted_count: true,
  omitted_size: true,
  variables: true
});
