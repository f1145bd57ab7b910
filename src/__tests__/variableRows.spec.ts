import { nullTranslator } from '@jupyterlab/translation';

import { IVariable, IVariablesReply } from '../model/types';
import {
  totalText,
  unsizedText,
  variableDetail,
  variableSentence,
  variableSizeText,
  variablesView
} from '../timeline/variableRows';

const trans = nullTranslator.load('jupyterlab_memory_usage');
const MIB = 2 ** 20;

function variable(fields: Partial<IVariable>): IVariable {
  return {
    name: 'x',
    type: 'ndarray',
    size: 0,
    shape: null,
    dtype: null,
    length: null,
    view_of: null,
    estimated: false,
    device: null,
    cell_id: null,
    execution_count: null,
    ...fields
  };
}

function reply(variables: IVariable[] | null, fields: Partial<IVariablesReply> = {}): IVariablesReply {
  return {
    kernel_id: 'k1',
    as_of: 1_700_000_000,
    stale: false,
    complete: true,
    sized_in_s: 0.03,
    budget_s: 0.2,
    rss: 2000 * MIB,
    total_size: (variables ?? []).reduce((sum, v) => sum + (v.size ?? 0), 0),
    omitted_count: 0,
    omitted_size: 0,
    variables,
    ...fields
  };
}

// The namespace, as the server answers it (sorted by size, ties by name).
const A = variable({ name: 'a', size: 800_000_000, shape: [100_000_000], dtype: 'float64', cell_id: 'c1', execution_count: 2 });
const DF = variable({ name: 'df', type: 'DataFrame', size: 190 * MIB, shape: [10_000_000, 2], cell_id: 'c5', execution_count: 6 });
const L = variable({ name: 'l', type: 'list', size: 99 * MIB, length: 100_000, cell_id: 'c4', execution_count: 5 });
const D = variable({ name: 'd', type: 'dict', size: 10 * MIB, length: 2, cell_id: 'c3', execution_count: 4 });
const SMALL = variable({ name: 'np', type: 'module', size: 72 });
const V = variable({ name: 'v', size: 112, shape: [50_000_000], dtype: 'float64', view_of: 'a', cell_id: 'c2', execution_count: 3 });
const SOURCES: Record<string, string> = { c1: 'a = np.ones(10**8)\n# the array', c2: 'v = a[::2]' };
const sourceOf = (cellId: string) => SOURCES[cellId] ?? null;

describe('variablesView', () => {
  it('lists the names above the threshold and their views, and counts the rest', () => {
    const view = variablesView(reply([A, DF, L, D, SMALL, V]), MIB, sourceOf, trans);
    expect(view.rows.map(r => r.variable.name)).toEqual(['a', 'df', 'l', 'd', 'v']);
    expect(view.smaller).toEqual({ count: 1, size: 72 });
    expect(view.unsized).toEqual([]);
    expect(view.rows[0].sourceLine).toBe('a = np.ones(10**8)');
    expect(view.rows[2].sourceLine).toBeNull(); // its cell is not in this notebook
  });

  it('leaves out a view of a name it does not list', () => {
    const small = variable({ name: 'a', size: 100 });
    const view = variablesView(reply([small, V]), MIB, sourceOf, trans);
    expect(view.rows).toEqual([]);
    expect(view.smaller).toEqual({ count: 2, size: 212 });
  });

  it('adds what the server left out of its list to the smaller ones', () => {
    const view = variablesView(reply([A, SMALL], { omitted_count: 40, omitted_size: 4000 }), MIB, sourceOf, trans);
    expect(view.smaller).toEqual({ count: 41, size: 4072 });
  });

  it('a threshold of 0 lists every sized name', () => {
    const view = variablesView(reply([A, SMALL]), 0, sourceOf, trans);
    expect(view.rows.map(r => r.variable.name)).toEqual(['a', 'np']);
  });

  it('gathers the names the budget left unsized', () => {
    const unsized = variable({ name: 'big', type: 'list', size: null });
    const view = variablesView(reply([A, unsized], { complete: false }), MIB, sourceOf, trans);
    expect(view.rows.map(r => r.variable.name)).toEqual(['a']);
    expect(view.unsized).toEqual(['big']);
  });

  it('what no variable holds is the resident memory less the variables, never below zero', () => {
    expect(variablesView(reply([A]), MIB, sourceOf, trans).total).toEqual({
      variables: 800_000_000,
      rss: 2000 * MIB,
      unexplained: 2000 * MIB - 800_000_000
    });
    const estimated = reply([A], { rss: 700_000_000 });
    expect(variablesView(estimated, MIB, sourceOf, trans).total?.unexplained).toBe(0);
    expect(variablesView(reply([A], { rss: null }), MIB, sourceOf, trans).total).toBeNull();
  });
});

describe('what a row says', () => {
  it('the shape and dtype, the length, a device', () => {
    expect(variableDetail(A, trans)).toBe('100000000 float64');
    expect(variableDetail(DF, trans)).toBe('10000000 × 2');
    expect(variableDetail(L, trans)).toBe('100000 items');
    expect(variableDetail(variable({ length: 1 }), trans)).toBe('1 item');
    expect(variableDetail(variable({ shape: [], dtype: 'int64' }), trans)).toBe('scalar int64');
    expect(variableDetail(variable({ shape: [3], dtype: 'float32', device: 'cuda:0' }), trans)).toBe(
      '3 float32 on cuda:0'
    );
    expect(variableDetail(variable({ shape: [3], device: 'cpu' }), trans)).toBe('3');
    expect(variableDetail(SMALL, trans)).toBe('');
  });

  it('its size, a view by what it shares, an estimate as such', () => {
    expect(variableSizeText(A, 'binary', trans)).toBe('762.9 MiB');
    expect(variableSizeText(A, 'decimal', trans)).toBe('800.0 MB');
    expect(variableSizeText(V, 'binary', trans)).toBe('view of a');
    expect(variableSizeText({ ...V, size: 3 * MIB }, 'binary', trans)).toBe('view of a + 3.0 MiB');
    expect(variableSizeText(variable({ size: 3 * MIB, estimated: true }), 'binary', trans)).toBe('≈3.0 MiB');
  });

  it('the whole sentence on hover', () => {
    expect(variableSentence(A, 'binary', trans)).toBe('a holds 762.9 MiB; bound by the run [2]');
    expect(variableSentence(V, 'binary', trans)).toBe('v shares what a holds (counted there), and holds 112 B of its own; bound by the run [3]');
    expect(variableSentence(SMALL, 'binary', trans)).toBe(
      'np holds 72 B; bound before the memory hook loaded, or not by a cell'
    );
  });

  it('the names not sized in time', () => {
    expect(unsizedText(['x'], 0.2, trans)).toBe('Not sized within the 0.2 s budget: x');
    expect(unsizedText(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 0.2, trans)).toBe(
      'Not sized within the 0.2 s budget (7 names): a, b, c, d, e and 2 more'
    );
    expect(unsizedText(['x', 'y'], null, trans)).toBe('Not sized in time (2 names): x, y');
  });

  it('the total line', () => {
    const total = { variables: 2.24 * 2 ** 30, rss: 2.3 * 2 ** 30, unexplained: 0.06 * 2 ** 30 };
    expect(totalText(total, 'binary', trans)).toBe(
      'Variables 2.24 GiB of 2.30 GiB resident; 61.4 MiB in no variable (modules, caches, freed memory the process keeps)'
    );
  });
});
