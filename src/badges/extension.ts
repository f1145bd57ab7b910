import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { DisposableDelegate, DisposableSet, IDisposable } from '@lumino/disposable';

import { EarlierRuns } from '../model/earlierRuns';
import { IMemoryUsageManager } from '../tokens';
import { IBadgeSettings, NotebookBadges } from './notebookBadges';

const DEFAULT_BADGE_SETTINGS: IBadgeSettings = {
  show: true,
  minimumDeltaBytes: 0,
  saveToMetadata: false
};

/**
 * The badges of every notebook panel: one `NotebookBadges` view and its
 * earlier-runs model per panel, given the settings as they change.
 */
export class BadgesExtension
  implements DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel>
{
  constructor(
    private readonly _manager: IMemoryUsageManager,
    private readonly _trans: TranslationBundle
  ) {}

  get settings(): IBadgeSettings {
    return this._settings;
  }

  set settings(settings: IBadgeSettings) {
    this._settings = settings;
    for (const badges of this._live) {
      badges.settings = settings;
    }
  }

  createNew(panel: NotebookPanel): IDisposable {
    const earlierRuns = new EarlierRuns(panel.context, this._manager);
    const badges = new NotebookBadges(panel, this._manager, earlierRuns, this._trans, this._settings);
    this._live.add(badges);
    // The document manager disposes this with the panel.
    return DisposableSet.from([
      new DisposableDelegate(() => this._live.delete(badges)),
      badges,
      earlierRuns
    ]);
  }

  private _settings = DEFAULT_BADGE_SETTINGS;
  private _live = new Set<NotebookBadges>();
}
