import { PathExt } from '@jupyterlab/coreutils';

import { IExecutionRecord } from '../model/types';

/** The API's record fields, in the API's order, then the cell's source. */
export const EXPORT_FIELDS: (keyof IExecutionRecord)[] = [
  'seq',
  'msg_id',
  'cell_id',
  'notebook_path',
  'execution_count',
  'status',
  'started',
  'ended',
  'duration',
  'rss_start',
  'rss_end',
  'rss_peak',
  'delta',
  'peak_increment',
  'method',
  'pid',
  'exit_code',
  'exit_signal'
];

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

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  const text = String(value);
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
