import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ByteUnits, formatDuration, formatSignedBytes } from '../format';
import { statementRows, statementSentence } from '../lines/statements';
import { ISelectedCell } from './selected';
import { ColumnHeads } from './table';

export interface IStatementsTableProps {
  selected: ISelectedCell;
  units: ByteUnits;
  trans: TranslationBundle;
}

/** The active cell's statements in its latest run: line, change, peak, time. */
export function StatementsTable(props: IStatementsTableProps): JSX.Element {
  const { selected, units, trans } = props;
  const { record } = selected;
  const rows = statementRows(record.statements ?? [], selected.source, trans);
  return (
    <div className="jp-MemoryUsage-statements" data-cell-id={selected.cellId}>
      <h3 className="jp-MemoryUsage-heading">
        {record.execution_count !== null
          ? trans.__('Statements of cell [%1]', record.execution_count)
          : trans.__('Statements of the selected cell')}
      </h3>
      <table className="jp-MemoryUsage-heaviestTable jp-MemoryUsage-statementsTable">
        <ColumnHeads labels={[trans.__('Line'), trans.__('Change'), trans.__('Peak'), trans.__('Time')]} />
        <tbody>
          {rows.map(({ statement, lines, label }, index) => (
            <tr
              key={index}
              className={
                lines
                  ? 'jp-MemoryUsage-statement-row'
                  : 'jp-MemoryUsage-statement-row jp-MemoryUsage-statement-aggregate'
              }
              data-line={statement.line ?? ''}
              data-end-line={statement.end_line ?? ''}
              data-aggregated={statement.aggregated ?? ''}
              data-delta={statement.delta}
              data-peak-increment={statement.peak_increment ?? ''}
              title={statementSentence(statement, units, trans)}
            >
              <td className="jp-MemoryUsage-source">
                {lines && <span className="jp-MemoryUsage-statementLine">{lines} </span>}
                {lines ? <code>{label}</code> : label}
              </td>
              <td>{formatSignedBytes(statement.delta, units)}</td>
              <td>{formatSignedBytes(statement.peak_increment ?? NaN, units)}</td>
              <td>{formatDuration(statement.duration)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
