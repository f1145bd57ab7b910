import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ByteUnits, formatBytes, formatDuration, formatSignedBytes } from '../format';
import { profileLineSentence, profileSummary } from '../lines/profile';
import { sourceLine } from '../model/cells';
import { ISelectedCell } from './selected';
import { ColumnHeads } from './table';

export interface IProfileTableProps {
  selected: ISelectedCell;
  units: ByteUnits;
  trans: TranslationBundle;
}

/** The selected cell's lines in the latest line profile: line, runs, change, peak, time. */
export function ProfileTable(props: IProfileTableProps): JSX.Element | null {
  const { selected, units, trans } = props;
  const { profile } = selected;
  if (!profile) {
    return null;
  }
  const { record, cell } = profile;
  const lines = [...cell.lines].sort((a, b) => a.line - b.line);
  const own = record.cell_id === selected.cellId;
  return (
    <div className="jp-MemoryUsage-profile" data-cell-id={selected.cellId}>
      <h3 className="jp-MemoryUsage-heading">
        {own || record.execution_count === null
          ? trans.__('Line profile of this cell')
          : trans.__('Line profile of cell [%1]: the lines it ran here', record.execution_count)}
      </h3>
      {record.line_profile && (
        <div className="jp-MemoryUsage-profileSummary">{profileSummary(record.line_profile, trans)}</div>
      )}
      <table className="jp-MemoryUsage-heaviestTable jp-MemoryUsage-profileTable">
        <ColumnHeads
          labels={[trans.__('Line'), trans.__('Runs'), trans.__('Change'), trans.__('Peak'), trans.__('Time')]}
        />
        <tbody>
          {lines.map(line => (
            <tr
              key={line.line}
              className="jp-MemoryUsage-profile-row"
              data-line={line.line}
              data-hits={line.hits}
              data-delta={line.delta}
              data-peak-increment={line.peak_increment}
              title={profileLineSentence(line, units, trans)}
            >
              <td className="jp-MemoryUsage-source">
                <span className="jp-MemoryUsage-statementLine">{line.line} </span>
                <code>{sourceLine(selected.source, line.line, 60)}</code>
              </td>
              <td>{line.hits}</td>
              <td>{formatSignedBytes(line.delta, units)}</td>
              <td>{formatBytes(line.peak_increment, units)}</td>
              <td>{formatDuration(line.duration ?? NaN)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
