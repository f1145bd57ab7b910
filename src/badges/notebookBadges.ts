import { Cell, CodeCell } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { PanelLayout } from '@lumino/widgets';

import { NotebookRuns } from '../model/notebookRuns';
import { IExecutionRecord } from '../model/types';
import { MemoryBadge } from './badge';
import { CellsView } from './cellsView';
import { badgeText, badgeTooltip, worthABadge } from './text';

export interface IBadgeSettings {
  show: boolean;
  minimumDeltaBytes: number;
  saveToMetadata: boolean;
  /** Marks beside the lines of the statements that moved memory. */
  showLineMarks: boolean;
}

export const METADATA_KEY = 'memory_usage';

/**
 * The badges of one notebook panel, keyed by cell id: a cell that moves keeps
 * its badge, a copy (a new id) has none, and a windowed notebook's cells get
 * theirs when they are first drawn.
 */
export class NotebookBadges extends CellsView<IBadgeSettings> {
  constructor(
    panel: NotebookPanel,
    runs: NotebookRuns,
    trans: TranslationBundle,
    settings: IBadgeSettings
  ) {
    super(panel, runs, trans, settings);
    runs.executionsChanged.connect(this._onExecutionsChanged, this);
  }

  protected onDispose(): void {
    super.onDispose();
    for (const badge of this._badges.values()) {
      badge.dispose();
    }
    this._badges.clear();
  }

  private _onExecutionsChanged(_: NotebookRuns, changed: IExecutionRecord[]): void {
    if (this.settings.saveToMetadata) {
      this._saveToMetadata(changed);
    }
  }

  protected render(): void {
    const seen = new Set<Cell>();
    const units = this.runs.units;
    for (const cell of this.panel.content.widgets) {
      if (!(cell instanceof CodeCell) || cell.isDisposed) {
        continue;
      }
      const cellRuns = this.runs.runsOf(cell.model.id);
      const latest = cellRuns?.runs[0];
      if (
        !cellRuns ||
        !latest ||
        !this.settings.show ||
        !worthABadge(latest, this.settings.minimumDeltaBytes) ||
        !this.isDrawn(cell)
      ) {
        continue;
      }
      seen.add(cell);
      const { runs, fromEarlierProcess, fromEarlierSession, headlessRun } = cellRuns;
      // A redraw comes with every poll of the kernel and every cell drawn:
      // a badge whose runs have not changed is left alone, not rewritten
      // (1,000 rewritten badges cost seconds of layout).
      const key = [
        runs.map(run => `${run.msg_id}:${run.seq}`).join(','),
        fromEarlierProcess,
        fromEarlierSession,
        headlessRun?.runStarted,
        units
      ].join('|');
      const badge = this._badgeOf(cell);
      if (this._drawn.get(badge) === key) {
        continue;
      }
      this._drawn.set(badge, key);
      badge.render({
        record: latest,
        text: badgeText(latest, units, this.trans),
        tooltip: badgeTooltip(runs, units, this.trans, {
          fromEarlierProcess,
          fromEarlierSession,
          headlessRun,
          // The source as the run's figures come: the lines they name.
          source: cell.model.sharedModel.getSource()
        }),
        fromEarlierProcess,
        fromEarlierSession,
        fromHeadlessRun: headlessRun !== null
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
    const cells = this.panel.content.model?.cells;
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

  private _badges = new Map<Cell, MemoryBadge>();
  private _drawn = new WeakMap<MemoryBadge, string>();
}
