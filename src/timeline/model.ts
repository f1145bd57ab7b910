import { NotebookPanel } from '@jupyterlab/notebook';
import { Contents } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';

import { Disposable } from '../disposable';
import { ByteUnits } from '../format';
import { cellSource } from '../model/cells';
import { IExecutionRecord, IKernelState } from '../model/types';
import { ICurrentKernel, IKernelMemoryModel, IMemoryUsageManager } from '../tokens';
import { CellOrder, cellRows, ICellRow } from './cellRows';
import { ChartViewState } from './chartView';
import { exportBasePath, IExportRow, toCSV, toJSON, toStatementsCSV } from './exporting';
import { Section } from './sections';
import { ISelectedCell, selectedCell } from './selected';
import { drawnExecutions, SeriesCache } from './series';
import { variablesView, IVariablesView } from './variableRows';
import { VariablesModel } from './variablesModel';

const HEAVIEST_ROWS = 20;

export type TimelineNotice = 'no-notebook' | 'no-kernel' | 'monitoring-off' | 'no-server' | 'no-figures' | null;
/** 'peak' | 'delta' | 'duration' | 'last-run' (most recently started first). */
export type HeaviestOrder = CellOrder;

export interface IChartPoint {
  time: number;
  rss: number;
  children: number;
}

/** A cell in the cells table: its latest run, and its change against the run before. */
export type IHeaviestRow = ICellRow;

/**
 * What the timeline shows, derived from the current notebook's kernel model.
 * Lives outside React; the view renders a snapshot of it.
 */
export class TimelineModel extends Disposable {
  constructor(
    private readonly _current: ICurrentKernel,
    private readonly _manager: IMemoryUsageManager
  ) {
    super();
    this.chartView.changed.connect(this._emit, this);
    this.variables = new VariablesModel(_current, _manager);
    this.variables.changed.connect(this._emit, this);
    _current.changed.connect(this._follow, this);
    this._follow();
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The current kernel's variables, fetched while their section is on screen. */
  readonly variables: VariablesModel;

  /** The chart's axis mode and zoom, as the user set them. */
  readonly chartView = new ChartViewState();

  get panel(): NotebookPanel | null {
    return this._current.panel;
  }

  get units(): ByteUnits {
    return this._manager.units;
  }

  get notice(): TimelineNotice {
    if (!this._manager.monitoring) {
      return 'monitoring-off';
    }
    if (!this._current.panel) {
      return 'no-notebook';
    }
    if (!this._kernelModel) {
      return 'no-kernel';
    }
    if (this._serverMissing) {
      return 'no-server';
    }
    const state = this._kernelModel.state;
    // A kernel the server watches but cannot read (no process of its own here,
    // an unsupported platform), with nothing recorded to show instead.
    const unreadable = state !== null && state.rss === null && state.reason !== null;
    return unreadable && this._kernelModel.executions.size === 0 ? 'no-figures' : null;
  }

  get state(): IKernelState | null {
    return this._kernelModel?.state ?? null;
  }

  /** The section shown; the plugin keeps it across reloads. */
  get section(): Section {
    return this._section;
  }

  set section(section: Section) {
    if (section !== this._section) {
      this._section = section;
      this._followShown();
      this._sectionChanged.emit(section);
      this._changed.emit();
    }
  }

  /** Whether the panel is on screen (the panel tells): the Variables section fetches only then. */
  set shown(shown: boolean) {
    this._shown = shown;
    this._followShown();
  }

  /** The Variables section's rows at the threshold; null before a reply. */
  variablesView(trans: TranslationBundle): IVariablesView | null {
    const reply = this.variables.reply;
    if (!reply) {
      return null;
    }
    return variablesView(reply, this.variables.thresholdBytes, cellId => cellSource(this.panel, cellId), trans);
  }

  get sectionChanged(): ISignal<this, Section> {
    return this._sectionChanged;
  }

  get heaviestOrder(): HeaviestOrder {
    return this._heaviestOrder;
  }

  set heaviestOrder(order: HeaviestOrder) {
    if (order !== this._heaviestOrder) {
      this._heaviestOrder = order;
      this._changed.emit();
    }
  }

  /** Executions that ran (aborted ones never did), in the order they started. */
  executions(): IExecutionRecord[] {
    if (!this._kernelModel) {
      return [];
    }
    return [...this._kernelModel.executions.values()]
      .filter(r => r.status !== 'aborted' && r.started !== null)
      .sort((a, b) => a.started! - b.started!);
  }

  /** The memory series to draw, downsampled (series.ts), within the zoom if any. */
  series(drawn: readonly IExecutionRecord[]): IChartPoint[] {
    return this._series.points(this._kernelModel?.samples ?? [], drawn, this.chartView.zoom);
  }

  /** The cells table: each cell once (its latest run), in the order chosen. */
  heaviest(executions: readonly IExecutionRecord[]): IHeaviestRow[] {
    return cellRows(executions, this._heaviestOrder, cellId => cellSource(this.panel, cellId), HEAVIEST_ROWS);
  }

  /** The active cell's latest run among `executions`, when it has details to show (selected.ts). */
  selected(executions: readonly IExecutionRecord[]): ISelectedCell | null {
    return selectedCell(this.panel, executions);
  }

  /** The executions to draw as spans and bars (series.ts), within the zoom if any. */
  drawn(all: readonly IExecutionRecord[]): IExecutionRecord[] {
    return drawnExecutions(all, this.chartView.zoom);
  }

  exportRows(): IExportRow[] {
    if (!this._kernelModel) {
      return [];
    }
    return [...this._kernelModel.executions.values()].map(record => ({
      record,
      source: record.cell_id ? cellSource(this.panel, record.cell_id) : null
    }));
  }

  /**
   * Save the kernel's records next to the notebook as CSV and JSON, and their
   * statements as a second CSV; returns the files' path without extension
   * and how many records they hold, or null without a notebook.
   */
  async saveExport(contents: Contents.IManager): Promise<{ base: string; count: number } | null> {
    const notebook = this.panel;
    if (!notebook) {
      return null;
    }
    const rows = this.exportRows();
    const base = exportBasePath(notebook.context.path);
    for (const [extension, content] of [
      ['csv', toCSV(rows)],
      ['statements.csv', toStatementsCSV(rows)],
      ['json', toJSON(rows)]
    ]) {
      await contents.save(`${base}.${extension}`, { type: 'file', format: 'text', content });
    }
    return { base, count: rows.length };
  }

  /** Forget the current kernel's records and samples on the server. */
  async clearHistory(): Promise<void> {
    const kernel = this.panel?.sessionContext.session?.kernel;
    if (kernel) {
      await this._manager.clearHistory(kernel.id);
    }
  }

  /** Make a cell the notebook's active cell and scroll it into view. */
  async revealCell(cellId: string): Promise<void> {
    const notebook = this._current.panel?.content;
    if (!notebook) {
      return;
    }
    const index = notebook.widgets.findIndex(c => c.model.id === cellId);
    if (index < 0) {
      return;
    }
    notebook.activeCellIndex = index;
    await notebook.scrollToItem(index, 'center');
  }

  /** Listen to the current notebook's active cell, and its kernel model's executions and failures. */
  private _follow(): void {
    const panel = this._current.panel;
    if (panel !== this._panel) {
      this._panel?.content.activeCellChanged.disconnect(this._emit, this);
      this._panel = panel;
      panel?.content.activeCellChanged.connect(this._emit, this);
    }
    const model = this._current.model;
    if (model !== this._kernelModel) {
      this._kernelModel?.executionsChanged.disconnect(this._emit, this);
      this._kernelModel?.connectionFailure.disconnect(this._onFailure, this);
      this._kernelModel = model;
      this._serverMissing = false;
      model?.executionsChanged.connect(this._emit, this);
      model?.connectionFailure.connect(this._onFailure, this);
    } else if (model?.state) {
      this._serverMissing = false;
    }
    this._changed.emit();
  }

  protected onDispose(): void {
    this.variables.dispose();
  }

  private _followShown(): void {
    this.variables.active = this._shown && this._section === 'variables';
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _onFailure(_: IKernelMemoryModel, error: Error): void {
    const status = (error as { response?: Response }).response?.status;
    const missing = status === 404 && this._kernelModel?.state === null;
    if (missing !== this._serverMissing) {
      this._serverMissing = missing;
      this._changed.emit();
    }
  }

  private _panel: NotebookPanel | null = null;
  private _kernelModel: IKernelMemoryModel | null = null;
  private _serverMissing = false;
  private _series = new SeriesCache();
  private _heaviestOrder: HeaviestOrder = 'peak';
  private _section: Section = 'timeline';
  private _shown = false;
  private _sectionChanged = new Signal<this, Section>(this);
  private _changed = new Signal<this, void>(this);
}
