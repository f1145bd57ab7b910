import { NotebookPanel } from '@jupyterlab/notebook';

import { profileApplies, profiledCells } from '../lines/profile';
import { cellSource } from '../model/cells';
import { cellIdOfExecution, latestProfile } from '../model/merge';
import { IExecutionRecord, ILineProfileCell } from '../model/types';

/** The notebook's active cell, and its latest run here. */
export interface ISelectedCell {
  cellId: string;
  record: IExecutionRecord;
  source: string | null;
  /** Its lines in the kernel's latest line profile, until it runs again; null otherwise. */
  profile: { record: IExecutionRecord; cell: ILineProfileCell } | null;
}

/**
 * The active cell's latest run among `executions`, when the kernel hook
 * measured its statements, its lines ran in the latest line profile, or heap
 * mode named where it allocated; null otherwise.
 */
export function selectedCell(
  panel: NotebookPanel | null,
  executions: readonly IExecutionRecord[]
): ISelectedCell | null {
  const cellId = panel?.content.activeCell?.model.id;
  if (!cellId) {
    return null;
  }
  let latest: IExecutionRecord | null = null;
  for (const record of executions) {
    if (record.cell_id === cellId) {
      latest = record; // in the order they started: the last is the latest
    }
  }
  if (!latest || latest.status === 'running') {
    return null;
  }
  const profiled = latestProfile(executions);
  const cell =
    profiled?.line_profile && profileApplies(profiled, latest)
      ? profiledCells(profiled.line_profile, count => cellIdOfExecution(executions, count, profiled.pid)).get(
          cellId
        )
      : undefined;
  const profile = profiled && cell ? { record: profiled, cell } : null;
  if (!latest.statements?.length && !profile && !latest.heap_top?.length) {
    return null;
  }
  return { cellId, record: latest, source: cellSource(panel, cellId), profile };
}
