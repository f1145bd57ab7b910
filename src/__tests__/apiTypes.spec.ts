/**
 * The TypeScript types against replies recorded from a real server
 * (`scripts/record-api-fixture.py`): every key the server sends is declared,
 * and every declared key is sent. `model/keys.ts` ties each list of keys to its
 * interface at compile time; this test ties the lists to the server's JSON.
 */
import {
  HEAP_MODE_REPLY_FIELDS,
  HEAP_SITE_FIELDS,
  KERNEL_REPLY_FIELDS,
  KERNEL_SUMMARY_FIELDS,
  KERNELS_REPLY_FIELDS,
  NOTEBOOK_RUNS_REPLY_FIELDS,
  RECORD_FIELDS,
  SAMPLE_FIELDS,
  STATEMENT_FIELDS,
  VARIABLE_FIELDS,
  VARIABLES_REPLY_FIELDS
} from '../model/keys';
import {
  IExecutionRecord,
  IHeapModeReply,
  IKernelReply,
  IKernelsReply,
  INotebookRunsReply,
  IVariablesReply
} from '../model/types';
import heapModeFixture from './fixtures/heap-mode.json';
import kernelFixture from './fixtures/kernel.json';
import kernelsFixture from './fixtures/kernels.json';
import notebookRunsFixture from './fixtures/notebook-runs.json';
import variablesFixture from './fixtures/variables.json';

/** What differs between an object's keys and the declared ones. */
function keyMismatch(value: object, declared: readonly PropertyKey[]) {
  const sent = Object.keys(value);
  return {
    undeclared: sent.filter(key => !declared.includes(key)),
    missing: declared.filter(key => !sent.includes(key as string))
  };
}

const MATCH = { undeclared: [], missing: [] };

function expectRecords(records: readonly IExecutionRecord[]): void {
  expect(records.length).toBeGreaterThan(0);
  for (const record of records) {
    expect(keyMismatch(record, RECORD_FIELDS)).toEqual(MATCH);
    // The recording's cells ran with the hook: each has its statements.
    expect(record.statements?.length).toBeGreaterThan(0);
    for (const statement of record.statements ?? []) {
      // `aggregated` only on the last entry of a cell with more statements than the limit.
      const { undeclared, missing } = keyMismatch(statement, STATEMENT_FIELDS);
      expect({ undeclared, missing: missing.filter(key => key !== 'aggregated') }).toEqual(MATCH);
    }
    // In heap mode: where each cell's heap grew.
    expect(record.heap_top?.length).toBeGreaterThan(0);
    for (const site of record.heap_top ?? []) {
      expect(keyMismatch(site, HEAP_SITE_FIELDS)).toEqual(MATCH);
    }
  }
}

describe('keyMismatch', () => {
  it('reports a key the server sends and the types lack, and the other way round', () => {
    const { samples, ...withoutSamples } = kernelFixture;
    expect(samples).toBeDefined();
    expect(keyMismatch({ ...withoutSamples, extra: 1 }, KERNEL_REPLY_FIELDS)).toEqual({
      undeclared: ['extra'],
      missing: ['samples']
    });
  });
});

describe('the API types against recorded replies', () => {
  it('GET kernels/{id}', () => {
    const reply = kernelFixture as unknown as IKernelReply;
    expect(keyMismatch(reply, KERNEL_REPLY_FIELDS)).toEqual(MATCH);
    expectRecords(reply.executions);
    expect(reply.samples.length).toBeGreaterThan(0);
    for (const sample of reply.samples) {
      expect(keyMismatch(sample, SAMPLE_FIELDS)).toEqual(MATCH);
    }
    // The recording ran its cells in heap mode, so these are figures, not nulls.
    expect(reply.executions.every(r => typeof r.heap_delta === 'number')).toBe(true);
  });

  it('GET kernels', () => {
    const reply = kernelsFixture as unknown as IKernelsReply;
    expect(keyMismatch(reply, KERNELS_REPLY_FIELDS)).toEqual(MATCH);
    expect(reply.kernels.length).toBeGreaterThan(0);
    for (const kernel of reply.kernels) {
      expect(keyMismatch(kernel, KERNEL_SUMMARY_FIELDS)).toEqual(MATCH);
    }
  });

  it('GET notebooks?path=', () => {
    const reply = notebookRunsFixture as unknown as INotebookRunsReply;
    expect(keyMismatch(reply, NOTEBOOK_RUNS_REPLY_FIELDS)).toEqual(MATCH);
    expectRecords(reply.executions);
  });

  it('POST kernels/{id}/heap-mode', () => {
    const reply = heapModeFixture as unknown as IHeapModeReply;
    expect(keyMismatch(reply, HEAP_MODE_REPLY_FIELDS)).toEqual(MATCH);
  });

  it('GET kernels/{id}/variables', () => {
    const reply = variablesFixture as unknown as IVariablesReply;
    expect(keyMismatch(reply, VARIABLES_REPLY_FIELDS)).toEqual(MATCH);
    // The recording's last cell keeps a list: at least that name is listed.
    expect(reply.variables?.map(v => v.name)).toContain('kept');
    for (const variable of reply.variables ?? []) {
      expect(keyMismatch(variable, VARIABLE_FIELDS)).toEqual(MATCH);
    }
  });
});
