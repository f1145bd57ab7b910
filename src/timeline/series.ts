import { IExecutionRecord, ISample } from '../model/types';
import { firstIndex } from './bisect';
import { IZoomRange } from './chartView';
import { downsampleIndices } from './downsample';
import { IChartPoint } from './model';

/** Points drawn for the memory series, however long the session. */
export const DRAWN_POINTS = 600;
/**
 * Executions drawn as spans, peaks and bars. A side panel a few hundred pixels
 * wide cannot show thousands of spans, and each is an SVG group to lay out.
 */
export const DRAWN_EXECUTIONS = 120;

/**
 * The executions to draw: all of them in a short session; in a long one, the
 * heaviest by peak and the most recent, in the order they started.
 */
export function drawnExecutions(all: readonly IExecutionRecord[], zoom: IZoomRange | null): IExecutionRecord[] {
  const executions = zoom
    ? all.filter(r => r.started! <= zoom.to && (r.ended ?? Infinity) >= zoom.from)
    : all;
  if (executions.length <= DRAWN_EXECUTIONS) {
    return executions.slice();
  }
  const half = DRAWN_EXECUTIONS / 2;
  const recent = executions.slice(-half);
  const chosen = new Set(recent);
  const byPeak = executions
    .slice(0, -half)
    .sort((a, b) => (b.peak_increment ?? 0) - (a.peak_increment ?? 0));
  for (const record of byPeak.slice(0, half)) {
    chosen.add(record);
  }
  return executions.filter(r => chosen.has(r));
}

/**
 * The memory series to draw: downsampled, keeping the largest sample of each
 * drawn execution, read in place from the kernel model's samples (copying
 * 200,000 of them at every poll was most of a live frame), and computed again
 * only when the samples, the drawn executions or the zoom change.
 */
export class SeriesCache {
  points(
    samples: readonly ISample[],
    drawn: readonly IExecutionRecord[],
    zoom: IZoomRange | null
  ): IChartPoint[] {
    const key = `${zoom?.from}-${zoom?.to}|` + drawn.map(r => `${r.started}:${r.ended}`).join(',');
    if (this._samples === samples && this._key === key) {
      return this._points;
    }
    // Zoomed in: the range's own samples, and one on either side so that the
    // curve reaches the edges.
    const first = zoom ? Math.max(0, firstSampleAtOrAfter(samples, zoom.from) - 1) : 0;
    const end = zoom ? Math.min(samples.length, firstSampleAtOrAfter(samples, zoom.to) + 1) : samples.length;
    const spans = drawn.map(r => ({ start: r.started!, end: r.ended ?? Infinity }));
    const view = {
      length: end - first,
      time: (i: number) => samples[first + i].time,
      value: (i: number) => samples[first + i].rss
    };
    this._points = downsampleIndices(view, DRAWN_POINTS, spans).map(i => {
      const sample = samples[first + i];
      return { time: sample.time, rss: sample.rss, children: sample.children_rss ?? 0 };
    });
    this._samples = samples;
    this._key = key;
    return this._points;
  }

  private _samples: readonly ISample[] | null = null;
  private _key = '';
  private _points: IChartPoint[] = [];
}

/** The index of the first sample at or after `time` (samples in time order). */
function firstSampleAtOrAfter(samples: readonly ISample[], time: number): number {
  return firstIndex(samples.length, i => samples[i].time >= time);
}
