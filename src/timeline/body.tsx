import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import {
  Area,
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  ReferenceArea,
  ReferenceDot,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis
} from 'recharts';

import { ByteUnits, formatBytes, formatDuration, formatSignedBytes } from '../format';
import { IExecutionRecord, IKernelState } from '../model/types';
import { HeaviestOrder, IChartPoint, IHeaviestRow, TimelineNotice } from './model';

export interface ITimelineBodyProps {
  notice: TimelineNotice;
  state: IKernelState | null;
  executions: IExecutionRecord[];
  series: IChartPoint[];
  heaviest: IHeaviestRow[];
  heaviestOrder: HeaviestOrder;
  units: ByteUnits;
  trans: TranslationBundle;
  onReveal: (cellId: string) => void;
  onOrder: (order: HeaviestOrder) => void;
}

const CHART_HEIGHT = 200;

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
      <MemoryChart {...props} />
      <h3 className="jp-MemoryUsage-heading">{trans.__('Change and peak of each execution')}</h3>
      <ExecutionBars {...props} />
      <HeaviestTable {...props} />
    </div>
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

function clockTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString();
}

function MemoryChart(props: ITimelineBodyProps): JSX.Element {
  const { series, executions, state, units, trans, onReveal } = props;
  const bytes = (v: number) => formatBytes(v, units);
  const limit = state?.limit ?? null;
  const maxValue = Math.max(
    0,
    ...series.map(p => p.rss + p.children),
    ...executions.map(r => r.rss_peak ?? 0)
  );
  // Show the limit only when it is in sight, or the curve would be flattened.
  const showLimit = limit !== null && limit < maxValue * 1.5;
  return (
    <div className="jp-MemoryUsage-chart" aria-label={trans.__('Kernel memory over time')}>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <ComposedChart data={series} margin={{ top: 14, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid className="jp-MemoryUsage-grid" strokeDasharray="3 3" />
          <XAxis
            dataKey="time"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={clockTime}
            minTickGap={40}
          />
          <YAxis tickFormatter={bytes} width={72} domain={[0, 'auto']} />
          <Tooltip
            isAnimationActive={false}
            labelFormatter={v => clockTime(Number(v))}
            formatter={(v, name) => [bytes(Number(v)), name === 'children' ? trans.__('children') : trans.__('kernel')]}
          />
          <Area
            className="jp-MemoryUsage-rssArea"
            dataKey="rss"
            stackId="memory"
            type="linear"
            isAnimationActive={false}
            dot={false}
          />
          <Area
            className="jp-MemoryUsage-childrenArea"
            dataKey="children"
            stackId="memory"
            type="linear"
            isAnimationActive={false}
            dot={false}
          />
          {executions.map(r => (
            <ReferenceArea
              key={`span-${r.msg_id}`}
              className={`jp-MemoryUsage-span jp-MemoryUsage-span-${r.status}`}
              x1={r.started!}
              x2={r.ended ?? series[series.length - 1]?.time ?? r.started!}
              ifOverflow="extendDomain"
              label={r.execution_count !== null ? String(r.execution_count) : undefined}
              onClick={() => r.cell_id && onReveal(r.cell_id)}
            />
          ))}
          {executions
            .filter(r => r.rss_peak !== null)
            .map(r => (
              <ReferenceDot
                key={`peak-${r.msg_id}`}
                className="jp-MemoryUsage-peak"
                x={r.started!}
                y={r.rss_peak!}
                r={3}
                ifOverflow="extendDomain"
                onClick={() => r.cell_id && onReveal(r.cell_id)}
              />
            ))}
          {executions
            .filter(r => r.status === 'died')
            .map(r => (
              <ReferenceLine
                key={`died-${r.msg_id}`}
                className="jp-MemoryUsage-death"
                x={r.ended ?? r.started!}
                label={trans.__('kernel died')}
              />
            ))}
          {showLimit && (
            <ReferenceLine
              className="jp-MemoryUsage-limit"
              y={limit!}
              ifOverflow="extendDomain"
              label={trans.__('limit %1', bytes(limit!))}
            />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

function ExecutionBars(props: ITimelineBodyProps): JSX.Element {
  const { executions, units, trans, onReveal } = props;
  const data = executions.map(r => ({
    name: r.execution_count !== null ? `[${r.execution_count}]` : '[ ]',
    cellId: r.cell_id,
    delta: r.delta ?? 0,
    peak: r.peak_increment ?? 0
  }));
  const reveal = (entry: unknown) => {
    const cellId = (entry as { payload?: { cellId?: string } })?.payload?.cellId;
    if (cellId) {
      onReveal(cellId);
    }
  };
  return (
    <div className="jp-MemoryUsage-bars" aria-label={trans.__('Change and peak of each execution')}>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid className="jp-MemoryUsage-grid" strokeDasharray="3 3" />
          <XAxis dataKey="name" interval="preserveStartEnd" />
          <YAxis tickFormatter={v => formatSignedBytes(Number(v), units)} width={80} />
          <Tooltip
            isAnimationActive={false}
            formatter={(v, name) => [
              formatSignedBytes(Number(v), units),
              name === 'peak' ? trans.__('peak above start') : trans.__('change')
            ]}
          />
          <ReferenceLine y={0} className="jp-MemoryUsage-zero" />
          <Bar className="jp-MemoryUsage-deltaBar" dataKey="delta" isAnimationActive={false} onClick={reveal} />
          <Bar className="jp-MemoryUsage-peakBar" dataKey="peak" isAnimationActive={false} onClick={reveal} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

function HeaviestTable(props: ITimelineBodyProps): JSX.Element {
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
        <thead>
          <tr>
            <th>{trans.__('Cell')}</th>
            <th>{trans.__('Peak')}</th>
            <th>{trans.__('Change')}</th>
            <th>{trans.__('Time')}</th>
          </tr>
        </thead>
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
