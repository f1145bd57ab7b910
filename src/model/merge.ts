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
 * The runs of one cell, newest first, at most `keep` of them.
 */
export function runsOfCell(
  records: Iterable<IExecutionRecord>,
  cellId: string,
  keep: number
): IExecutionRecord[] {
  const runs: IExecutionRecord[] = [];
  for (const record of records) {
    if (record.cell_id === cellId) {
      runs.push(record);
    }
  }
  runs.sort((a, b) => (b.started ?? Infinity) - (a.started ?? Infinity));
  return runs.slice(0, keep);
}
