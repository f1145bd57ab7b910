import * as React from 'react';

import { IMemoryChartProps, MemoryChart } from './chart';

export type ITimelineSectionProps = Omit<IMemoryChartProps, 'heading'>;

/** The kernel's memory over the session, each execution's span over it. */
export function TimelineSection(props: ITimelineSectionProps): JSX.Element {
  return (
    <MemoryChart
      {...props}
      heading={<h3 className="jp-MemoryUsage-heading">{props.trans.__('Kernel memory over time')}</h3>}
    />
  );
}
