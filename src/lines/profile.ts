/**
 * Pure functions on a run's line profile: which cells it names, which run's
 * profile a cell shows, the marks beside its lines and what they say, and the
 * summary of the whole profile.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { ByteUnits, formatBytes, formatDuration, formatFineDuration, formatSignedBytes } from '../format';
import {
  IExecutionRecord,
  ILineProfile,
  ILineProfileCell,
  ILineProfileLine,
  ILineProfileReply,
  IStatement
} from '../model/types';
import { ILineMark, statementMark, worthALineMark } from './statements';

/** A line's figures in the shape of a one-line statement, so that the statements' rules apply. */
function asStatement(line: ILineProfileLine): IStatement {
  return {
    line: line.line,
    end_line: line.line,
    delta: line.delta,
    peak_increment: line.peak_increment,
    duration: line.duration ?? NaN,
    rss_end: NaN
  };
}

/**
 * The profile's cells by cell id: the id the server named, else the one that
 * `cellOfExecution` finds for its execution count. A cell it cannot name is left out.
 */
export function profiledCells(
  profile: ILineProfile,
  cellOfExecution: (executionCount: number) => string | null
): Map<string, ILineProfileCell> {
  const byCell = new Map<string, ILineProfileCell>();
  for (const cell of profile.cells) {
    const cellId =
      cell.cell_id ?? (cell.execution_count !== null ? cellOfExecution(cell.execution_count) : null);
    if (cellId && !byCell.has(cellId)) {
      byCell.set(cellId, cell);
    }
  }
  return byCell;
}

/**
 * Whether a cell shows the profile of run `profiled` rather than the marks of
 * its own latest run `latest`: until the cell runs again after it (the
 * profiled cell's own latest run is the profiled run).
 */
export function profileApplies(profiled: IExecutionRecord, latest: IExecutionRecord | null): boolean {
  if (!latest || latest.msg_id === profiled.msg_id) {
    return true;
  }
  return (latest.started ?? Infinity) <= (profiled.started ?? -Infinity);
}

/** `line 3: 10 runs, +76.3 MiB left behind, peaked 76.3 MiB above its start, 0.12 s`. */
export function profileLineSentence(
  line: ILineProfileLine,
  units: ByteUnits,
  trans: TranslationBundle
): string {
  return trans._n(
    'line %2: %1 run, %3 left behind, peaked %4 above its start, %5',
    'line %2: %1 runs, %3 left behind, peaked %4 above its start, %5',
    line.hits,
    line.line,
    formatSignedBytes(line.delta, units),
    formatBytes(line.peak_increment, units),
    formatDuration(line.duration ?? NaN)
  );
}

/**
 * The marks of a profiled cell's lines, in the order of their lines: each line
 * that ran gets one. A line whose change or peak reaches the threshold of the
 * statements' marks shows it, with its runs (`+76.3 MiB · 10×`); one below
 * shows its runs only (`4×`), light.
 */
export function profileMarks(
  cell: ILineProfileCell,
  minimumBytes: number,
  units: ByteUnits,
  trans: TranslationBundle
): ILineMark[] {
  return cell.lines
    .filter(line => line.line >= 1)
    .sort((a, b) => a.line - b.line)
    .map((line): ILineMark => {
      const statement = asStatement(line);
      const title = profileLineSentence(line, units, trans);
      const mark = statementMark(statement, minimumBytes, units, trans, title);
      const runs = trans.__('%1×', line.hits);
      return worthALineMark(statement, minimumBytes)
        ? { ...mark, text: `${mark.text} · ${runs}`, hits: line.hits }
        : { ...mark, kind: 'grow', strength: 0, text: runs, hits: line.hits };
    });
}

/**
 * What a profile found, in one sentence: `Profiled 64 line events; profiling
 * took about 0.5 ms of 13 ms.`, or why it could not run.
 */
export function profileSummary(profile: ILineProfile, trans: TranslationBundle): string {
  if (profile.error !== null) {
    return trans.__('The line profile could not run: %1', profile.error);
  }
  const events = profile.events;
  const parts = [
    profile.overhead !== null && profile.duration !== null
      ? trans._n(
          'Profiled %1 line event; profiling took about %2 of %3.',
          'Profiled %1 line events; profiling took about %2 of %3.',
          events,
          formatFineDuration(profile.overhead),
          formatFineDuration(profile.duration)
        )
      : trans._n('Profiled %1 line event.', 'Profiled %1 line events.', events)
  ];
  if (profile.lines_left_out > 0) {
    parts.push(
      trans._n(
        '%1 more line is left out (only the heaviest are kept).',
        '%1 more lines are left out (only the heaviest are kept).',
        profile.lines_left_out
      )
    );
  }
  return parts.join(' ');
}

/**
 * What the user is told once a profile is asked for: `The next run of this
 * cell is profiled line by line (settrace). …`.
 */
export function armedMessage(reply: ILineProfileReply, trans: TranslationBundle): string {
  const how = reply.line_profile_backend
    ? trans.__('line by line (%1)', reply.line_profile_backend)
    : trans.__('line by line');
  const what = reply.pending
    ? trans.__('A cell is running: once it ends, the next run of this cell is profiled %1.', how)
    : trans.__('The next run of this cell is profiled %1.', how);
  return `${what} ${trans.__('Profiling slows lines down: see the README.')}`;
}

/**
 * What the user is told once the profiled run ended: its summary and where
 * its marks are, or why it could not run.
 */
export function finishedMessage(profile: ILineProfile, trans: TranslationBundle): string {
  const summary = profileSummary(profile, trans);
  if (profile.error !== null) {
    return summary;
  }
  const cells = profile.cells.length;
  const where = cells
    ? trans._n(
        'The marks are beside the lines it ran, in %1 cell, until that cell runs again.',
        'The marks are beside the lines it ran, in %1 cells, until each runs again.',
        cells
      )
    : trans.__('It ran no line of the notebook’s cells.');
  return `${summary} ${where}`;
}
