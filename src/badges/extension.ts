import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { DisposableDelegate, DisposableSet, IDisposable } from '@lumino/disposable';

import { ILineMarkSettings, NotebookLineMarks } from '../lines/notebookLines';
import { EarlierRuns } from '../model/earlierRuns';
import { NotebookRuns } from '../model/notebookRuns';
import { IMemoryUsageManager } from '../tokens';
import { IBadgeSettings, NotebookBadges } from './notebookBadges';

const DEFAULT_BADGE_SETTINGS: IBadgeSettings = {
  show: true,
  minimumDeltaBytes: 0,
  saveToMetadata: false,
  showLineMarks: true
};

function lineMarkSettings(settings: IBadgeSettings): ILineMarkSettings {
  return { show: settings.showLineMarks, minimumDeltaBytes: settings.minimumDeltaBytes };
}

/**
 * The badges and line marks of every notebook panel: per panel, its runs
 * (with those of earlier sessions) and the two views drawn from them, given
 * the settings as they change.
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
    for (const { badges, lines } of this._live.values()) {
      badges.settings = settings;
      lines.settings = lineMarkSettings(settings);
    }
  }

  /** Whether a notebook's cells show its latest line profile. */
  showsLineProfile(panel: NotebookPanel): boolean {
    return this._live.get(panel)?.lines.showsProfile ?? false;
  }

  /** Hide a notebook's line profile: its cells show their own runs' marks again. */
  clearLineProfile(panel: NotebookPanel): void {
    this._live.get(panel)?.lines.clearProfile();
  }

  createNew(panel: NotebookPanel): IDisposable {
    const earlierRuns = new EarlierRuns(panel.context, this._manager);
    const runs = new NotebookRuns(panel, this._manager, earlierRuns);
    const views = {
      badges: new NotebookBadges(panel, runs, this._trans, this._settings),
      lines: new NotebookLineMarks(panel, runs, this._trans, lineMarkSettings(this._settings))
    };
    this._live.set(panel, views);
    // The document manager disposes this with the panel; the views first.
    return DisposableSet.from([
      new DisposableDelegate(() => this._live.delete(panel)),
      views.badges,
      views.lines,
      runs,
      earlierRuns
    ]);
  }

  private _settings = DEFAULT_BADGE_SETTINGS;
  private _live = new Map<NotebookPanel, { badges: NotebookBadges; lines: NotebookLineMarks }>();
}
