/**
 * Pure functions on a cell's per-statement figures: which statements get a mark
 * beside their line, what the mark and its tooltip say, and which statement
 * was the heaviest.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { ByteUnits, formatBytes, formatDuration, formatSignedBytes } from '../format';
import { sourceLine } from '../model/cells';
import { IExecutionRecord, IStatement } from '../model/types';

const MIB = 2 ** 20;
/** How much of a statement's first line a tooltip quotes. */
const QUOTED_LINE_LENGTH = 40;

/**
 * The smallest change or peak worth a mark, whatever the badge threshold: a
 * mark on every line of a cell saying `+4.0 KiB` would hide the few that matter.
 */
export const LINE_MARK_FLOOR_BYTES = MIB;

/** Marks of these sizes (bytes) and above are drawn stronger. */
const STRENGTH_STEPS_BYTES = [64 * MIB, 512 * MIB];

/** What a mark shows: memory kept, memory freed, or a peak above what was kept. */
export type LineMarkKind = 'grow' | 'free' | 'peak';

/** A mark beside a statement's first line, as the editor draws it. */
export interface ILineMark {
  line: number;
  endLine: number;
  delta: number;
  peakIncrement: number | null;
  kind: LineMarkKind;
  /** 1 (light) to 3 (strong), by the size of its figure; 0 for a line profile's line below the threshold. */
  strength: number;
  /** `+762.9 MiB` or `peak +1.49 GiB`. */
  text: string;
  /** The full sentence, for its tooltip. */
  title: string;
  /** The tooltip once the statement's lines were edited since it ran. */
  editedTitle: string;
  /** A line profile's mark: how many times the line ran. Absent on a statement's mark. */
  hits?: number;
}

/** Whether an entry sums the statements beyond the server's limit. */
export function isAggregate(statement: IStatement): boolean {
  return typeof statement.aggregated === 'number' || statement.line === null;
}

/** How many statements the entries stand for (an aggregate counts its own). */
export function statementCount(statements: readonly IStatement[]): number {
  return statements.reduce((n, s) => n + (typeof s.aggregated === 'number' ? s.aggregated : 1), 0);
}

/** The smallest figure worth a mark under the badge threshold `minimumBytes`. */
export function lineMarkMinimum(minimumBytes: number): number {
  return Math.max(minimumBytes, LINE_MARK_FLOOR_BYTES);
}

/** Whether a statement's change or peak is worth a mark beside its line. */
export function worthALineMark(statement: IStatement, minimumBytes: number): boolean {
  if (isAggregate(statement)) {
    return false;
  }
  const minimum = lineMarkMinimum(minimumBytes);
  return Math.abs(statement.delta) >= minimum || (statement.peak_increment ?? 0) >= minimum;
}

/**
 * Whether the mark shows the peak rather than the change: the statement's
 * temporaries went that far above what it kept (`np.ones(10**8).sum()`). A
 * statement that freed memory kept nothing, so its peak is measured from zero.
 */
export function showsPeak(statement: IStatement, minimumBytes: number): boolean {
  const peak = statement.peak_increment;
  return peak !== null && peak - Math.max(statement.delta, 0) >= lineMarkMinimum(minimumBytes);
}

/** 1 to 3, by the size of a figure in bytes. */
export function markStrength(bytes: number): number {
  const size = Math.abs(bytes);
  return 1 + STRENGTH_STEPS_BYTES.filter(step => size >= step).length;
}

/** `line 3`, `lines 3–4`, or `12 more statements` for the aggregate. */
export function statementPlace(statement: IStatement, trans: TranslationBundle): string {
  if (isAggregate(statement)) {
    const count = statement.aggregated ?? 0;
    return trans._n('%1 more statement', '%1 more statements', count);
  }
  const line = statement.line as number;
  const endLine = statement.end_line ?? line;
  return endLine > line ? trans.__('lines %1–%2', line, endLine) : trans.__('line %1', line);
}

/**
 * The full sentence: `line 3: +305.2 MiB left behind, peaked 458.0 MiB above
 * its start, 0.10 s`.
 */
export function statementSentence(
  statement: IStatement,
  units: ByteUnits,
  trans: TranslationBundle
): string {
  const place = statementPlace(statement, trans);
  const delta = formatSignedBytes(statement.delta, units);
  const duration = formatDuration(statement.duration);
  const peak = statement.peak_increment;
  if (peak === null) {
    return trans.__('%1: %2 left behind, %3', place, delta, duration);
  }
  if (isAggregate(statement)) {
    return trans.__(
      '%1: %2 left behind in all, the largest peak %3 above its start, %4',
      place,
      delta,
      formatBytes(peak, units),
      duration
    );
  }
  return trans.__(
    '%1: %2 left behind, peaked %3 above its start, %4',
    place,
    delta,
    formatBytes(peak, units),
    duration
  );
}

/** The marks of a cell's statements under the badge threshold `minimumBytes`. */
export function lineMarks(
  statements: readonly IStatement[],
  minimumBytes: number,
  units: ByteUnits,
  trans: TranslationBundle
): ILineMark[] {
  return statements
    .filter(s => worthALineMark(s, minimumBytes))
    .map(statement => statementMark(statement, minimumBytes, units, trans));
}

/**
 * A statement's mark: its peak when its temporaries went higher than it kept,
 * else its change; `title` is the sentence for its tooltip (by default the
 * statement's own).
 */
export function statementMark(
  statement: IStatement,
  minimumBytes: number,
  units: ByteUnits,
  trans: TranslationBundle,
  title = statementSentence(statement, units, trans)
): ILineMark {
  const peak = showsPeak(statement, minimumBytes);
  const line = statement.line as number;
  return {
    line,
    endLine: Math.max(statement.end_line ?? line, line),
    delta: statement.delta,
    peakIncrement: statement.peak_increment,
    kind: peak ? 'peak' : statement.delta < 0 ? 'free' : 'grow',
    strength: markStrength(peak ? (statement.peak_increment as number) : statement.delta),
    text: peak
      ? trans.__('peak %1', formatSignedBytes(statement.peak_increment as number, units))
      : formatSignedBytes(statement.delta, units),
    title,
    editedTitle: trans.__('%1 (edited since it ran)', title)
  };
}

export interface IHeaviestStatement {
  statement: IStatement;
  /** `peak` when it was chosen by its peak; `delta` where no peak was measured. */
  by: 'peak' | 'delta';
}

/**
 * The statement with the largest peak (or, where the kernel measured no
 * peaks, the largest change), when the cell ran two statements or more and
 * that figure is above zero. It may be the aggregate of the last statements.
 */
export function heaviestStatement(
  statements: readonly IStatement[] | null | undefined
): IHeaviestStatement | null {
  if (!statements || statementCount(statements) < 2) {
    return null;
  }
  const by = statements.some(s => s.peak_increment !== null) ? 'peak' : 'delta';
  const size = (s: IStatement) => (by === 'peak' ? s.peak_increment ?? -Infinity : s.delta);
  let heaviest = statements[0];
  for (const statement of statements) {
    if (size(statement) > size(heaviest)) {
      heaviest = statement;
    }
  }
  return size(heaviest) > 0 ? { statement: heaviest, by } : null;
}

/** A row of a cell's statement breakdown. */
export interface IStatementRow {
  statement: IStatement;
  /** `3`, `3–4`, or empty for the aggregate. */
  lines: string;
  /** The statement's first line of source, or `12 more statements` for the aggregate. */
  label: string;
}

/** A cell's statements as rows, each named by its lines and its first line of `source`. */
export function statementRows(
  statements: readonly IStatement[],
  source: string | null,
  trans: TranslationBundle,
  lineLength = 60
): IStatementRow[] {
  return statements.map(statement => {
    if (isAggregate(statement)) {
      return { statement, lines: '', label: statementPlace(statement, trans) };
    }
    const line = statement.line as number;
    const endLine = statement.end_line ?? line;
    return {
      statement,
      lines: endLine > line ? `${line}–${endLine}` : String(line),
      label: sourceLine(source, line, lineLength)
    };
  });
}

/**
 * The statement with the largest peak (or change), when the cell ran two or
 * more: `Peak at line 3 (`b = a*2 + a*3`): +458.0 MiB above its start.`
 */
export function heaviestStatementNote(
  record: IExecutionRecord,
  source: string | null,
  units: ByteUnits,
  trans: TranslationBundle
): string | null {
  const heaviest = heaviestStatement(record.statements);
  if (!heaviest) {
    return null;
  }
  const { statement, by } = heaviest;
  const size = formatSignedBytes(by === 'peak' ? statement.peak_increment ?? NaN : statement.delta, units);
  if (statement.line === null) {
    const count = statement.aggregated ?? 0;
    return by === 'peak'
      ? trans._n(
          'Peak in the last statement: %2 above its start.',
          'Peak in one of the last %1 statements: %2 above its start.',
          count,
          size
        )
      : trans._n(
          'Most memory left by the last statement: %2.',
          'Most memory left by the last %1 statements: %2.',
          count,
          size
        );
  }
  const quoted = sourceLine(source, statement.line, QUOTED_LINE_LENGTH);
  const place = quoted
    ? trans.__('%1 (`%2`)', statementPlace(statement, trans), quoted)
    : statementPlace(statement, trans);
  return by === 'peak'
    ? trans.__('Peak at %1: %2 above its start.', place, size)
    : trans.__('Most memory left at %1: %2.', place, size);
}
