/**
 * Pure functions on a cell's heap sites (heap mode's `heap_top`): how a site is
 * named and sized, and the tooltip's line of the largest.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { ByteUnits, formatSignedBytes } from '../format';
import { IHeapSite } from './types';

/** Sites the badge's tooltip names. */
export const TOOLTIP_SITES = 3;

/** `numeric.py:232` for a library's file; `cell [3] line 3` for a notebook cell. */
export function heapSiteName(site: IHeapSite, trans: TranslationBundle): string {
  if (site.execution_count !== null) {
    return site.line !== null
      ? trans.__('cell [%1] line %2', site.execution_count, site.line)
      : trans.__('cell [%1]', site.execution_count);
  }
  const name = site.file.split(/[\\/]/).pop() || site.file;
  return site.line !== null ? `${name}:${site.line}` : name;
}

/** `+762.9 MiB`, or `≈+6.8 MiB` where small blocks were sampled. */
export function heapSiteSize(site: IHeapSite, units: ByteUnits): string {
  const size = formatSignedBytes(site.size ?? NaN, units);
  return site.estimated ? `≈${size}` : size;
}

/** The full sentence, for a site's tooltip: `+762.9 MiB in 1 block at /…/numeric.py, line 232`. */
export function heapSiteSentence(site: IHeapSite, units: ByteUnits, trans: TranslationBundle): string {
  const size = heapSiteSize(site, units);
  const blocks =
    site.count !== null
      ? trans._n('%1 block still held', '%1 blocks still held', site.count)
      : trans.__('blocks still held');
  const place =
    site.execution_count !== null
      ? heapSiteName(site, trans)
      : site.line !== null
        ? trans.__('%1, line %2', site.file, site.line)
        : site.file;
  return site.estimated
    ? trans.__('%1 (estimated from a sample), %2, allocated at %3', size, blocks, place)
    : trans.__('%1, %2, allocated at %3', size, blocks, place);
}

/**
 * The tooltip's line of a cell's largest sites: `heap: +762.9 MiB at
 * numeric.py:232, ≈+6.8 MiB at cell [3] line 3 …`; null without any.
 */
export function heapSitesNote(
  sites: readonly IHeapSite[] | null | undefined,
  units: ByteUnits,
  trans: TranslationBundle,
  count = TOOLTIP_SITES
): string | null {
  if (!sites?.length) {
    return null;
  }
  const named = sites
    .slice(0, count)
    .map(site => trans.__('%1 at %2', heapSiteSize(site, units), heapSiteName(site, trans)))
    .join(', ');
  return trans.__('heap: %1', sites.length > count ? `${named} …` : named);
}
