import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis
} from 'recharts';

import { ByteUnits, formatSignedBytes } from '../format';
import { IExecutionRecord } from '../model/types';
import { executionBars } from './axes';
import { CHART_HEIGHT } from './chart';
import { signedByteTicks, tickLabel } from './ticks';

export interface IExecutionBarsProps {
  /** The executions drawn, one group of bars each. */
  drawn: IExecutionRecord[];
  units: ByteUnits;
  trans: TranslationBundle;
  onReveal: (cellId: string) => void;
}

/** Each execution's change and peak; redrawn only when a drawn execution or the units changed. */
export const ExecutionBars = React.memo(ExecutionBarsChart, (before, after) =>
  before.units === after.units &&
  before.drawn.length === after.drawn.length &&
  before.drawn.every((r, i) => r.seq === after.drawn[i].seq)
);

function ExecutionBarsChart(props: IExecutionBarsProps): JSX.Element {
  const { drawn, units, trans, onReveal } = props;
  const data = executionBars(drawn);
  // Heap mode's figures, a second series, when any execution has them.
  const withHeap = data.some(d => d.heap !== null);
  // Round steps of bytes (512 MiB, 1 GiB), never 810.6 MiB.
  const low = Math.min(0, ...data.map(d => Math.min(d.delta, d.peak, d.heap ?? 0)));
  const high = Math.max(0, ...data.map(d => Math.max(d.delta, d.peak, d.heap ?? 0)));
  const { ticks } = signedByteTicks(low, high, units);
  const reveal = (entry: unknown) => {
    const cellId = (entry as { payload?: { cellId?: string } })?.payload?.cellId;
    if (cellId) {
      onReveal(cellId);
    }
  };
  return (
    <div className="jp-MemoryUsage-bars" aria-label={trans.__('Change and peak of each execution')}>
      <BarsLegend withHeap={withHeap} trans={trans} />
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid className="jp-MemoryUsage-grid" strokeDasharray="3 3" />
          <XAxis dataKey="name" interval="preserveStartEnd" />
          <YAxis
            ticks={ticks}
            domain={[ticks[0], ticks[ticks.length - 1]]}
            allowDataOverflow
            tickFormatter={v => (Number(v) > 0 ? '+' : '') + tickLabel(Number(v), units)}
            width={72}
          />
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

/** What each bar's colour is; the swatches take the bars' colours from style/cells.css. */
function BarsLegend(props: { withHeap: boolean; trans: TranslationBundle }): JSX.Element {
  const { withHeap, trans } = props;
  const items: [string, string, string][] = [
    ['change', trans.__('change'), trans.__('What the execution kept: memory at its end minus at its start')],
    ['peak', trans.__('peak above start'), trans.__('The highest memory during the execution, above its start')],
    ...(withHeap
      ? ([
          [
            'heap',
            trans.__('Python heap kept'),
            trans.__('Python allocations still held at its end (heap mode, tracemalloc)')
          ]
        ] as [string, string, string][])
      : [])
  ];
  return (
    <ul className="jp-MemoryUsage-legend">
      {items.map(([series, label, title]) => (
        <li key={series} className="jp-MemoryUsage-legendItem" data-series={series} title={title}>
          <span className="jp-MemoryUsage-legendSwatch" aria-hidden="true" />
          {label}
        </li>
      ))}
    </ul>
  );
}
