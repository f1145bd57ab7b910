import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import {
  Area,
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
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
  /** The executions drawn as spans, peaks and bars (all of them, or a choice). */
  drawn: IExecutionRecord[];
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
      <h3 className="jp-MemoryUsage-heading">
        {props.drawn.length < props.executions.length
          ? trans.__(
              'Change and peak of %1 of %2 executions (the heaviest and the latest)',
              props.drawn.length,
              props.executions.length
            )
          : trans.__('Change and peak of each execution')}
      </h3>
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

/** Plot-area geometry, fixed so that the overlay can be placed in percent. */
const MARGIN = { top: 14, right: 8, bottom: 0, left: 8 };
const Y_AXIS_WIDTH = 72;
const X_AXIS_HEIGHT = 30;

function MemoryChart(props: ITimelineBodyProps): JSX.Element {
  const { series, drawn, state, units, trans, onReveal } = props;
  const limit = state?.limit ?? null;
  const lastTime = series.length ? series[series.length - 1].time : null;
  const times = [
    ...(series.length ? [series[0].time, lastTime!] : []),
    ...drawn.map(r => r.started!),
    ...drawn.map(r => r.ended ?? r.started!)
  ];
  const x0 = Math.min(...times);
  const x1 = Math.max(...times, x0 + 1);
  const peak = Math.max(
    1,
    ...series.map(p => p.rss + p.children),
    ...drawn.map(r => r.rss_peak ?? 0)
  );
  // Show the limit only when it is in sight, or the curve would be flattened.
  const showLimit = limit !== null && limit < peak * 1.5;
  const y1 = Math.max(peak, showLimit ? limit! : 0) * 1.05;
  const xPercent = (t: number) => ((t - x0) / (x1 - x0)) * 100;
  return (
    <div className="jp-MemoryUsage-chart" aria-label={trans.__('Kernel memory over time')}>
      <MemoryCurve
        series={series}
        x0={x0}
        x1={x1}
        y1={y1}
        limit={showLimit ? limit : null}
        deaths={drawn.filter(r => r.status === 'died').map(r => r.ended ?? r.started!)}
        units={units}
        trans={trans}
      />
      {/* Spans and peaks are drawn over the chart in plain HTML: as chart
          elements, hundreds of them made every redraw cost seconds. */}
      <div
        className="jp-MemoryUsage-overlay"
        style={{
          top: MARGIN.top,
          left: MARGIN.left + Y_AXIS_WIDTH,
          right: MARGIN.right,
          bottom: MARGIN.bottom + X_AXIS_HEIGHT
        }}
      >
        {drawn.map(r => {
          const left = xPercent(r.started!);
          const right = xPercent(r.ended ?? lastTime ?? r.started!);
          const label = runLabel(r, units, trans);
          const reveal = () => r.cell_id && onReveal(r.cell_id);
          return (
            <React.Fragment key={r.msg_id}>
              <div
                className={`jp-MemoryUsage-span jp-MemoryUsage-span-${r.status}`}
                style={{ left: `${left}%`, width: `max(${right - left}%, 2px)` }}
                title={label}
                onClick={reveal}
              >
                {r.execution_count !== null && (
                  <span className="jp-MemoryUsage-spanLabel">{r.execution_count}</span>
                )}
              </div>
              {r.rss_peak !== null && (
                <div
                  className="jp-MemoryUsage-peak"
                  style={{ left: `${left}%`, bottom: `${(r.rss_peak / y1) * 100}%` }}
                  title={label}
                  onClick={reveal}
                />
              )}
            </React.Fragment>
          );
        })}
      </div>
    </div>
  );
}

function runLabel(r: IExecutionRecord, units: ByteUnits, trans: TranslationBundle): string {
  return trans.__(
    '[%1] %2 · peak %3 · %4',
    r.execution_count ?? ' ',
    formatSignedBytes(r.delta ?? NaN, units),
    formatSignedBytes(r.peak_increment ?? NaN, units),
    formatDuration(r.duration ?? NaN)
  );
}

interface IMemoryCurveProps {
  series: IChartPoint[];
  x0: number;
  x1: number;
  y1: number;
  limit: number | null;
  deaths: number[];
  units: ByteUnits;
  trans: TranslationBundle;
}

/** The curve itself, redrawn only when its inputs change. */
const MemoryCurve = React.memo(function MemoryCurve(props: IMemoryCurveProps): JSX.Element {
  const { series, x0, x1, y1, limit, deaths, units, trans } = props;
  const bytes = (v: number) => formatBytes(v, units);
  return (
    <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
      <ComposedChart data={series} margin={MARGIN}>
        <CartesianGrid className="jp-MemoryUsage-grid" strokeDasharray="3 3" />
        <XAxis
          dataKey="time"
          type="number"
          domain={[x0, x1]}
          allowDataOverflow
          height={X_AXIS_HEIGHT}
          tickFormatter={clockTime}
          minTickGap={40}
        />
        <YAxis
          tickFormatter={bytes}
          width={Y_AXIS_WIDTH}
          domain={[0, y1]}
          allowDataOverflow
        />
        <Tooltip
          isAnimationActive={false}
          labelFormatter={v => clockTime(Number(v))}
          formatter={(v, name) => [
            bytes(Number(v)),
            name === 'children' ? trans.__('children') : trans.__('kernel')
          ]}
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
        {deaths.map(t => (
          <ReferenceLine key={t} className="jp-MemoryUsage-death" x={t} label={trans.__('kernel died')} />
        ))}
        {limit !== null && (
          <ReferenceLine className="jp-MemoryUsage-limit" y={limit} label={trans.__('limit %1', bytes(limit))} />
        )}
      </ComposedChart>
    </ResponsiveContainer>
  );
});

/** Redrawn only when a drawn execution or the units changed. */
const ExecutionBars = React.memo(ExecutionBarsChart, (before, after) =>
  before.units === after.units &&
  before.drawn.length === after.drawn.length &&
  before.drawn.every((r, i) => r.seq === after.drawn[i].seq)
);

function ExecutionBarsChart(props: ITimelineBodyProps): JSX.Element {
  const { drawn: executions, units, trans, onReveal } = props;
  const data = executions.map(r => ({
    name: r.execution_count !== null ? `[${r.execution_count}]` : '[ ]',
    cellId: r.cell_id,
    delta: r.delta ?? 0,
    peak: r.peak_increment ?? 0,
    heap: r.heap_delta ?? null
  }));
  // Heap mode's figures, a second series, when any execution has them.
  const withHeap = data.some(d => d.heap !== null);
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
              name === 'peak'
                ? trans.__('peak above start')
                : name === 'heap'
                  ? trans.__('Python heap kept (tracemalloc)')
                  : trans.__('change')
            ]}
          />
          <ReferenceLine y={0} className="jp-MemoryUsage-zero" />
          <Bar className="jp-MemoryUsage-deltaBar" dataKey="delta" isAnimationActive={false} onClick={reveal} />
          <Bar className="jp-MemoryUsage-peakBar" dataKey="peak" isAnimationActive={false} onClick={reveal} />
          {withHeap && (
            <Bar className="jp-MemoryUsage-heapBar" dataKey="heap" isAnimationActive={false} onClick={reveal} />
          )}
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
