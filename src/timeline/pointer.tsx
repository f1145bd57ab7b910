import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ByteUnits, formatBytes } from '../format';
import { IExecutionRecord } from '../model/types';
import { IXAxis } from './cellAxis';
import { memoryAt, runningAt, slotAt } from './crosshair';
import { IPlotInsets } from './curve';
import { IChartPoint } from './model';
import { clockLabel } from './ticks';

/** A drag shorter than this, in pixels, is a click. */
export const DRAG_THRESHOLD = 3;

export interface IPlotPointerProps {
  /** The element whose mouse events the pointer follows: the plot and its margins. */
  target: React.RefObject<HTMLElement>;
  insets: IPlotInsets;
  plotWidth: number;
  plotHeight: number;
  axis: IXAxis;
  series: readonly IChartPoint[];
  drawn: readonly IExecutionRecord[];
  lastTime: number | null;
  units: ByteUnits;
  trans: TranslationBundle;
  onZoom: (from: number, to: number) => void;
  onResetZoom: () => void;
}

interface IPointerState {
  /** The crosshair, in pixels from the plot's left; null when the mouse is away. */
  hover: number | null;
  /** The selection being dragged, from and to in pixels. */
  brush: { a: number; b: number } | null;
}

/**
 * The crosshair, its readout and the zoom's selection. Their state lives here,
 * so that a mouse move re-renders these few elements and not the chart.
 */
export function PlotPointer(props: IPlotPointerProps): JSX.Element | null {
  const [state, setState] = React.useState<IPointerState>({ hover: null, brush: null });
  const latest = React.useRef(props);
  latest.current = props;

  React.useEffect(() => {
    const el = props.target.current;
    if (!el) {
      return;
    }
    /** The mouse in pixels from the plot's left, or null outside the plot. */
    const plotX = (e: MouseEvent, clamp: boolean): number | null => {
      const { insets, plotWidth, plotHeight } = latest.current;
      const box = el.getBoundingClientRect();
      const x = e.clientX - box.left - insets.left;
      const y = e.clientY - box.top - insets.top;
      if (clamp) {
        return Math.max(0, Math.min(plotWidth, x));
      }
      return x >= 0 && x <= plotWidth && y >= -insets.top && y <= plotHeight ? x : null;
    };
    let start: number | null = null;
    let dragged = false;
    let suppressClick = false;

    const onMove = (e: MouseEvent) => {
      if (start !== null) {
        return; // the window's listener draws the selection
      }
      const hover = plotX(e, false);
      setState(s => (s.hover === hover ? s : { ...s, hover }));
    };
    const onLeave = () => {
      if (start === null) {
        setState({ hover: null, brush: null });
      }
    };
    const onDragMove = (e: MouseEvent) => {
      if (start === null) {
        return;
      }
      const x = plotX(e, true)!;
      if (Math.abs(x - start) >= DRAG_THRESHOLD) {
        dragged = true;
      }
      const a = start;
      setState({ hover: x, brush: dragged ? { a, b: x } : null });
    };
    const onUp = (e: MouseEvent) => {
      window.removeEventListener('mousemove', onDragMove);
      window.removeEventListener('mouseup', onUp);
      if (start === null) {
        return;
      }
      const x = plotX(e, true)!;
      const a = start;
      start = null;
      setState({ hover: plotX(e, false), brush: null });
      if (dragged) {
        suppressClick = true;
        // The click, if any, follows this event at once; a late one is a new click.
        window.setTimeout(() => (suppressClick = false), 0);
        const { axis, onZoom } = latest.current;
        const from = axis.fromX(Math.min(a, x));
        const to = axis.fromX(Math.max(a, x));
        onZoom(from, to > from ? to : from + 0.001);
      }
    };
    const onDown = (e: MouseEvent) => {
      if (e.button !== 0) {
        return;
      }
      const x = plotX(e, false);
      if (x === null) {
        return;
      }
      start = x;
      dragged = false;
      window.addEventListener('mousemove', onDragMove);
      window.addEventListener('mouseup', onUp);
    };
    // After a drag, the click that ends it must not reveal the span under it.
    const onClickCapture = (e: MouseEvent) => {
      if (suppressClick) {
        suppressClick = false;
        e.stopPropagation();
        e.preventDefault();
      }
    };
    const onDoubleClick = (e: MouseEvent) => {
      if (plotX(e, false) !== null) {
        latest.current.onResetZoom();
      }
    };
    el.addEventListener('mousemove', onMove);
    el.addEventListener('mouseleave', onLeave);
    el.addEventListener('mousedown', onDown);
    el.addEventListener('click', onClickCapture, true);
    el.addEventListener('dblclick', onDoubleClick);
    return () => {
      el.removeEventListener('mousemove', onMove);
      el.removeEventListener('mouseleave', onLeave);
      el.removeEventListener('mousedown', onDown);
      el.removeEventListener('click', onClickCapture, true);
      el.removeEventListener('dblclick', onDoubleClick);
      window.removeEventListener('mousemove', onDragMove);
      window.removeEventListener('mouseup', onUp);
    };
  }, [props.target]);

  const { hover, brush } = state;
  if (hover === null && brush === null) {
    return null;
  }
  const { insets, plotWidth, plotHeight } = props;
  return (
    <>
      {brush && (
        <div
          className="jp-MemoryUsage-brush"
          style={{
            left: insets.left + Math.min(brush.a, brush.b),
            width: Math.abs(brush.b - brush.a),
            top: insets.top,
            height: plotHeight
          }}
        />
      )}
      {hover !== null && (
        <>
          <div
            className="jp-MemoryUsage-crosshair"
            style={{ left: insets.left + hover, top: insets.top, height: plotHeight }}
          />
          <Readout {...props} x={hover} placeLeft={hover > plotWidth / 2} />
        </>
      )}
    </>
  );
}

function Readout(props: IPlotPointerProps & { x: number; placeLeft: boolean }): JSX.Element {
  const { axis, series, drawn, lastTime, units, trans, x, insets } = props;
  const time = axis.fromX(x);
  const memory = memoryAt(series, time);
  let run: IExecutionRecord | null;
  if (axis.mode === 'cells') {
    const i = slotAt(axis.slots, x);
    run = i < 0 ? null : drawn[i] ?? null;
  } else {
    run = runningAt(drawn, time, lastTime);
  }
  const count = run?.execution_count ?? ' ';
  const style: React.CSSProperties = { top: insets.top + 2 };
  if (props.placeLeft) {
    style.right = props.plotWidth + insets.right - x + 6;
  } else {
    style.left = insets.left + x + 6;
  }
  return (
    <div className="jp-MemoryUsage-readout" style={style} role="status">
      <div>{clockLabel(time)}</div>
      {memory && (
        <div>
          {memory.children > 0
            ? trans.__(
                '%1 (kernel %2 + children %3)',
                formatBytes(memory.rss + memory.children, units),
                formatBytes(memory.rss, units),
                formatBytes(memory.children, units)
              )
            : formatBytes(memory.rss, units)}
        </div>
      )}
      {run && (
        <div>{run.status === 'running' ? trans.__('[%1] running', count) : trans.__('[%1]', count)}</div>
      )}
    </div>
  );
}
