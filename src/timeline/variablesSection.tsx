import { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ByteUnits, formatBytes, formatFineDuration } from '../format';
import { IVariablesReply } from '../model/types';
import { ColumnHeads } from './table';
import {
  IVariableRow,
  IVariablesView,
  totalText,
  unsizedText,
  variableSentence,
  variableSizeText
} from './variableRows';
import { IVariablesError } from './variablesModel';

export interface IVariablesSectionProps {
  reply: IVariablesReply | null;
  /** The reply's rows at the threshold; null without a reply. */
  view: IVariablesView | null;
  error: IVariablesError | null;
  loading: boolean;
  /** A cell is running: the list is sized when it ends. */
  busy: boolean;
  thresholdBytes: number;
  units: ByteUnits;
  trans: TranslationBundle;
  onRefresh: () => void;
  onReveal: (cellId: string) => void;
}

/** The kernel's largest variables, what each holds, and the cell that bound it. */
export function VariablesSection(props: IVariablesSectionProps): JSX.Element {
  const { reply, view, units, trans } = props;
  return (
    <div className="jp-MemoryUsage-variables" data-loading={props.loading} aria-busy={props.loading}>
      <div className="jp-MemoryUsage-variablesHeader">
        <h3 className="jp-MemoryUsage-heading">{trans.__('Variables, by the memory each holds')}</h3>
        <button
          type="button"
          className="jp-MemoryUsage-zoomReset jp-MemoryUsage-variables-refresh"
          disabled={props.busy || props.loading}
          title={
            props.busy
              ? trans.__('A cell is running: the variables are sized when it ends')
              : trans.__('Size the kernel’s variables again')
          }
          onClick={props.onRefresh}
        >
          <refreshIcon.react tag="span" className="jp-MemoryUsage-refreshIcon" />
          {trans.__('Refresh')}
        </button>
      </div>
      {props.error ? (
        <div className="jp-MemoryUsage-empty jp-MemoryUsage-variables-unavailable" data-status={props.error.status ?? ''}>
          {errorText(props.error, trans)}
        </div>
      ) : !reply || !view ? (
        <div className="jp-MemoryUsage-empty">{trans.__('Sizing the kernel’s variables…')}</div>
      ) : reply.variables === null ? (
        <div className="jp-MemoryUsage-empty">
          {trans.__('A cell is running: the kernel’s variables are sized when it ends.')}
        </div>
      ) : (
        <VariablesList {...props} reply={reply} view={view} />
      )}
      {reply?.as_of && !props.error && (
        <div className="jp-MemoryUsage-variablesAsOf" data-stale={reply.stale}>
          {asOfText(reply, props.busy, trans)}
        </div>
      )}
      {view && view.smaller.count > 0 && !props.error && (
        <div className="jp-MemoryUsage-variablesNote">
          {trans._n(
            'And %1 smaller name, %2 in all (names of %3 or less are counted, not listed: setting “Smallest variable listed”).',
            'And %1 smaller names, %2 in all (names of %3 or less are counted, not listed: setting “Smallest variable listed”).',
            view.smaller.count,
            formatBytes(view.smaller.size, units),
            formatBytes(props.thresholdBytes, units)
          )}
        </div>
      )}
    </div>
  );
}

function VariablesList(props: IVariablesSectionProps & { reply: IVariablesReply; view: IVariablesView }) {
  const { reply, view, units, trans } = props;
  return (
    <>
      {view.total && (
        <div
          className="jp-MemoryUsage-variables-total"
          data-total-size={view.total.variables}
          data-rss={view.total.rss}
        >
          {totalText(view.total, units, trans)}
        </div>
      )}
      {view.unsized.length > 0 && (
        <div className="jp-MemoryUsage-variablesNote jp-MemoryUsage-variables-incomplete">
          {unsizedText(view.unsized, reply.budget_s, trans)}
        </div>
      )}
      {view.rows.length === 0 ? (
        <div className="jp-MemoryUsage-empty">
          {trans.__('No variable holds more than %1.', formatBytes(props.thresholdBytes, units))}
        </div>
      ) : (
        <table className="jp-MemoryUsage-variablesTable">
          <ColumnHeads labels={[trans.__('Name'), trans.__('Size'), trans.__('Bound by')]} />
          <tbody>
            {view.rows.map(row => (
              <VariableRow key={row.variable.name} row={row} {...props} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function VariableRow(props: { row: IVariableRow } & IVariablesSectionProps) {
  const { row, units, trans, onReveal } = props;
  const { variable } = row;
  const cellId = variable.cell_id;
  const reveal = cellId === null ? undefined : () => onReveal(cellId);
  return (
    <tr
      className="jp-MemoryUsage-variable-row"
      data-name={variable.name}
      data-size={variable.size ?? ''}
      data-cell-id={cellId ?? ''}
      data-view-of={variable.view_of ?? ''}
      tabIndex={reveal ? 0 : undefined}
      title={variableSentence(variable, units, trans)}
      onClick={reveal}
      onKeyDown={e => {
        if (reveal && (e.key === 'Enter' || e.key === ' ')) {
          e.preventDefault();
          reveal();
        }
      }}
    >
      <td className="jp-MemoryUsage-variableName">
        <code>{variable.name}</code>
        <span className="jp-MemoryUsage-variableType">
          {row.detail ? `${variable.type} · ${row.detail}` : variable.type}
        </span>
      </td>
      <td className="jp-MemoryUsage-variableSize">{variableSizeText(variable, units, trans)}</td>
      <td className="jp-MemoryUsage-source" title={row.sourceLine ?? undefined}>
        {variable.execution_count !== null ? (
          <>
            <span className="jp-MemoryUsage-executionCount">[{variable.execution_count}] </span>
            <code>{row.sourceLine ?? ''}</code>
          </>
        ) : (
          <span className="jp-MemoryUsage-executionCount">{trans.__('no cell')}</span>
        )}
      </td>
    </tr>
  );
}

function errorText(error: IVariablesError, trans: TranslationBundle): string {
  switch (error.status) {
    case 404:
      return trans.__('This kernel is not running any more.');
    case 409:
      return error.message; // the server's reason: no hook, not an IPython kernel
    case null:
      return trans.__('The server did not answer: %1', error.message);
    default:
      return trans.__('The variables could not be listed: %1', error.message);
  }
}

function asOfText(reply: IVariablesReply, busy: boolean, trans: TranslationBundle): string {
  const time = new Date(reply.as_of! * 1000).toLocaleTimeString();
  if (reply.stale || busy) {
    return trans.__('As of %1; a cell is running, the list follows when it ends.', time);
  }
  return reply.sized_in_s === null
    ? trans.__('As of %1.', time)
    : trans.__('As of %1, sized in %2.', time, formatFineDuration(reply.sized_in_s));
}
