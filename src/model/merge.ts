import { IExecutionRecord } from './types';

/**
 * Merge polled records into the ones already held, keyed by `msg_id`.
 *
 * A record is replaced only by a newer version of itself (a higher `seq`), so a
 * late reply cannot roll a finished record back to `running`. Returns the
 * records that really changed, in the order received.
 */
export function mergeExecutions(
  held: Map<string, IExecutionRecord>,
  incoming: readonly IExecutionRecord[]
): IExecutionRecord[] {
  const changed: IExecutionRecord[] = [];
  for (const record of incoming) {
    const current = held.get(record.msg_id);
    if (current && current.seq >= record.seq) {
      continue;
    }
    held.set(record.msg_id, record);
    changed.push(record);
  }
  return changed;
}

/**
 * Drop the oldest records (by insertion) beyond `max`; returns how many went.
 */
export function trimOldest<K, V>(map: Map<K, V>, max: number): number {
  let dropped = 0;
  for (const key of map.keys()) {
    if (map.size <= max) {
      break;
    }
    map.delete(key);
    dropped++;
  }
  return dropped;
}

/**
 * The latest runs of every cell, newest first, at most `keep` of each, from one
 * pass over the records (a notebook of 1,000 cells redraws with every poll).
 */
export function runsByCell(
  records: Iterable<IExecutionRecord>,
  keep: number
): Map<string, IExecutionRecord[]> {
  const byCell = new Map<string, IExecutionRecord[]>();
  for (const record of records) {
    if (record.cell_id === null || record.cell_id === undefined) {
      continue;
    }
    const runs = byCell.get(record.cell_id);
    if (runs) {
      runs.push(record);
    } else {
      byCell.set(record.cell_id, [record]);
    }
  }
  for (const [cellId, runs] of byCell) {
    if (runs.length > 1) {
      runs.sort((a, b) => (b.started ?? Infinity) - (a.started ?? Infinity));
      byCell.set(cellId, runs.slice(0, keep));
    }
  }
  return byCell;
}

/** The latest started of the records that pass `test`; null when none does. */
function latestWhere(
  records: Iterable<IExecutionRecord>,
  test: (record: IExecutionRecord) => boolean
): IExecutionRecord | null {
  let latest: IExecutionRecord | null = null;
  for (const record of records) {
    if (test(record) && (!latest || (record.started ?? -Infinity) > (latest.started ?? -Infinity))) {
      latest = record;
    }
  }
  return latest;
}

/** The run whose line profile a notebook shows: the latest finished one; null when none. */
export function latestProfile(records: Iterable<IExecutionRecord>): IExecutionRecord | null {
  return latestWhere(records, r => !!r.line_profile && r.status !== 'running');
}

/**
 * The cell that the run `executionCount` of the kernel process `pid` ran in,
 * from the records: the latest that says so; null when none does.
 */
export function cellIdOfExecution(
  records: Iterable<IExecutionRecord>,
  executionCount: number,
  pid: number | null
): string | null {
  const found = latestWhere(
    records,
    r => r.execution_count === executionCount && r.pid === pid && !!r.cell_id
  );
  return found?.cell_id ?? null;
}
