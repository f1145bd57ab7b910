import { mergeExecutions, runsByCell, trimOldest } from '../model/merge';
import { IExecutionRecord } from '../model/types';
import { record } from './fixtures';

describe('mergeExecutions', () => {
  it('adds new records and reports them as changed', () => {
    const held = new Map<string, IExecutionRecord>();
    const changed = mergeExecutions(held, [
      record({ msg_id: 'a', seq: 1 }),
      record({ msg_id: 'b', seq: 2 })
    ]);
    expect(changed.map(r => r.msg_id)).toEqual(['a', 'b']);
    expect([...held.keys()]).toEqual(['a', 'b']);
  });

  it('replaces a running record by its newer version', () => {
    const held = new Map([['a', record({ msg_id: 'a', seq: 3, status: 'running' })]]);
    const changed = mergeExecutions(held, [record({ msg_id: 'a', seq: 7, status: 'ok' })]);
    expect(changed).toHaveLength(1);
    expect(held.get('a')!.status).toBe('ok');
  });

  it('never rolls a record back to an older version (stale reply)', () => {
    const held = new Map([['a', record({ msg_id: 'a', seq: 7, status: 'ok' })]]);
    const changed = mergeExecutions(held, [
      record({ msg_id: 'a', seq: 3, status: 'running' }),
      record({ msg_id: 'a', seq: 7, status: 'running' })
    ]);
    expect(changed).toEqual([]);
    expect(held.get('a')!.status).toBe('ok');
  });
});

describe('trimOldest', () => {
  it('drops the first inserted entries beyond the bound', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3]
    ]);
    expect(trimOldest(map, 2)).toBe(1);
    expect([...map.keys()]).toEqual(['b', 'c']);
    expect(trimOldest(map, 5)).toBe(0);
  });
});

describe('runsByCell', () => {
  it('gives every cell its runs, newest first, bounded, from one pass', () => {
    const records = [
      record({ msg_id: 'a', cell_id: 'x', started: 1 }),
      record({ msg_id: 'b', cell_id: 'y', started: 2 }),
      record({ msg_id: 'c', cell_id: 'x', started: 3 }),
      record({ msg_id: 'd', cell_id: 'x', started: 5 }),
      record({ msg_id: 'e', cell_id: 'x', started: null, status: 'running' }),
      record({ msg_id: 'f', cell_id: null, started: 6 })
    ];
    const byCell = runsByCell(records, 3);
    expect([...byCell.keys()].sort()).toEqual(['x', 'y']);
    expect(byCell.get('x')!.map(r => r.msg_id)).toEqual(['e', 'd', 'c']);
    expect(byCell.get('y')!.map(r => r.msg_id)).toEqual(['b']);
    expect(byCell.get('z')).toBeUndefined();
  });
});
