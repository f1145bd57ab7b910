import { TranslationBundle } from '@jupyterlab/translation';

import { ByteUnits, formatBytes, formatSignedBytes } from '../format';
import { firstLine } from '../model/cells';
import { IExecutionRecord } from '../model/types';

/**
 * What the cells table is ordered by: the largest peak above start, change or
 * duration first, or the most recently started run first ('last-run').
 */
export type CellOrder = 'peak' | 'delta' | 'duration' | 'last-run';

/** One cell in the cells table: its latest run, and the run before it. */
export interface ICellRow {
  cellId: string;
  /** The cell's latest run (the last one started). */
  record: IExecutionRecord;
  /** The run before the latest one; null for a cell run once. */
  previous: IExecutionRecord | null;
  /** The latest run's change minus the previous run's; null without both figures. */
  vsLast: number | null;
  /** How many times the cell ran. */
  runs: number;
  /** The cell's source, or null when the notebook no longer has the cell. */
  source: string | null;
  /** Its first line. */
  sourceLine: string;
}

/** The figure a row is ordered by; null when its latest run has none. */
export function orderFigure(record: IExecutionRecord, order: CellOrder): number | null {
  switch (order) {
    case 'peak':
      return record.peak_increment;
    case 'delta':
      return record.delta;
    case 'duration':
      return record.duration;
    case 'last-run':
      return record.started;
  }
}

/**
 * One row a cell, from its latest run, ordered by `order` (largest or most
 * recent first; runs without the figure last; ties most recent first), at
 * most `limit` of them. `sourceOf` is asked only for the rows returned.
 * One pass over `executions`, whatever their order.
 */
export function cellRows(
  executions: readonly IExecutionRecord[],
  order: CellOrder,
  sourceOf: (cellId: string) => string | null,
  limit: number
): ICellRow[] {
  const byCell = new Map<string, { record: IExecutionRecord; previous: IExecutionRecord | null; runs: number }>();
  for (const record of executions) {
    if (!record.cell_id) {
      continue;
    }
    const held = byCell.get(record.cell_id);
    if (!held) {
      byCell.set(record.cell_id, { record, previous: null, runs: 1 });
      continue;
    }
    held.runs++;
    if (startedAtOrAfter(record, held.record)) {
      held.previous = held.record;
      held.record = record;
    } else if (!held.previous || startedAtOrAfter(record, held.previous)) {
      held.previous = record;
    }
  }
  const sorted = [...byCell.values()].sort((a, b) => {
    const x = orderFigure(a.record, order);
    const y = orderFigure(b.record, order);
    if (x !== y) {
      if (x === null) {
        return 1;
      }
      if (y === null) {
        return -1;
      }
      return y - x;
    }
    return (b.record.started ?? -Infinity) - (a.record.started ?? -Infinity);
  });
  return sorted.slice(0, Math.max(0, limit)).map(({ record, previous, runs }) => {
    const cellId = record.cell_id!;
    const source = sourceOf(cellId);
    const vsLast =
      record.delta !== null && previous !== null && previous.delta !== null ? record.delta - previous.delta : null;
    return { cellId, record, previous, vsLast, runs, source, sourceLine: firstLine(source) };
  });
}

/**
 * The row's change against its previous run, e.g. `+12.1 MiB vs last run`;
 * null without one. Its spaces do not break but those beside the figure, so
 * that in a narrow column it wraps as `+12.1 MiB` over `vs last run`.
 */
export function vsLastText(row: ICellRow, units: ByteUnits, trans: TranslationBundle): string | null {
  if (row.vsLast === null) {
    return null;
  }
  const figure = formatSignedBytes(row.vsLast, units);
  const [before, after = ''] = trans.__('%1 vs last run', FIGURE).split(FIGURE);
  return [before, figure, after].map(part => part.replace(/(\S) (?=\S)/g, `$1${NBSP}`)).join('');
}

const FIGURE = '\u0001';
const NBSP = '\u00a0';

/** What `vsLastText` means, said in full for its tooltip; null without a comparison. */
export function vsLastSentence(row: ICellRow, units: ByteUnits, trans: TranslationBundle): string | null {
  const { vsLast, record, previous } = row;
  if (vsLast === null || previous === null) {
    return null;
  }
  const latest = formatSignedBytes(record.delta ?? NaN, units);
  const before = formatSignedBytes(previous.delta ?? NaN, units);
  const run =
    previous.execution_count !== null
      ? trans.__('its previous run [%1]', previous.execution_count)
      : trans.__('its previous run');
  if (vsLast !== 0) {
    const args = [formatBytes(Math.abs(vsLast), units), run, latest, before];
    return vsLast > 0
      ? trans.__('This run kept %1 more memory than %2: its change was %3, against %4.', ...args)
      : trans.__('This run kept %1 less memory than %2: its change was %3, against %4.', ...args);
  }
  return trans.__('This run kept as much memory as %1: its change was %2 both times.', run, latest);
}

/** Whether `a` started at or after `b` (a run not started counts as the earliest). */
function startedAtOrAfter(a: IExecutionRecord, b: IExecutionRecord): boolean {
  return (a.started ?? -Infinity) >= (b.started ?? -Infinity);
}
