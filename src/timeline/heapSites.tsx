import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ByteUnits } from '../format';
import { heapSiteName, heapSiteSentence, heapSiteSize } from '../model/heapSites';
import { ISelectedCell } from './selected';

export interface IHeapSitesProps {
  selected: ISelectedCell;
  units: ByteUnits;
  trans: TranslationBundle;
}

/** Heap mode: where the selected cell's latest run allocated what it kept, the largest first. */
export function HeapSites(props: IHeapSitesProps): JSX.Element | null {
  const { selected, units, trans } = props;
  const sites = selected.record.heap_top;
  if (!sites?.length) {
    return null;
  }
  return (
    <div className="jp-MemoryUsage-heapSites" data-cell-id={selected.cellId}>
      <h3 className="jp-MemoryUsage-heading">{trans.__('Where its Python heap grew')}</h3>
      <ul className="jp-MemoryUsage-heapSiteList">
        {sites.map((site, index) => (
          <li
            key={index}
            className="jp-MemoryUsage-heapSite"
            data-file={site.file}
            data-line={site.line ?? ''}
            data-size={site.size ?? ''}
            data-estimated={String(site.estimated)}
            title={heapSiteSentence(site, units, trans)}
          >
            <span className="jp-MemoryUsage-heapSiteSize">{heapSiteSize(site, units)}</span>{' '}
            <code>{heapSiteName(site, trans)}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
