import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

export interface ILegendProps {
  /** Which series are drawn; `limit` is its figure, formatted, or null. */
  kernel: boolean;
  childProcesses: boolean;
  limit: string | null;
  peak: boolean;
  died: boolean;
  idle: boolean;
  trans: TranslationBundle;
}

/** What each colour is: only the series drawn. */
export function ChartLegend(props: ILegendProps): JSX.Element {
  const { trans } = props;
  const items: [string, string][] = [];
  if (props.kernel) {
    items.push(['kernel', trans.__('kernel')]);
  }
  if (props.childProcesses) {
    items.push(['children', trans.__('child processes')]);
  }
  if (props.limit !== null) {
    items.push(['limit', trans.__('limit %1', props.limit)]);
  }
  if (props.peak) {
    items.push(['peak', trans.__('peak')]);
  }
  if (props.died) {
    items.push(['death', trans.__('kernel died')]);
  }
  if (props.idle) {
    items.push(['break', trans.__('idle time, compressed')]);
  }
  return (
    <ul className="jp-MemoryUsage-legend jp-MemoryUsage-chartLegend">
      {items.map(([series, text]) => (
        <li key={series} className="jp-MemoryUsage-legendItem" data-series={series}>
          <span className="jp-MemoryUsage-legendSwatch" aria-hidden="true" />
          {text}
        </li>
      ))}
    </ul>
  );
}
