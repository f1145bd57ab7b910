import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { formatBytes } from '../format';
import { KernelStatusModel } from './model';

export const STATUS_CLASS = 'jp-MemoryUsage-status';

/**
 * `Kernel 1.5 / 8.0 GiB` in the status bar, coloured by level. Renders only.
 */
export class KernelStatusItem extends Widget {
  constructor(
    private readonly _model: KernelStatusModel,
    private readonly _trans: TranslationBundle,
    onClick: () => void
  ) {
    super({ node: document.createElement('button') });
    this.addClass(STATUS_CLASS);
    this.node.addEventListener('click', onClick);
    _model.changed.connect(this.update, this);
    this.update();
  }

  dispose(): void {
    this._model.changed.disconnect(this.update, this);
    super.dispose();
  }

  protected onUpdateRequest(): void {
    const { state, units, level, thresholds } = this._model;
    const rss = state?.rss ?? null;
    const limit = state?.limit ?? null;
    const data = this.node.dataset;
    data.rss = rss === null ? '' : String(rss);
    data.limit = limit === null ? '' : String(limit);
    data.level = level;
    if (rss === null) {
      this.node.textContent = this._trans.__('Kernel —');
      this.node.title = this._trans.__('The kernel’s memory is not known yet.');
      return;
    }
    this.node.textContent =
      limit === null
        ? this._trans.__('Kernel %1', formatBytes(rss, units))
        : this._trans.__('Kernel %1 / %2', formatBytes(rss, units), formatBytes(limit, units));
    const source = state?.limit_source ?? '';
    this.node.title = limit === null
      ? this._trans.__('The kernel holds %1. Click for the memory timeline.', formatBytes(rss, units))
      : this._trans.__(
          'The kernel holds %1 of the %2 it may use (%3%, limit from %4); warning at %5%, critical at %6%. Click for the memory timeline.',
          formatBytes(rss, units),
          formatBytes(limit, units),
          ((rss / limit) * 100).toFixed(0),
          source,
          (thresholds.warning * 100).toFixed(0),
          (thresholds.critical * 100).toFixed(0)
        );
  }
}
