import { PathExt } from '@jupyterlab/coreutils';

import { RECORD_FIELDS, STATEMENT_FIELDS } from '../model/keys';
import { IExecutionRecord } from '../model/types';

/** Fields that hold lists and objects: the JSON export keeps them, the CSV cannot. */
const STRUCTURED_FIELDS: readonly (keyof IExecutionRecord)[] = ['statements', 'line_profile', 'heap_top'];

/**
 * Every field of the API's records but the structured ones (the statements
 * have a file of their own); then the cell's source.
 */
export const EXPORT_FIELDS: readonly (keyof IExecutionRecord)[] = RECORD_FIELDS.filter(
  field => !STRUCTURED_FIELDS.includes(field)
);

/** The statements file: its record, its place in the record's list, its figures. */
export const STATEMENT_EXPORT_FIELDS = [
  'msg_id',
  'cell_id',
  'execution_count',
  'index',
  ...STATEMENT_FIELDS
] as const;

export interface IExportRow {
  record: IExecutionRecord;
  source: string | null;
}

/** `dir/analysis.ipynb` → `dir/analysis.memory-usage` (the export adds `.csv`, `.json`). */
export function exportBasePath(notebookPath: string): string {
  return PathExt.join(
    PathExt.dirname(notebookPath),
    PathExt.basename(notebookPath, PathExt.extname(notebookPath)) + '.memory-usage'
  );
}

/** What a spreadsheet reads as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
 *
 * A string that starts like a formula (`=`, `+`, `-`, `@`, tab, carriage
 * return: `@njit` cells are common) gets a leading `'`, so that a spreadsheet
 * shows it as text rather than running it. Numbers are written as they are:
 * a record's negative delta must stay a number a spreadsheet can add up, and
 * a number cannot hold a formula.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = rows.map(values => values.map(csvField).join(','));
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}

export function toCSV(rows: readonly IExportRow[]): string {
  return csvTable(
    [...EXPORT_FIELDS, 'source'],
    rows.map(({ record, source }) => [...EXPORT_FIELDS.map(f => record[f]), source])
  );
}

/** One row per statement of every record that has them, in each record's order. */
export function toStatementsCSV(rows: readonly IExportRow[]): string {
  const lines: unknown[][] = [];
  for (const { record } of rows) {
    (record.statements ?? []).forEach((statement, index) => {
      const own: Record<string, unknown> = { ...record, ...statement, index };
      lines.push(STATEMENT_EXPORT_FIELDS.map(field => own[field]));
    });
  }
  return csvTable(STATEMENT_EXPORT_FIELDS, lines);
}

/**
 * Every record with all its fields, its structured ones as they are (null
 * where a record kept from before they existed lacks them), and its source.
 */
export function toJSON(rows: readonly IExportRow[]): string {
  return JSON.stringify(
    rows.map(({ record, source }) => ({
      ...record,
      statements: record.statements ?? null,
      line_profile: record.line_profile ?? null,
      heap_top: record.heap_top ?? null,
      source
    })),
    null,
    1
  );
}
