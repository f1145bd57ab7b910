import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ByteUnits } from '../format';
import { IExecutionRecord } from '../model/types';
import { MemoryChart } from './chart';
import { ChartViewState } from './chartView';
import { IChartPoint } from './model';

export interface ITimelineSectionProps {
  series: IChartPoint[];
  /** The executions drawn as spans and peaks. */
  drawn: IExecutionRecord[];
  limit: number | null;
  /** The axis mode and zoom the user chose (owned by the timeline model). */
  chartView: ChartViewState;
  units: ByteUnits;
  trans: TranslationBundle;
  onReveal: (cellId: string) => void;
}

/** The kernel's memory over the session, each execution's span over it. */
export function TimelineSection(props: ITimelineSectionProps): JSX.Element {
  return (
    <MemoryChart
      {...props}
      heading={<h3 className="jp-MemoryUsage-heading">{props.trans.__('Kernel memory over time')}</h3>}
    />
  );
}
