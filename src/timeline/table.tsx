import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ByteUnits, formatDuration, formatSignedBytes } from '../format';
import { vsLastSentence, vsLastText } from './cellRows';
import { HeaviestOrder, IHeaviestRow } from './model';

export interface IHeaviestTableProps {
  heaviest: IHeaviestRow[];
  heaviestOrder: HeaviestOrder;
  units: ByteUnits;
  trans: TranslationBundle;
  onReveal: (cellId: string) => void;
  onOrder: (order: HeaviestOrder) => void;
}

/** A table's row of column heads. */
export function ColumnHeads(props: { labels: readonly string[] }): JSX.Element {
  return (
    <thead>
      <tr>
        {props.labels.map(label => (
          <th key={label}>{label}</th>
        ))}
      </tr>
    </thead>
  );
}

/** The cells table's columns, in their order: what each sorts by, its head and what sorting by it does. */
function columns(trans: TranslationBundle): [HeaviestOrder, string, string][] {
  return [
    ['last-run', trans.__('Latest run'), trans.__('Order by when each cell last ran, the most recent first')],
    ['peak', trans.__('Peak'), trans.__('Order by peak above start in the latest run, the largest first')],
    ['delta', trans.__('Change'), trans.__('Order by the memory the latest run kept (its change), the largest first')],
    ['duration', trans.__('Time'), trans.__('Order by how long the latest run took, the longest first')]
  ];
}

/** Each cell's latest run, each row going to its cell when clicked; its column heads sort it. */
export function HeaviestTable(props: IHeaviestTableProps): JSX.Element {
  const { heaviest, heaviestOrder, units, trans, onReveal, onOrder } = props;
  return (
    <div className="jp-MemoryUsage-heaviest">
      <h3 className="jp-MemoryUsage-heading">{trans.__('Cells, by their latest run')}</h3>
      <table className="jp-MemoryUsage-heaviestTable jp-MemoryUsage-cellsTable">
        <thead>
          <tr>
            {columns(trans).map(([order, label, title]) => (
              <th key={order} aria-sort={order === heaviestOrder ? 'descending' : 'none'}>
                <button
                  type="button"
                  className="jp-MemoryUsage-sortButton"
                  data-sort={order}
                  title={title}
                  onClick={() => onOrder(order)}
                >
                  {label}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {heaviest.map(row => (
            <CellRow key={row.cellId} row={row} units={units} trans={trans} onReveal={onReveal} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CellRow(props: {
  row: IHeaviestRow;
  units: ByteUnits;
  trans: TranslationBundle;
  onReveal: (cellId: string) => void;
}): JSX.Element {
  const { row, units, trans, onReveal } = props;
  const { cellId, record } = row;
  const vsLast = vsLastText(row, units, trans);
  return (
    <tr
      className="jp-MemoryUsage-heaviest-row"
      data-cell-id={cellId}
      data-peak-increment={record.peak_increment ?? ''}
      data-delta={record.delta ?? ''}
      data-duration={record.duration ?? ''}
      data-started={record.started ?? ''}
      data-vs-last={row.vsLast ?? ''}
      tabIndex={0}
      title={trans.__('Go to this cell')}
      onClick={() => onReveal(cellId)}
      onKeyDown={e => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onReveal(cellId);
        }
      }}
    >
      <td className="jp-MemoryUsage-source" title={row.source ?? undefined}>
        {record.execution_count !== null && (
          <span className="jp-MemoryUsage-executionCount">[{record.execution_count}] </span>
        )}
        <code>{row.sourceLine}</code>
      </td>
      <td>{formatSignedBytes(record.peak_increment ?? NaN, units)}</td>
      <td>
        {formatSignedBytes(record.delta ?? NaN, units)}
        {vsLast && (
          <div className="jp-MemoryUsage-vsLast" title={vsLastSentence(row, units, trans) ?? undefined}>
            {vsLast}
          </div>
        )}
      </td>
      <td>{formatDuration(record.duration ?? NaN)}</td>
    </tr>
  );
}
