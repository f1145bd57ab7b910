import { PathExt } from '@jupyterlab/coreutils';

import { RECORD_FIELDS } from '../model/keys';
import { IExecutionRecord } from '../model/types';

/** Every field of the API's records; then the cell's source. */
export const EXPORT_FIELDS: readonly (keyof IExecutionRecord)[] = RECORD_FIELDS;

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

export function toCSV(rows: readonly IExportRow[]): string {
  const header = [...EXPORT_FIELDS, 'source'].join(',');
  const lines = rows.map(({ record, source }) =>
    [...EXPORT_FIELDS.map(f => csvField(record[f])), csvField(source)].join(',')
  );
  return [header, ...lines].join('\r\n') + '\r\n';
}

export function toJSON(rows: readonly IExportRow[]): string {
  return JSON.stringify(
    rows.map(({ record, source }) => ({ ...record, source })),
    null,
    1
  );
}
