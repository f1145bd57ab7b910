import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis
} from 'recharts';

import { ByteUnits, formatBytes, formatDuration, formatSignedBytes } from '../format';
import { IExecutionRecord } from '../model/types';
import { chartAxes, deathTimes, spanLayout } from './axes';
import { IChartPoint } from './model';

export const CHART_HEIGHT = 200;

/** Plot-area geometry, fixed so that the overlay can be placed in percent. */
const MARGIN = { top: 14, right: 8, bottom: 0, left: 8 };
const Y_AXIS_WIDTH = 72;
const X_AXIS_HEIGHT = 30;

export interface IMemoryChartProps {
  series: IChartPoint[];
  /** The executions drawn as spans and peaks. */
  drawn: IExecutionRecord[];
  limit: number | null;
  units: ByteUnits;
  trans: TranslationBundle;
  onReveal: (cellId: string) => void;
}

function clockTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString();
}

/** The kernel's memory over time, each execution's span and peak over it. */
export function MemoryChart(props: IMemoryChartProps): JSX.Element {
  const { series, drawn, units, trans, onReveal } = props;
  const axes = chartAxes(series, drawn, props.limit);
  return (
    <div className="jp-MemoryUsage-chart" aria-label={trans.__('Kernel memory over time')}>
      <MemoryCurve
        series={series}
        x0={axes.x0}
        x1={axes.x1}
        y1={axes.y1}
        limit={axes.limit}
        deaths={deathTimes(drawn)}
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
          const { left, width, peakBottom } = spanLayout(r, axes);
          const label = runLabel(r, units, trans);
          const reveal = () => r.cell_id && onReveal(r.cell_id);
          return (
            <React.Fragment key={r.msg_id}>
              <div
                className={`jp-MemoryUsage-span jp-MemoryUsage-span-${r.status}`}
                style={{ left: `${left}%`, width: `max(${width}%, 2px)` }}
                title={label}
                onClick={reveal}
              >
                {r.execution_count !== null && (
                  <span className="jp-MemoryUsage-spanLabel">{r.execution_count}</span>
                )}
              </div>
              {peakBottom !== null && (
                <div
                  className="jp-MemoryUsage-peak"
                  style={{ left: `${left}%`, bottom: `${peakBottom}%` }}
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
