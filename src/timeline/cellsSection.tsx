import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ByteUnits } from '../format';
import { IExecutionRecord } from '../model/types';
import { ExecutionBars } from './bars';
import { HeapSites } from './heapSites';
import { ISelectedCell } from './selected';
import { ProfileTable } from './profile';
import { StatementsTable } from './statements';
import { HeaviestTable, IHeaviestTableProps } from './table';

export interface ICellsSectionProps extends IHeaviestTableProps {
  executions: IExecutionRecord[];
  /** The executions drawn as bars (all of them, or a choice). */
  drawn: IExecutionRecord[];
  /** The active cell's latest run, when its statements, lines or heap sites were measured. */
  selected: ISelectedCell | null;
  units: ByteUnits;
  trans: TranslationBundle;
}

/** Each execution's change and peak, the cells table, the selected cell's details. */
export function CellsSection(props: ICellsSectionProps): JSX.Element {
  const { trans } = props;
  return (
    <>
      <h3 className="jp-MemoryUsage-heading">
        {props.drawn.length < props.executions.length
          ? trans.__(
              'Change and peak of %1 of %2 executions (the heaviest and the latest)',
              props.drawn.length,
              props.executions.length
            )
          : trans.__('Change and peak of each execution')}
      </h3>
      {/* Finished executions only: a running one's figures change at every poll,
          and redrawing 120 bars each time cost 30-50 ms a frame. */}
      <ExecutionBars
        drawn={props.drawn.filter(r => r.status !== 'running')}
        units={props.units}
        trans={trans}
        onReveal={props.onReveal}
      />
      {props.selected && <SelectedCell selected={props.selected} units={props.units} trans={trans} />}
      <HeaviestTable {...props} />
    </>
  );
}

/** The selected cell's statements, its lines in the latest line profile, its heap sites. */
function SelectedCell(props: { selected: ISelectedCell; units: ByteUnits; trans: TranslationBundle }) {
  return (
    <>
      {!!props.selected.record.statements?.length && <StatementsTable {...props} />}
      <ProfileTable {...props} />
      <HeapSites {...props} />
    </>
  );
}
