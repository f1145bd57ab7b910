import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ByteUnits, formatBytes, formatDuration, formatSignedBytes } from '../format';
import { IExecutionRecord } from '../model/types';
import { chartAxes, deathTimes } from './axes';
import { autoMode, cellAxis, DrawnAxisMode, IXAxis, timeAxis } from './cellAxis';
import { ChartViewState } from './chartView';
import { lastIndexAtOrBefore } from './crosshair';
import { ICurveLine, ICurvePoint, ICurveTick, IPlotInsets, MemoryCurve } from './curve';
import { ChartLegend } from './chartLegend';
import { chooseLabels, textWidth } from './labels';
import { IChartPoint } from './model';
import { PlotPointer } from './pointer';
import { useWidth } from './useWidth';
import { tickLabel, timeTicks } from './ticks';

export const CHART_HEIGHT = 200;

/** Font sizes the estimates of text widths assume (--jp-ui-font-size0 is 10.8 px). */
const TICK_FONT = 11;
const LABEL_FONT = 11;
/** Room above the plot for the spans' labels. */
const TOP = 18;
const RIGHT = 8;
/** Below the plot: the time ticks, or only a little air in cells mode. */
const BOTTOM: Record<DrawnAxisMode, number> = { time: 22, cells: 6 };
const NO_TICKS: ICurveTick[] = [];
const NO_LINES: ICurveLine[] = [];

export interface IMemoryChartProps {
  series: IChartPoint[];
  /** The executions drawn as spans and peaks. */
  drawn: IExecutionRecord[];
  limit: number | null;
  /** The axis mode and zoom the user chose. */
  chartView: ChartViewState;
  units: ByteUnits;
  trans: TranslationBundle;
  onReveal: (cellId: string) => void;
  /** Shown at the start of the chart's toolbar (the section's heading). */
  heading?: React.ReactNode;
}

/** The axis mode drawn: the user's, or in 'auto' cells when spans on the time axis would be slivers. */
function drawnMode(chosen: ChartViewState['mode'], timeAxisOfSpans: IXAxis): DrawnAxisMode {
  return chosen === 'auto' ? autoMode(timeAxisOfSpans) : chosen;
}

/** The kernel's memory over time, each execution's span and peak over it. */
export function MemoryChart(props: IMemoryChartProps): JSX.Element {
  const { chartView, units, trans, onReveal } = props;
  const zoom = chartView.zoom;
  const plotRef = React.useRef<HTMLDivElement>(null);
  const width = useWidth(plotRef);

  // Zoomed: only what is in the range.
  const drawn = zoom
    ? props.drawn.filter(r => r.started! <= zoom.to && (r.ended ?? Infinity) >= zoom.from)
    : props.drawn;
  const series = React.useMemo(() => {
    const all = props.series;
    if (!zoom) {
      return all;
    }
    // One point on either side, so that the curve reaches the edges.
    const first = Math.max(0, lastIndexAtOrBefore(all, zoom.from));
    const end = Math.min(all.length, lastIndexAtOrBefore(all, zoom.to) + 2);
    return all.slice(first, end);
  }, [props.series, zoom?.from, zoom?.to]);

  const axes = chartAxes(series, drawn, props.limit, units, zoom);
  const yLabelsKey = `${axes.yTicks.join(',')}|${units}`;
  const yTicks = React.useMemo(
    () => axes.yTicks.map(at => ({ at, label: tickLabel(at, units) })),
    [yLabelsKey]
  );
  const yLabelWidth = Math.max(...yTicks.map(t => textWidth(t.label, TICK_FONT)));

  // The x axis: recomputed only when what it depends on changes.
  const left = yLabelWidth + 8;
  const plotWidth = Math.max(1, width - left - RIGHT);
  const spansKey = drawn.map(r => `${r.msg_id}:${r.started}:${r.ended}`).join(',');
  const axisKey = `${chartView.mode}|${plotWidth}|${axes.x0}|${axes.x1}|${axes.lastTime}|${spansKey}`;
  const axis = React.useMemo(() => {
    const range = { t0: axes.x0, t1: axes.x1 };
    const linear = timeAxis(drawn, range, plotWidth, axes.lastTime);
    return drawnMode(chartView.mode, linear) === 'cells'
      ? cellAxis(drawn, range, plotWidth, axes.lastTime)
      : linear;
  }, [axisKey]);
  const mode = axis.mode;

  const bottom = BOTTOM[mode];
  const plotHeight = CHART_HEIGHT - TOP - bottom;
  const insets = React.useMemo<IPlotInsets>(() => ({ top: TOP, right: RIGHT, bottom, left }), [bottom, left]);

  const points = React.useMemo<ICurvePoint[]>(
    () => series.map(p => ({ x: axis.toX(p.time) / plotWidth, rss: p.rss, children: p.children })),
    [series, axis]
  );
  const xTicks = React.useMemo(
    () =>
      mode === 'cells'
        ? NO_TICKS
        : timeTicks(axes.x0, axes.x1, plotWidth, s => textWidth(s, TICK_FONT)).map(t => ({
            at: (t.time - axes.x0) / (axes.x1 - axes.x0),
            label: t.label
          })),
    [mode, axes.x0, axes.x1, plotWidth]
  );
  const hLines = React.useMemo(
    // The limit's figure is in the legend: a label in the plot could cover the spans'.
    () => (axes.limit === null ? NO_LINES : [{ at: axes.limit, label: '', className: 'jp-MemoryUsage-limit' }]),
    [axes.limit]
  );
  const deaths = deathTimes(drawn);
  const deathsKey = deaths.join(',');
  const vLines = React.useMemo(
    () => [
      ...axis.breaks.map(b => ({
        at: (b.x0 + b.x1) / 2 / plotWidth,
        label: '',
        className: 'jp-MemoryUsage-break'
      })),
      ...deaths.map(t => ({ at: axis.toX(t) / plotWidth, label: '', className: 'jp-MemoryUsage-death' }))
    ],
    [axis, deathsKey]
  );

  const labelLefts = chooseLabels(
    axis.slots.map((s, i) => ({
      x0: s.x0,
      x1: s.x1,
      width: drawn[i].execution_count === null ? 0 : textWidth(String(drawn[i].execution_count), LABEL_FONT)
    })),
    plotWidth
  );

  const onZoom = React.useCallback((from: number, to: number) => (chartView.zoom = { from, to }), [chartView]);
  const onResetZoom = React.useCallback(() => (chartView.zoom = null), [chartView]);
  const modeTitles: Record<DrawnAxisMode, string> = {
    time: trans.__('Time axis: each execution at its clock time'),
    cells: trans.__('Cells axis: each execution in its own slot, idle time compressed')
  };

  return (
    <div
      className="jp-MemoryUsage-chart"
      data-axis-mode={mode}
      data-zoomed={zoom ? 'true' : 'false'}
      aria-label={trans.__('Kernel memory over time')}
    >
      <div className="jp-MemoryUsage-chartToolbar">
        {props.heading}
        <div className="jp-MemoryUsage-axisMode" role="group" aria-label={trans.__('X axis')}>
          {(['time', 'cells'] as const).map(m => (
            <button
              key={m}
              type="button"
              className="jp-MemoryUsage-axisModeButton"
              data-mode={m}
              aria-pressed={mode === m}
              title={modeTitles[m]}
              onClick={() => (chartView.mode = m)}
            >
              {m === 'time' ? trans.__('time') : trans.__('cells')}
            </button>
          ))}
        </div>
        {zoom && (
          <button type="button" className="jp-MemoryUsage-zoomReset" onClick={onResetZoom}>
            {trans.__('Reset zoom')}
          </button>
        )}
      </div>
      <div
        className="jp-MemoryUsage-plot"
        ref={plotRef}
        style={{ height: CHART_HEIGHT }}
        title={zoom ? undefined : trans.__('Drag across the chart to zoom in')}
      >
        {width > 0 && (
          <MemoryCurve
            points={points}
            y1={axes.y1}
            yTicks={yTicks}
            xTicks={xTicks}
            hLines={hLines}
            vLines={vLines}
            width={width}
            height={CHART_HEIGHT}
            insets={insets}
          />
        )}
        {/* Spans and peaks are drawn over the chart in plain HTML: as chart
            elements, hundreds of them made every redraw cost seconds. */}
        <div
          className="jp-MemoryUsage-overlay"
          style={{ top: TOP, left, width: plotWidth, height: plotHeight }}
        >
          {drawn.map((r, i) => {
            const slot = axis.slots[i];
            const spanWidth =
              mode === 'cells' && slot.x1 - slot.x0 > 4 ? slot.x1 - slot.x0 - 1 : Math.max(2, slot.x1 - slot.x0);
            const label = runLabel(r, units, trans);
            const reveal = () => r.cell_id && onReveal(r.cell_id);
            const labelLeft = labelLefts[i];
            return (
              <React.Fragment key={r.msg_id}>
                <div
                  className={`jp-MemoryUsage-span jp-MemoryUsage-span-${r.status}`}
                  style={{ left: slot.x0, width: spanWidth }}
                  data-msg-id={r.msg_id}
                  data-cell-id={r.cell_id ?? undefined}
                  tabIndex={0}
                  role="button"
                  aria-label={label}
                  onClick={reveal}
                  onKeyDown={e => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      reveal();
                    }
                  }}
                >
                  {labelLeft !== null && (
                    <span
                      className="jp-MemoryUsage-spanLabel"
                      style={{
                        left: labelLeft - slot.x0,
                        width: textWidth(String(r.execution_count), LABEL_FONT)
                      }}
                      aria-hidden="true"
                    >
                      {r.execution_count}
                    </span>
                  )}
                </div>
                {r.rss_peak !== null && (
                  <div
                    className="jp-MemoryUsage-peak"
                    style={{
                      left: slot.x0 + spanWidth / 2,
                      bottom: (Math.min(r.rss_peak, axes.y1) / axes.y1) * plotHeight
                    }}
                    title={label}
                    onClick={reveal}
                  />
                )}
              </React.Fragment>
            );
          })}
        </div>
        <PlotPointer
          target={plotRef}
          insets={insets}
          plotWidth={plotWidth}
          plotHeight={plotHeight}
          axis={axis}
          series={series}
          drawn={drawn}
          lastTime={axes.lastTime}
          units={units}
          trans={trans}
          onZoom={onZoom}
          onResetZoom={onResetZoom}
        />
      </div>
      <ChartLegend
        kernel={series.length > 0 || drawn.length > 0}
        childProcesses={points.some(p => p.children > 0)}
        limit={axes.limit === null ? null : formatBytes(axes.limit, units)}
        peak={drawn.length > 0}
        died={deaths.length > 0}
        idle={axis.breaks.length > 0}
        trans={trans}
      />
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
