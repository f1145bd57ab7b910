import { Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import { Disposable } from '../disposable';
import { formatBytes } from '../format';
import { cellSource, firstLine } from '../model/cells';
import { IExecutionRecord } from '../model/types';
import { IKernelMemoryModel, IMemoryUsageManager } from '../tokens';
import { IThresholds } from './level';

const REMEMBERED_ALERTS = 1000;

export interface IAlertSettings {
  enabled: boolean;
  thresholds: IThresholds;
}

/**
 * Warns once per execution when a running cell takes its kernel past the
 * warning threshold of its memory limit, with a button that interrupts it.
 */
export class MemoryAlerts extends Disposable {
  constructor(
    private readonly _tracker: INotebookTracker,
    private readonly _manager: IMemoryUsageManager,
    private readonly _trans: TranslationBundle,
    public settings: IAlertSettings
  ) {
    super();
    _tracker.widgetAdded.connect(this._watchPanel, this);
    _tracker.forEach(panel => this._watchPanel(_tracker, panel));
    _manager.settingsChanged.connect(this._rebindAll, this);
  }

  protected onDispose(): void {
    this._models.clear();
  }

  private _watchPanel(_: unknown, panel: NotebookPanel): void {
    panel.sessionContext.kernelChanged.connect(this._rebindAll, this);
    panel.disposed.connect(this._rebindAll, this);
    this._rebindAll();
  }

  /** Listen to exactly the kernel models of the open notebooks. */
  private _rebindAll(): void {
    const wanted = new Map<IKernelMemoryModel, NotebookPanel>();
    this._tracker.forEach(panel => {
      const kernelId = panel.sessionContext.session?.kernel?.id;
      const model = kernelId ? this._manager.modelFor(kernelId) : null;
      if (model && !wanted.has(model)) {
        wanted.set(model, panel);
      }
    });
    for (const model of this._models.keys()) {
      if (!wanted.has(model)) {
        model.executionsChanged.disconnect(this._onExecutions, this);
      }
    }
    for (const model of wanted.keys()) {
      if (!this._models.has(model)) {
        model.executionsChanged.connect(this._onExecutions, this);
      }
    }
    this._models = wanted;
  }

  private _onExecutions(model: IKernelMemoryModel, changed: IExecutionRecord[]): void {
    const limit = model.state?.limit ?? null;
    if (!this.settings.enabled || !limit) {
      return;
    }
    const warningBytes = this.settings.thresholds.warning * limit;
    for (const record of changed) {
      const rss = Math.max(record.rss_end ?? 0, record.rss_peak ?? 0);
      if (record.status !== 'running' || rss < warningBytes || this._alerted.has(record.msg_id)) {
        continue;
      }
      this._alerted.add(record.msg_id);
      if (this._alerted.size > REMEMBERED_ALERTS) {
        this._alerted.delete(this._alerted.values().next().value as string);
      }
      this._notify(model, record, rss, limit);
    }
  }

  private _notify(model: IKernelMemoryModel, record: IExecutionRecord, rss: number, limit: number): void {
    const panel = this._models.get(model);
    const units = this._manager.units;
    const cell = record.execution_count !== null ? `[${record.execution_count}]` : '';
    const source = record.cell_id ? firstLine(cellSource(panel ?? null, record.cell_id), 40) : '';
    // Toasts show 140 characters: the figures first, the cell's words last.
    const message = this._trans.__(
      'Cell %1 of %2 took the kernel to %3, %4% of its %5 limit: %6',
      cell,
      panel ? PathExt.basename(panel.context.path) : this._trans.__('a notebook'),
      formatBytes(rss, units),
      ((rss / limit) * 100).toFixed(0),
      formatBytes(limit, units),
      source ? `“${source}”` : ''
    );
    Notification.warning(message, {
      autoClose: false,
      actions: [
        {
          label: this._trans.__('Interrupt the kernel'),
          caption: this._trans.__('Stop the running cell before the kernel runs out of memory'),
          callback: () => void panel?.sessionContext.session?.kernel?.interrupt()
        }
      ]
    });
  }

  private _models = new Map<IKernelMemoryModel, NotebookPanel>();
  private _alerted = new Set<string>();
}
