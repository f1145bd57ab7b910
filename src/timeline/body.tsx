import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatBytes } from '../format';
import { IExecutionRecord, IKernelState } from '../model/types';
import { ExecutionBars } from './bars';
import { MemoryChart } from './chart';
import { HeapSites } from './heapSites';
import { IChartPoint, ISelectedCell, TimelineNotice } from './model';
import { ProfileTable } from './profile';
import { StatementsTable } from './statements';
import { HeaviestTable, IHeaviestTableProps } from './table';

export interface ITimelineBodyProps extends IHeaviestTableProps {
  notice: TimelineNotice;
  state: IKernelState | null;
  executions: IExecutionRecord[];
  /** The executions drawn as spans, peaks and bars (all of them, or a choice). */
  drawn: IExecutionRecord[];
  series: IChartPoint[];
  /** The active cell's latest run, when its statements, lines or heap sites were measured. */
  selected: ISelectedCell | null;
}

/** Renders a snapshot of the timeline model; fetches nothing. */
export function TimelineBody(props: ITimelineBodyProps): JSX.Element {
  const { notice, trans } = props;
  if (notice) {
    return <div className="jp-MemoryUsage-notice">{noticeText(notice, trans)}</div>;
  }
  return (
    <div className="jp-MemoryUsage-timelineBody">
      <Summary {...props} />
      <h3 className="jp-MemoryUsage-heading">{trans.__('Kernel memory over time')}</h3>
      <MemoryChart
        series={props.series}
        drawn={props.drawn}
        limit={props.state?.limit ?? null}
        units={props.units}
        trans={trans}
        onReveal={props.onReveal}
      />
      <h3 className="jp-MemoryUsage-heading">
        {props.drawn.length < props.executions.length
          ? trans.__(
              'Change and peak of %1 of %2 executions (the heaviest and the latest)',
              props.drawn.length,
              props.executions.length
            )
          : trans.__('Change and peak of each execution')}
      </h3>
      <ExecutionBars drawn={props.drawn} units={props.units} trans={trans} onReveal={props.onReveal} />
      {props.selected && <SelectedCell selected={props.selected} units={props.units} trans={trans} />}
      <HeaviestTable {...props} />
    </div>
  );
}

/** The selected cell's statements, its lines in the latest line profile, its heap sites. */
function SelectedCell(props: { selected: ISelectedCell } & Pick<ITimelineBodyProps, 'units' | 'trans'>) {
  return (
    <>
      {!!props.selected.record.statements?.length && <StatementsTable {...props} />}
      <ProfileTable {...props} />
      <HeapSites {...props} />
    </>
  );
}

function noticeText(notice: Exclude<TimelineNotice, null>, trans: TranslationBundle): string {
  switch (notice) {
    case 'no-notebook':
      return trans.__('Open a notebook to see its kernel’s memory over time.');
    case 'no-kernel':
      return trans.__('This notebook has no running kernel.');
    case 'monitoring-off':
      return trans.__('Memory monitoring is off. Turn it on with the command “Monitor Kernel Memory”.');
    case 'no-server':
      return trans.__(
        'The jupyterlab_memory_usage server extension does not answer. Enable it with: jupyter server extension enable jupyterlab_memory_usage'
      );
  }
}

function Summary({ state, executions, units, trans }: ITimelineBodyProps): JSX.Element {
  const rss = state?.rss ?? null;
  const limit = state?.limit ?? null;
  return (
    <div className="jp-MemoryUsage-summary">
      {trans.__(
        'Kernel now %1 of %2 · %3 executions',
        rss === null ? '—' : formatBytes(rss, units),
        limit === null ? '—' : formatBytes(limit, units),
        executions.length
      )}
    </div>
  );
}
