import { TranslationBundle } from '@jupyterlab/translation';

import { ExecutionStatus, IExecutionRecord, IStatement } from './types';

/** The cell metadata key that headless runs (and *Save measurements in the notebook*) write. */
export const MEMORY_METADATA_KEY = 'memory_usage';

/** Who ran a notebook headless, and when (`jupyter memory-usage execute`, papermill). */
export interface IHeadlessRun {
  /** When the run started, as ISO 8601. */
  runStarted: string;
  /** `jupyter memory-usage execute` or `papermill`. */
  runner: string;
}

/** A cell's figures from a headless run's metadata, as a record; and that run. */
export interface IHeadlessCell {
  record: IExecutionRecord;
  run: IHeadlessRun;
}

const STATUSES: readonly ExecutionStatus[] = ['running', 'ok', 'error', 'aborted', 'died'];

/**
 * A headless run's figures in a cell's metadata (`memory_usage` with its
 * `headless` part), as an execution record; null for anything else, such as
 * what *Save measurements in the notebook* writes, which the server's records
 * already hold, or metadata edited into nonsense.
 */
export function headlessCell(metadata: unknown, cellId: string): IHeadlessCell | null {
  if (!isObject(metadata) || !isObject(metadata.headless)) {
    return null;
  }
  const { runStarted, runner } = {
    runStarted: metadata.headless.run_started,
    runner: metadata.headless.runner
  };
  const status = metadata.status;
  if (typeof runStarted !== 'string' || !STATUSES.includes(status as ExecutionStatus)) {
    return null;
  }
  const n = (key: string): number | null => {
    const value = metadata[key];
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  const record: IExecutionRecord = {
    seq: 0,
    msg_id: `headless:${cellId}`,
    cell_id: cellId,
    notebook_path: null,
    execution_count: n('execution_count'),
    status: status as ExecutionStatus,
    started: n('started'),
    ended: n('ended'),
    duration: n('duration'),
    rss_start: n('rss_start'),
    rss_end: n('rss_end'),
    rss_peak: n('rss_peak'),
    delta: n('delta'),
    peak_increment: n('peak_increment'),
    method: typeof metadata.method === 'string' ? metadata.method : null,
    pid: n('pid'),
    exit_code: n('exit_code'),
    exit_signal: n('exit_signal'),
    died_reason: typeof metadata.died_reason === 'string' ? (metadata.died_reason as IExecutionRecord['died_reason']) : null,
    oom_kills: n('oom_kills'),
    heap_delta: n('heap_delta'),
    heap_peak_increment: n('heap_peak_increment'),
    statements: statementsOf(metadata.statements),
    line_profile: null,
    heap_top: null
  };
  return { record, run: { runStarted, runner: typeof runner === 'string' ? runner : '' } };
}

/** The statements, when every entry has its figures; null otherwise (never a list with holes). */
function statementsOf(value: unknown): IStatement[] | null {
  if (!Array.isArray(value)) {
    return null;
  }
  const ok = value.every(
    s => isObject(s) && typeof s.delta === 'number' && typeof s.peak_increment === 'number'
  );
  return ok ? (value as IStatement[]) : null;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Which of a cell's earlier runs to show: the server's, or the headless run's
 * when it ended later (or the server kept none).
 */
export function newerThanEarlier(headless: IHeadlessCell, earlier: readonly IExecutionRecord[] | undefined): boolean {
  const latest = earlier?.[0];
  if (!latest) {
    return true;
  }
  return (headless.record.ended ?? 0) > (latest.ended ?? latest.started ?? 0);
}

/** `From a headless run on 12/2/2026, 4:01:16 PM (papermill).` */
export function headlessSentence(run: IHeadlessRun, trans: TranslationBundle): string {
  const started = new Date(run.runStarted);
  const when = Number.isNaN(started.getTime()) ? run.runStarted : started.toLocaleString();
  return run.runner
    ? trans.__('From a headless run on %1 (%2).', when, run.runner)
    : trans.__('From a headless run on %1.', when);
}
