import { IExecutionRecord } from '../model/types';

/** An execution record as the server sends it, with the given fields changed. */
export function record(overrides: Partial<IExecutionRecord>): IExecutionRecord {
  return {
    seq: 1,
    msg_id: 'm1',
    cell_id: 'c1',
    notebook_path: 'n.ipynb',
    execution_count: 1,
    status: 'ok',
    started: 100,
    ended: 101,
    duration: 1,
    rss_start: 100,
    rss_end: 200,
    rss_peak: 300,
    delta: 100,
    peak_increment: 200,
    method: 'kernel_hook',
    pid: 42,
    exit_code: null,
    exit_signal: null,
    ...overrides
  };
}
