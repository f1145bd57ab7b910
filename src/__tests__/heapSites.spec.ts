import { nullTranslator } from '@jupyterlab/translation';

import { badgeTooltip } from '../badges/text';
import { heapSiteName, heapSiteSentence, heapSiteSize, heapSitesNote } from '../model/heapSites';
import { IHeapSite } from '../model/types';
import { record } from './fixtures';

const trans = nullTranslator.load('jupyterlab_memory_usage');
const MIB = 2 ** 20;

function site(overrides: Partial<IHeapSite>): IHeapSite {
  return {
    file: '/usr/lib/python3/dist-packages/numpy/core/numeric.py',
    line: 232,
    size: 8e8,
    count: 1,
    estimated: false,
    execution_count: null,
    cell_id: null,
    ...overrides
  };
}

const NUMPY = site({});
const CELL = site({ file: '<ipython-input-3>', line: 3, size: 6.8 * MIB, count: 100_000, estimated: true, execution_count: 3, cell_id: 'c3' });

describe('heap sites', () => {
  it('are named by their file’s name and line, or by their cell and its line', () => {
    expect(heapSiteName(NUMPY, trans)).toBe('numeric.py:232');
    expect(heapSiteName(site({ file: 'C:\\py\\lib\\json\\decoder.py', line: null }), trans)).toBe('decoder.py');
    expect(heapSiteName(CELL, trans)).toBe('cell [3] line 3');
    expect(heapSiteName({ ...CELL, line: null }, trans)).toBe('cell [3]');
  });

  it('are sized with a sign, estimates marked', () => {
    expect(heapSiteSize(NUMPY, 'binary')).toBe('+762.9 MiB');
    expect(heapSiteSize(CELL, 'binary')).toBe('≈+6.8 MiB');
    expect(heapSiteSize(site({ size: null }), 'binary')).toBe('—');
  });

  it('have a full sentence, with the file’s path', () => {
    expect(heapSiteSentence(NUMPY, 'binary', trans)).toBe(
      '+762.9 MiB, 1 block still held, allocated at /usr/lib/python3/dist-packages/numpy/core/numeric.py, line 232'
    );
    expect(heapSiteSentence(CELL, 'binary', trans)).toBe(
      '≈+6.8 MiB (estimated from a sample), 100000 blocks still held, allocated at cell [3] line 3'
    );
  });

  it('give the tooltip a line of the three largest', () => {
    const many = [NUMPY, CELL, site({ line: 10, size: MIB }), site({ line: 11, size: 1024 })];
    expect(heapSitesNote(many, 'binary', trans)).toBe(
      'heap: +762.9 MiB at numeric.py:232, ≈+6.8 MiB at cell [3] line 3, +1.0 MiB at numeric.py:10 …'
    );
    expect(heapSitesNote([NUMPY], 'binary', trans)).toBe('heap: +762.9 MiB at numeric.py:232');
    expect(heapSitesNote([], 'binary', trans)).toBeNull();
    expect(heapSitesNote(null, 'binary', trans)).toBeNull();
  });

  it('are in the badge’s tooltip in heap mode only', () => {
    const heap = record({ heap_delta: 8e8, heap_peak_increment: 8e8, heap_top: [NUMPY, CELL] });
    const tooltip = badgeTooltip([heap], 'binary', trans, { fromEarlierProcess: false });
    expect(tooltip).toMatch(/\(tracemalloc\)[^\n]*\nheap: \+762\.9 MiB at numeric\.py:232, ≈\+6\.8 MiB at cell \[3\] line 3(\n|$)/);
    const off = record({ heap_top: [NUMPY] });
    expect(badgeTooltip([off], 'binary', trans, { fromEarlierProcess: false })).not.toMatch(/heap:/);
  });
});
