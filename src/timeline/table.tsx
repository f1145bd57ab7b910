import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ByteUnits, formatDuration, formatSignedBytes } from '../format';
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

/** The heaviest cells, each row going to its cell when clicked. */
export function HeaviestTable(props: IHeaviestTableProps): JSX.Element {
  const { heaviest, heaviestOrder, units, trans, onReveal, onOrder } = props;
  return (
    <div className="jp-MemoryUsage-heaviest">
      <div className="jp-MemoryUsage-heaviestHeader">
        <h3 className="jp-MemoryUsage-heading">{trans.__('Heaviest cells')}</h3>
        <select
          className="jp-mod-styled"
          aria-label={trans.__('Order the heaviest cells by')}
          value={heaviestOrder}
          onChange={e => onOrder(e.target.value as HeaviestOrder)}
        >
          <option value="peak">{trans.__('by peak above start')}</option>
          <option value="delta">{trans.__('by change')}</option>
        </select>
      </div>
      <table className="jp-MemoryUsage-heaviestTable">
        <ColumnHeads labels={[trans.__('Cell'), trans.__('Peak'), trans.__('Change'), trans.__('Time')]} />
        <tbody>
          {heaviest.map(({ cellId, record, sourceLine }) => (
            <tr
              key={cellId}
              className="jp-MemoryUsage-heaviest-row"
              data-cell-id={cellId}
              data-peak-increment={record.peak_increment ?? ''}
              data-delta={record.delta ?? ''}
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
              <td className="jp-MemoryUsage-source">
                {record.execution_count !== null ? `[${record.execution_count}] ` : ''}
                <code>{sourceLine}</code>
              </td>
              <td>{formatSignedBytes(record.peak_increment ?? NaN, units)}</td>
              <td>{formatSignedBytes(record.delta ?? NaN, units)}</td>
              <td>{formatDuration(record.duration ?? NaN)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
