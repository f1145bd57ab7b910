import { TranslationBundle } from '@jupyterlab/translation';

import {
  ByteUnits,
  formatBytes,
  formatDuration,
  formatSignedBytes
} from '../format';
import { heaviestStatementNote } from '../lines/statements';
import { headlessSentence, IHeadlessRun } from '../model/headlessRuns';
import { heapSitesNote } from '../model/heapSites';
import { IExecutionRecord } from '../model/types';

const SEPARATOR = ' · ';

/**
 * The badge's one line, as compact as the seed tool's printed line:
 * `+762.9 MiB · peak +762.9 MiB · 0.51 s · 1.54 GiB`.
 */
export function badgeText(
  record: IExecutionRecord,
  units: ByteUnits,
  trans: TranslationBundle
): string {
  if (record.status === 'aborted') {
    return trans.__('not run (an earlier cell failed)');
  }
  const parts: string[] = [];
  if (record.status === 'running') {
    parts.push(trans.__('running'));
  } else if (record.status === 'died') {
    parts.push(diedLabel(record, trans));
  }
  if (record.delta !== null) {
    parts.push(formatSignedBytes(record.delta, units));
  }
  if (record.peak_increment !== null) {
    parts.push(
      trans.__('peak %1', formatSignedBytes(record.peak_increment, units))
    );
  }
  if (record.duration !== null) {
    parts.push(formatDuration(record.duration));
  }
  if (record.rss_end !== null) {
    parts.push(formatBytes(record.rss_end, units));
  }
  if (typeof record.heap_delta === 'number') {
    parts.push(trans.__('heap %1', formatSignedBytes(record.heap_delta, units)));
  }
  return parts.join(SEPARATOR);
}

function diedLabel(record: IExecutionRecord, trans: TranslationBundle): string {
  switch (record.died_reason) {
    case 'out_of_memory':
      return trans.__('kernel ran out of memory');
    case 'killed':
      return trans.__('kernel killed (signal %1)', record.exit_signal ?? 9);
    case 'exited':
      return trans.__('kernel exited (code %1)', record.exit_code ?? 0);
    case 'server_stopped':
      return trans.__('server stopped during this cell');
    case 'connection_lost':
      return trans.__('connection to the kernel lost');
  }
  if (record.exit_signal !== null) {
    return trans.__('kernel died (signal %1)', record.exit_signal);
  }
  if (record.exit_code !== null) {
    return trans.__('kernel exited (code %1)', record.exit_code);
  }
  return trans.__('kernel died');
}

/** Where a cell's runs come from, and its source. */
export interface ITooltipContext {
  /** Measured in a kernel process that has since been restarted. */
  fromEarlierProcess: boolean;
  /** Recorded in an earlier session. */
  fromEarlierSession?: boolean;
  /** From a headless run's figures in the cell's metadata: that run. */
  headlessRun?: IHeadlessRun | null;
  /** The cell's source, to quote its heaviest statement. */
  source?: string | null;
}

/** How much of a statement's line the tooltip quotes. */

/**
 * The badge's tooltip: the full sentence for the latest run, its heaviest
 * statement, then earlier runs.
 */
export function badgeTooltip(
  runs: readonly IExecutionRecord[],
  units: ByteUnits,
  trans: TranslationBundle,
  context: ITooltipContext
): string {
  const { fromEarlierProcess, fromEarlierSession = false, headlessRun = null, source = null } = context;
  const [latest, ...earlier] = runs;
  if (!latest) {
    return '';
  }
  const lines = [runSentence(latest, units, trans)];
  const heaviest = heaviestStatementNote(latest, source, units, trans);
  if (heaviest) {
    lines.push(heaviest);
  }
  if (fromEarlierProcess) {
    lines.push(trans.__('Measured before the kernel was restarted.'));
  }
  if (headlessRun) {
    lines.push(headlessSentence(headlessRun, trans));
  } else if (fromEarlierSession) {
    const ended = latest.ended ?? latest.started;
    lines.push(
      ended !== null
        ? trans.__('From an earlier session, %1.', new Date(ended * 1000).toLocaleString())
        : trans.__('From an earlier session.')
    );
  }
  if (typeof latest.heap_delta === 'number') {
    lines.push(
      trans.__(
        'Python heap (tracemalloc): %1 allocated and still held, peak %2 above its start.',
        formatSignedBytes(latest.heap_delta, units),
        formatSignedBytes(latest.heap_peak_increment ?? NaN, units)
      )
    );
    const sites = heapSitesNote(latest.heap_top, units, trans);
    if (sites) {
      lines.push(sites);
    }
    if (memoryWasReused(latest)) {
      lines.push(
        trans.__(
          'The process’s memory barely grew although this cell allocated %1: Python reused memory that earlier cells had freed, so the RAM figure alone understates this cell.',
          formatBytes(latest.heap_delta, units)
        )
      );
    }
  }
  if (latest.method && latest.method !== 'kernel_hook') {
    lines.push(methodNote(latest.method, trans));
  }
  if (earlier.length) {
    lines.push(trans.__('Earlier runs:'));
    for (const run of earlier) {
      lines.push(`  ${badgeText(run, units, trans)}`);
    }
  }
  return lines.join('\n');
}

function runSentence(
  record: IExecutionRecord,
  units: ByteUnits,
  trans: TranslationBundle
): string {
  const count =
    record.execution_count !== null ? `[${record.execution_count}]` : '';
  const delta = formatSignedBytes(record.delta ?? NaN, units);
  const peak = formatSignedBytes(record.peak_increment ?? NaN, units);
  const duration = formatDuration(record.duration ?? NaN);
  const total = formatBytes(record.rss_end ?? NaN, units);
  switch (record.status) {
    case 'aborted':
      return trans.__(
        'Cell %1 was not run: an earlier cell raised an error.',
        count
      );
    case 'running':
      return trans.__(
        'Cell %1 is running: %2 RAM so far (peak %3 above its start) in %4; the kernel holds %5.',
        count,
        delta,
        peak,
        duration,
        total
      );
    case 'died':
      if (record.died_reason === 'connection_lost') {
        return trans.__(
          'The connection to the kernel was lost while cell %1 ran, so how it ended is unknown: %2 RAM until then (peak %3 above its start) in %4; the kernel last held %5.',
          count,
          delta,
          peak,
          duration,
          total
        );
      }
      if (record.died_reason === 'server_stopped') {
        return trans.__(
          'The Jupyter server stopped while cell %1 ran, and shut the kernel down: %2 RAM until then (peak %3 above its start) in %4; the kernel last held %5.',
          count,
          delta,
          peak,
          duration,
          total
        );
      }
      if (record.died_reason === 'out_of_memory') {
        return trans.__(
          'The kernel ran out of memory while cell %1 ran: it was killed (signal %2) after %3 RAM (peak %4 above its start) in %5; it last held %6.',
          count,
          record.exit_signal ?? 9,
          delta,
          peak,
          duration,
          total
        );
      }
      return trans.__(
        'The kernel died while cell %1 ran (%2): %3 RAM before it died (peak %4 above its start) in %5; it last held %6.',
        count,
        diedLabel(record, trans),
        delta,
        peak,
        duration,
        total
      );
    case 'error':
      return trans.__(
        'Cell %1 raised an error after using %2 RAM (peak %3 above its start) in %4; total RAM usage %5.',
        count,
        delta,
        peak,
        duration,
        total
      );
    default:
      return trans.__(
        'Cell %1 used %2 RAM (peak %3 above its start) in %4; total RAM usage %5.',
        count,
        delta,
        peak,
        duration,
        total
      );
  }
}

function methodNote(method: string, trans: TranslationBundle): string {
  switch (method) {
    case 'kernel_hook_sampled':
    case 'kernel_hook_remote_sampled':
    case 'outside_sampled':
      return trans.__(
        'The peak is the largest of samples taken every 100 ms: a shorter peak may be missed.'
      );
    case 'usage_request_sampled':
      return trans.__(
        'A remote kernel, measured by asking it every 100 ms: the figures include its child processes, and a shorter peak may be missed.'
      );
    case 'outside_hwm':
      return trans.__(
        'Measured from outside the kernel: cells run back to back (Run All) may share figures.'
      );
    default:
      return '';
  }
}

const REUSE_MIN_BYTES = 10 * 2 ** 20;

/**
 * The reuse case: the cell kept far more Python memory than the process grew by,
 * because it filled memory that earlier cells had freed.
 */
export function memoryWasReused(record: IExecutionRecord): boolean {
  const heap = record.heap_delta;
  if (typeof heap !== 'number' || heap < REUSE_MIN_BYTES || record.delta === null) {
    return false;
  }
  return record.delta < heap / 2;
}

/**
 * Whether a finished run is worth a badge under the smallest-delta setting.
 */
export function worthABadge(
  record: IExecutionRecord,
  minimumBytes: number
): boolean {
  if (record.status !== 'ok' || minimumBytes <= 0) {
    return true;
  }
  return (
    Math.abs(record.delta ?? 0) >= minimumBytes ||
    (record.peak_increment ?? 0) >= minimumBytes
  );
}
