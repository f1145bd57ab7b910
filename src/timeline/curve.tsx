import * as React from 'react';

/**
 * The memory curve's layer: the kernel's and its children's memory as two
 * stacked areas, the grid, the axes' labels, the limit and the deaths, drawn
 * as a handful of SVG elements.
 *
 * Not recharts: with its 600-point stacked areas, recharts recomputed its
 * store and every point at each live update (a CPU profile of 30 updates in
 * the 200,000-sample benchmark: most of the JavaScript time in recharts'
 * selectors and curve generation, a live frame 42 ms in the Timeline section
 * against 24 ms in a section without the curve). Two path strings cost well
 * under a millisecond. The bars keep recharts.
 */

/** A point of the curve, its time already mapped to a fraction of the plot's width. */
export interface ICurvePoint {
  x: number;
  rss: number;
  children: number;
}

export interface ICurveTick {
  /** Where the tick is: a fraction of the plot's width (x) or bytes (y). */
  at: number;
  label: string;
}

export interface ICurveLine {
  at: number;
  label: string;
  className: string;
}

/** The plot area inside the layer, in pixels from its edges. */
export interface IPlotInsets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface IMemoryCurveProps {
  points: readonly ICurvePoint[];
  /** The top of the y axis, in bytes (the bottom is 0). */
  y1: number;
  yTicks: readonly ICurveTick[];
  xTicks: readonly ICurveTick[];
  /** Horizontal lines (the limit), at bytes. */
  hLines: readonly ICurveLine[];
  /** Vertical lines (deaths, breaks), at fractions of the width. */
  vLines: readonly ICurveLine[];
  width: number;
  height: number;
  insets: IPlotInsets;
}

/** The SVG path of an area between `upper` and `lower` (bytes), or '' with no point. */
export function areaPath(
  points: readonly ICurvePoint[],
  upper: (p: ICurvePoint) => number,
  lower: (p: ICurvePoint) => number,
  toX: (fraction: number) => number,
  toY: (bytes: number) => number
): string {
  if (!points.length) {
    return '';
  }
  const top = points.map((p, i) => `${i ? 'L' : 'M'}${toX(p.x).toFixed(1)},${toY(upper(p)).toFixed(1)}`);
  const bottom: string[] = [];
  for (let i = points.length - 1; i >= 0; i--) {
    bottom.push(`L${toX(points[i].x).toFixed(1)},${toY(lower(points[i])).toFixed(1)}`);
  }
  return `${top.join('')}${bottom.join('')}Z`;
}

/** The upper edge alone, for the curve's stroke. */
export function linePath(
  points: readonly ICurvePoint[],
  value: (p: ICurvePoint) => number,
  toX: (fraction: number) => number,
  toY: (bytes: number) => number
): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${toX(p.x).toFixed(1)},${toY(value(p)).toFixed(1)}`).join('');
}

/** Redrawn only when one of its inputs changes. */
export const MemoryCurve = React.memo(function MemoryCurve(props: IMemoryCurveProps): JSX.Element {
  const { points, y1, width, height, insets } = props;
  const plotWidth = Math.max(1, width - insets.left - insets.right);
  const plotHeight = Math.max(1, height - insets.top - insets.bottom);
  const toX = (fraction: number) => insets.left + fraction * plotWidth;
  const toY = (bytes: number) => insets.top + plotHeight * (1 - Math.min(bytes, y1) / y1);
  const kernel = (p: ICurvePoint) => p.rss;
  const stacked = (p: ICurvePoint) => p.rss + p.children;
  const hasChildren = points.some(p => p.children > 0);
  const bottom = insets.top + plotHeight;
  return (
    <svg className="jp-MemoryUsage-curve" width={width} height={height} role="img">
      <g className="jp-MemoryUsage-grid">
        {props.yTicks.map(t => (
          <line key={t.at} x1={insets.left} x2={insets.left + plotWidth} y1={toY(t.at)} y2={toY(t.at)} />
        ))}
      </g>
      <path className="jp-MemoryUsage-rssArea" d={areaPath(points, kernel, () => 0, toX, toY)} />
      <path className="jp-MemoryUsage-rssLine" d={linePath(points, kernel, toX, toY)} />
      {hasChildren && (
        <>
          <path className="jp-MemoryUsage-childrenArea" d={areaPath(points, stacked, kernel, toX, toY)} />
          <path className="jp-MemoryUsage-childrenLine" d={linePath(points, stacked, toX, toY)} />
        </>
      )}
      <line className="jp-MemoryUsage-axisLine" x1={insets.left} x2={insets.left} y1={insets.top} y2={bottom} />
      <line
        className="jp-MemoryUsage-axisLine"
        x1={insets.left}
        x2={insets.left + plotWidth}
        y1={bottom}
        y2={bottom}
      />
      {props.yTicks.map(t => (
        <text
          key={t.at}
          className="jp-MemoryUsage-tick"
          x={insets.left - 6}
          y={toY(t.at)}
          textAnchor="end"
          dominantBaseline="middle"
        >
          {t.label}
        </text>
      ))}
      {props.xTicks.map(t => (
        <text
          key={t.at}
          className="jp-MemoryUsage-tick"
          x={toX(t.at)}
          y={bottom + 6}
          textAnchor="middle"
          dominantBaseline="hanging"
        >
          {t.label}
        </text>
      ))}
      {props.hLines.map(l => (
        <g key={`h${l.at}`} className={l.className}>
          <line x1={insets.left} x2={insets.left + plotWidth} y1={toY(l.at)} y2={toY(l.at)} />
          <text x={insets.left + plotWidth - 2} y={toY(l.at) - 3} textAnchor="end">
            {l.label}
          </text>
        </g>
      ))}
      {props.vLines.map(l => (
        <g key={`v${l.at}`} className={l.className}>
          <line x1={toX(l.at)} x2={toX(l.at)} y1={insets.top} y2={bottom} />
          {l.label && (
            <text x={toX(l.at) + 2} y={insets.top + 10}>
              {l.label}
            </text>
          )}
        </g>
      ))}
    </svg>
  );
});
