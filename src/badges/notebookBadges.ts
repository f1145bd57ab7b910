import { Cell, CodeCell } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { PanelLayout } from '@lumino/widgets';

import { Disposable } from '../disposable';
import { EarlierRuns } from '../model/earlierRuns';
import { runsByCell } from '../model/merge';
import { IExecutionRecord } from '../model/types';
import { IKernelMemoryModel, IMemoryUsageManager } from '../tokens';
import { MemoryBadge } from './badge';
import { badgeText, badgeTooltip, worthABadge } from './text';

export interface IBadgeSettings {
  show: boolean;
  minimumDeltaBytes: number;
  saveToMetadata: boolean;
}

export const METADATA_KEY = 'memory_usage';
/** Runs of a cell shown in its badge's tooltip, the latest first. */
const RUNS_SHOWN = 5;

/**
 * The badges of one notebook panel, keyed by cell id: a cell that moves keeps
 * its badge, a copy (a new id) has none, and a windowed notebook's cells get
 * theirs when they are first drawn.
 */
export class NotebookBadges extends Disposable {
  constructor(
    private readonly _panel: NotebookPanel,
    private readonly _manager: IMemoryUsageManager,
    private readonly _earlierRuns: EarlierRuns,
    private readonly _trans: TranslationBundle,
    private _settings: IBadgeSettings
  ) {
    super();
    _panel.sessionContext.kernelChanged.connect(this._bind, this);
    _manager.settingsChanged.connect(this._bind, this);
    _panel.content.modelChanged.connect(this._watchCells, this);
    this._watchCells();
    this._bind();
    _earlierRuns.changed.connect(this._scheduleRender, this);
  }

  set settings(settings: IBadgeSettings) {
    this._settings = settings;
    this._scheduleRender();
  }

  protected onDispose(): void {
    if (this._frame) {
      cancelAnimationFrame(this._frame);
    }
    this._unbindModel();
    for (const badge of this._badges.values()) {
      badge.dispose();
    }
    this._badges.clear();
  }

  private _watchCells(): void {
    this._panel.content.model?.cells.changed.connect(this._scheduleRender, this);
    this._scheduleRender();
  }

  private _bind(): void {
    const kernelId = this._panel.sessionContext.session?.kernel?.id;
    const model = kernelId ? this._manager.modelFor(kernelId) : null;
    if (model !== this._model) {
      this._unbindModel();
      this._model = model;
      model?.executionsChanged.connect(this._onExecutionsChanged, this);
      model?.stateChanged.connect(this._scheduleRender, this);
    }
    this._scheduleRender();
  }

  private _unbindModel(): void {
    this._model?.executionsChanged.disconnect(this._onExecutionsChanged, this);
    this._model?.stateChanged.disconnect(this._scheduleRender, this);
    this._model = null;
  }

  private _onExecutionsChanged(
    _: IKernelMemoryModel,
    changed: IExecutionRecord[]
  ): void {
    if (this._settings.saveToMetadata) {
      this._saveToMetadata(changed);
    }
    this._scheduleRender();
  }

  private _scheduleRender(): void {
    if (this.isDisposed || this._frame) {
      return;
    }
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this._render();
    });
  }

  private _render(): void {
    const seen = new Set<Cell>();
    const model = this._model;
    const currentPid = model?.state?.pid ?? null;
    const runsOf = model
      ? runsByCell(model.executions.values(), RUNS_SHOWN)
      : new Map<string, IExecutionRecord[]>();
    // Runs kept from earlier sessions: shown on cells the current kernel has not run.
    const earlierRunsOf = runsByCell(this._earlierRuns.runs, RUNS_SHOWN);
    const units = this._manager.units;
    for (const cell of this._panel.content.widgets) {
      if (!(cell instanceof CodeCell) || cell.isDisposed) {
        continue;
      }
      let runs: IExecutionRecord[] = runsOf.get(cell.model.id) ?? [];
      const fromEarlierSession = runs.length === 0;
      if (fromEarlierSession) {
        runs = earlierRunsOf.get(cell.model.id) ?? [];
      }
      const latest = runs[0];
      if (
        !this._settings.show ||
        !latest ||
        !worthABadge(latest, this._settings.minimumDeltaBytes)
      ) {
        continue;
      }
      if (cell.isPlaceholder()) {
        // Not drawn yet (windowed notebook): come back when it is, waiting
        // once per cell however many renders happen before (a cell never
        // scrolled to would otherwise pile up one callback per render).
        if (!this._awaitingReady.has(cell)) {
          this._awaitingReady.add(cell);
          void cell.ready.then(() => {
            this._awaitingReady.delete(cell);
            this._scheduleRender();
          });
        }
        continue;
      }
      seen.add(cell);
      const fromEarlierProcess =
        !fromEarlierSession &&
        latest.pid !== null &&
        currentPid !== null &&
        latest.pid !== currentPid;
      // A redraw comes with every poll of the kernel and every cell drawn:
      // a badge whose runs have not changed is left alone, not rewritten
      // (1,000 rewritten badges cost seconds of layout).
      const key = [
        runs.map(run => `${run.msg_id}:${run.seq}`).join(','),
        fromEarlierProcess,
        fromEarlierSession,
        units
      ].join('|');
      const badge = this._badgeOf(cell);
      if (this._drawn.get(badge) === key) {
        continue;
      }
      this._drawn.set(badge, key);
      badge.render({
        record: latest,
        text: badgeText(latest, units, this._trans),
        tooltip: badgeTooltip(runs, units, this._trans, fromEarlierProcess, fromEarlierSession),
        fromEarlierProcess,
        fromEarlierSession
      });
    }
    for (const [cell, badge] of this._badges) {
      if (!seen.has(cell)) {
        badge.dispose();
        this._badges.delete(cell);
      }
    }
  }

  private _badgeOf(cell: CodeCell): MemoryBadge {
    let badge = this._badges.get(cell);
    if (!badge || badge.isDisposed) {
      badge = new MemoryBadge();
      const layout = cell.layout as PanelLayout;
      // Between the input and the outputs.
      const outputWrapper = cell.outputArea.parent;
      const index = outputWrapper ? layout.widgets.indexOf(outputWrapper) : -1;
      if (index >= 0) {
        layout.insertWidget(index, badge);
      } else {
        layout.addWidget(badge);
      }
      this._badges.set(cell, badge);
      cell.disposed.connect(() => this._badges.delete(cell), this);
    }
    return badge;
  }

  private _saveToMetadata(changed: IExecutionRecord[]): void {
    const cells = this._panel.content.model?.cells;
    if (!cells) {
      return;
    }
    const finished = new Map(
      changed
        .filter(r => r.cell_id && r.status !== 'running')
        .map(r => [r.cell_id as string, r])
    );
    for (let i = 0; i < cells.length && finished.size; i++) {
      const cell = cells.get(i);
      const record = finished.get(cell.id);
      if (record) {
        cell.setMetadata(METADATA_KEY, {
          status: record.status,
          delta: record.delta,
          peak_increment: record.peak_increment,
          rss_end: record.rss_end,
          duration: record.duration,
          ended: record.ended
        });
        finished.delete(cell.id);
      }
    }
  }

  private _model: IKernelMemoryModel | null = null;
  private _badges = new Map<Cell, MemoryBadge>();
  private _awaitingReady = new WeakSet<Cell>();
  private _drawn = new WeakMap<MemoryBadge, string>();
  private _frame = 0;
}
