import { TranslationBundle } from '@jupyterlab/translation';

import { ByteUnits, formatBytes } from '../format';
import { firstLine } from '../model/cells';
import { IVariable, IVariablesReply } from '../model/types';

/** The longest source line a row shows (the cell ellipsises it further). */
const SOURCE_CHARS = 80;
/** How many unsized names the Variables section names before it only counts them. */
const UNSIZED_NAMED = 5;

/** A name the Variables section lists. */
export interface IVariableRow {
  variable: IVariable;
  /** Its shape and dtype, its length, its device: what says how big it is besides its bytes. */
  detail: string;
  /** The first line of the cell that bound it; null when that cell is not in this notebook. */
  sourceLine: string | null;
}

/** What the Variables section shows of a reply. */
export interface IVariablesView {
  /** The names above the threshold, and the views of those, largest first. */
  rows: IVariableRow[];
  /** Sized names at or below the threshold (and those beyond the reply's list), not listed. */
  smaller: { count: number; size: number };
  /** The names the kernel did not size within its budget. */
  unsized: string[];
  /** Every variable's bytes against the kernel's resident memory; null without both. */
  total: IVariablesTotal | null;
}

export interface IVariablesTotal {
  variables: number;
  rss: number;
  /** Resident memory no variable holds (never below zero: estimates can exceed it). */
  unexplained: number;
}

/**
 * The rows of a reply: each name holding more than `thresholdBytes`, and each
 * name that shares (`view_of`) what a listed name holds, in the reply's order.
 */
export function variablesView(
  reply: IVariablesReply,
  thresholdBytes: number,
  sourceOf: (cellId: string) => string | null,
  trans: TranslationBundle
): IVariablesView {
  const variables = reply.variables ?? [];
  const listed = new Set(
    variables.filter(v => v.size !== null && v.size > thresholdBytes).map(v => v.name)
  );
  const rows: IVariableRow[] = [];
  const smaller = { count: reply.omitted_count, size: reply.omitted_size };
  const unsized: string[] = [];
  for (const variable of variables) {
    if (variable.size === null) {
      unsized.push(variable.name);
    } else if (listed.has(variable.name) || (variable.view_of !== null && listed.has(variable.view_of))) {
      const source = variable.cell_id === null ? null : sourceOf(variable.cell_id);
      rows.push({
        variable,
        detail: variableDetail(variable, trans),
        sourceLine: source === null ? null : firstLine(source, SOURCE_CHARS)
      });
    } else {
      smaller.count += 1;
      smaller.size += variable.size;
    }
  }
  const { total_size: size, rss } = reply;
  const total =
    size === null || rss === null ? null : { variables: size, rss, unexplained: Math.max(0, rss - size) };
  return { rows, smaller, unsized, total };
}

/** `100000000 float64`, `10000000 × 2`, `100000 items`, `on cuda:0`: what a name holds besides bytes. */
export function variableDetail(variable: IVariable, trans: TranslationBundle): string {
  const parts: string[] = [];
  if (variable.shape !== null) {
    parts.push(variable.shape.length === 0 ? trans.__('scalar') : variable.shape.join(' × '));
  } else if (variable.length !== null) {
    parts.push(trans._n('%1 item', '%1 items', variable.length));
  }
  if (variable.dtype !== null) {
    parts.push(variable.dtype);
  }
  if (variable.device && variable.device !== 'cpu') {
    parts.push(trans.__('on %1', variable.device));
  }
  return parts.join(' ');
}

/** Below this, what a view holds of its own (its header) is left to its tooltip. */
const VIEW_OWN_SHOWN_BYTES = 1024;

/** What a row says in its size column: its bytes, or whose bytes it shares. */
export function variableSizeText(variable: IVariable, units: ByteUnits, trans: TranslationBundle): string {
  const size = variable.size ?? NaN;
  const text = variable.estimated ? trans.__('≈%1', formatBytes(size, units)) : formatBytes(size, units);
  if (variable.view_of === null) {
    return text;
  }
  return size >= VIEW_OWN_SHOWN_BYTES
    ? trans.__('view of %1 + %2', variable.view_of, text)
    : trans.__('view of %1', variable.view_of);
}

/** The row's tooltip: the whole sentence. */
export function variableSentence(variable: IVariable, units: ByteUnits, trans: TranslationBundle): string {
  const size = formatBytes(variable.size ?? NaN, units);
  const parts = [
    variable.view_of !== null
      ? trans.__('%1 shares what %2 holds (counted there), and holds %3 of its own', variable.name, variable.view_of, size)
      : trans.__('%1 holds %2', variable.name, size)
  ];
  if (variable.estimated) {
    parts.push(trans.__('(an estimate)'));
  }
  if (variable.device && variable.device !== 'cpu') {
    parts.push(trans.__('on %1, outside the kernel’s RAM', variable.device));
  }
  const bound =
    variable.execution_count !== null
      ? trans.__('bound by the run [%1]', variable.execution_count)
      : trans.__('bound before the memory hook loaded, or not by a cell');
  return `${parts.join(' ')}; ${bound}`;
}

/** The names not sized in time, a few named and the rest counted. */
export function unsizedText(unsized: readonly string[], budgetS: number | null, trans: TranslationBundle): string {
  const named = unsized.slice(0, UNSIZED_NAMED).join(', ');
  const rest = unsized.length - UNSIZED_NAMED;
  const list = rest > 0 ? trans.__('%1 and %2 more', named, rest) : named;
  return budgetS === null
    ? trans._n('Not sized in time: %2', 'Not sized in time (%1 names): %2', unsized.length, list)
    : trans._n(
        'Not sized within the %3 s budget: %2',
        'Not sized within the %3 s budget (%1 names): %2',
        unsized.length,
        list,
        budgetS
      );
}

/** `variables 2.24 GiB of 2.30 GiB resident; 61.0 MiB in no variable (…)`. */
export function totalText(total: IVariablesTotal, units: ByteUnits, trans: TranslationBundle): string {
  return trans.__(
    'Variables %1 of %2 resident; %3 in no variable (modules, caches, freed memory the process keeps)',
    formatBytes(total.variables, units),
    formatBytes(total.rss, units),
    formatBytes(total.unexplained, units)
  );
}
