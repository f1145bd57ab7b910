import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatBytes } from '../format';
import { IKernelState } from '../model/types';
import { CellsSection, ICellsSectionProps } from './cellsSection';
import { ChartViewState } from './chartView';
import { IChartPoint, TimelineNotice } from './model';
import { Section, SectionTabs } from './sections';
import { TimelineSection } from './timelineSection';
import { IVariablesSectionProps, VariablesSection } from './variablesSection';

export interface ITimelineBodyProps extends ICellsSectionProps {
  notice: TimelineNotice;
  state: IKernelState | null;
  series: IChartPoint[];
  section: Section;
  chartView: ChartViewState;
  onSection: (section: Section) => void;
  /** The Variables section's snapshot; null while another section is shown. */
  variables: IVariablesSectionProps | null;
}

/** Renders a snapshot of the timeline model; fetches nothing. */
export function TimelineBody(props: ITimelineBodyProps): JSX.Element {
  const { notice, trans, section } = props;
  if (notice) {
    return <div className="jp-MemoryUsage-notice">{noticeText(notice, props.state, trans)}</div>;
  }
  return (
    <div className="jp-MemoryUsage-timelineBody">
      <Summary {...props} />
      <SectionTabs section={section} trans={trans} onSection={props.onSection} />
      {props.executions.length === 0 && section !== 'variables' && (
        <div className="jp-MemoryUsage-empty">
          {section === 'timeline'
            ? trans.__('Run a cell: each execution appears here as a span over the kernel’s memory.')
            : trans.__('Run a cell: its change, its peak and its time appear here.')}
        </div>
      )}
      <div
        className="jp-MemoryUsage-section"
        role="tabpanel"
        id={`jp-MemoryUsage-section-${section}`}
        aria-labelledby={`jp-MemoryUsage-tab-${section}`}
        data-section={section}
      >
        {section === 'variables' ? (
          props.variables && <VariablesSection {...props.variables} />
        ) : section === 'timeline' ? (
          <TimelineSection
            series={props.series}
            drawn={props.drawn}
            limit={props.state?.limit ?? null}
            chartView={props.chartView}
            units={props.units}
            trans={trans}
            onReveal={props.onReveal}
          />
        ) : (
          <CellsSection {...props} />
        )}
      </div>
    </div>
  );
}

function noticeText(
  notice: Exclude<TimelineNotice, null>,
  state: IKernelState | null,
  trans: TranslationBundle
): string {
  switch (notice) {
    case 'no-notebook':
      return trans.__('Open a notebook to see its kernel’s memory over time.');
    case 'no-kernel':
      return trans.__('This notebook has no running kernel.');
    case 'monitoring-off':
      return trans.__('Memory monitoring is off. Turn it on with the command “Monitor Kernel Memory”.');
    case 'no-figures':
      return trans.__(
        'No memory figures for this kernel: %1',
        state?.reason_message ?? state?.reason ?? ''
      );
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
