import { nullTranslator } from '@jupyterlab/translation';

import { badgeTooltip } from '../badges/text';
import { headlessCell, headlessSentence, newerThanEarlier } from '../model/headlessRuns';
import { record } from './fixtures';

const trans = nullTranslator.load('jupyterlab_memory_usage');
const MIB = 2 ** 20;

/** What `jupyter memory-usage execute` writes into a cell's metadata (headless.py). */
const METADATA = {
  cell_id: 'c1',
  execution_count: 2,
  status: 'ok',
  started: 1000,
  ended: 1003,
  duration: 3,
  rss_start: 60 * MIB,
  rss_end: 60 * MIB + 8e8,
  rss_peak: 60 * MIB + 8e8,
  delta: 8e8,
  peak_increment: 8e8,
  method: 'kernel_hook',
  pid: 42,
  exit_code: null,
  exit_signal: null,
  died_reason: null,
  oom_kills: null,
  heap_delta: null,
  heap_peak_increment: null,
  statements: [{ line: 1, end_line: 1, delta: 8e8, peak_increment: 8e8, duration: 3, rss_end: 60 * MIB + 8e8 }],
  headless: { run_started: '2026-12-02T16:01:16+00:00', runner: 'papermill' }
};

describe('headlessCell', () => {
  it('reads a headless run’s figures as a record of that cell', () => {
    const cell = headlessCell(METADATA, 'c1');
    expect(cell?.run).toEqual({ runStarted: '2026-12-02T16:01:16+00:00', runner: 'papermill' });
    expect(cell?.record).toMatchObject({
      msg_id: 'headless:c1',
      cell_id: 'c1',
      execution_count: 2,
      status: 'ok',
      delta: 8e8,
      peak_increment: 8e8,
      duration: 3,
      rss_end: 60 * MIB + 8e8,
      method: 'kernel_hook',
      line_profile: null
    });
    expect(cell?.record.statements).toHaveLength(1);
  });

  it('ignores what the lab itself saves, and nonsense', () => {
    const { headless, ...saved } = METADATA;
    expect(headless).toBeDefined();
    expect(headlessCell(saved, 'c1')).toBeNull();
    expect(headlessCell(null, 'c1')).toBeNull();
    expect(headlessCell('memory', 'c1')).toBeNull();
    expect(headlessCell({ ...METADATA, status: 'splendid' }, 'c1')).toBeNull();
    expect(headlessCell({ ...METADATA, headless: { runner: 'papermill' } }, 'c1')).toBeNull();
  });

  it('keeps what is a number, drops what is not, and never statements with holes', () => {
    const cell = headlessCell({ ...METADATA, delta: '800000000', statements: [{ line: 1 }] }, 'c1');
    expect(cell?.record.delta).toBeNull();
    expect(cell?.record.statements).toBeNull();
  });

  it('is shown over the server’s earlier runs only when it is newer', () => {
    const cell = headlessCell(METADATA, 'c1')!;
    expect(newerThanEarlier(cell, undefined)).toBe(true);
    expect(newerThanEarlier(cell, [])).toBe(true);
    expect(newerThanEarlier(cell, [record({ ended: 900 })])).toBe(true);
    expect(newerThanEarlier(cell, [record({ ended: 2000 })])).toBe(false);
  });

  it('the tooltip says which run it comes from', () => {
    const cell = headlessCell(METADATA, 'c1')!;
    const sentence = headlessSentence(cell.run, trans);
    expect(sentence).toMatch(/^From a headless run on .+2026.+ \(papermill\)\.$/);
    expect(headlessSentence({ runStarted: 'not a date', runner: '' }, trans)).toBe(
      'From a headless run on not a date.'
    );
    const tooltip = badgeTooltip([cell.record], 'binary', trans, {
      fromEarlierProcess: false,
      fromEarlierSession: true,
      headlessRun: cell.run
    });
    expect(tooltip).toContain(sentence);
    expect(tooltip).not.toContain('earlier session');
    expect(tooltip.split('\n')[0]).toMatch(/^Cell \[2\] used \+762\.9 MiB RAM/);
  });
});
