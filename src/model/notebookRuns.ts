import { NotebookPanel } from '@jupyterlab/notebook';
import { ISignal, Signal } from '@lumino/signaling';

import { Disposable } from '../disposable';
import { ByteUnits } from '../format';
import { IKernelMemoryModel, IMemoryUsageManager } from '../tokens';
import { EarlierRuns } from './earlierRuns';
import { headlessCell, IHeadlessCell, IHeadlessRun, MEMORY_METADATA_KEY, newerThanEarlier } from './headlessRuns';
import { cellIdOfExecution, latestProfile, runsByCell } from './merge';
import { IExecutionRecord } from './types';

/** Runs of a cell kept for its views, the latest first. */
export const RUNS_KEPT = 5;

/** A cell's last runs, and where they come from. */
export interface ICellRuns {
  /** The latest first, at most `RUNS_KEPT`; never empty. */
  runs: IExecutionRecord[];
  /** Measured in a kernel process that has since been restarted. */
  fromEarlierProcess: boolean;
  /** Recorded in an earlier session (another kernel, or before a server restart), or headless. */
  fromEarlierSession: boolean;
  /** From a headless run's figures in the cell's metadata: that run; null otherwise. */
  headlessRun: IHeadlessRun | null;
}

/**
 * The runs of each cell of one notebook: its current kernel's, else those the
 * server kept from earlier sessions. Follows kernel changes and the
 * monitoring switch; its views redraw on `changed`.
 */
export class NotebookRuns extends Disposable {
  constructor(
    private readonly _panel: NotebookPanel,
    private readonly _manager: IMemoryUsageManager,
    private readonly _earlierRuns: EarlierRuns
  ) {
    super();
    _panel.sessionContext.kernelChanged.connect(this._bind, this);
    _manager.settingsChanged.connect(this._bind, this);
    _earlierRuns.changed.connect(this._emit, this);
    this._bind();
  }

  /** Emitted when any cell's runs, or the units they are shown in, may have changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The current kernel's records that changed in its last reply. */
  get executionsChanged(): ISignal<this, IExecutionRecord[]> {
    return this._executionsChanged;
  }

  get units(): ByteUnits {
    return this._manager.units;
  }

  /** A cell's runs, or null when it has none. */
  runsOf(cellId: string): ICellRuns | null {
    if (!this._byCell) {
      const model = this._model;
      this._byCell = model
        ? runsByCell(model.executions.values(), RUNS_KEPT)
        : new Map<string, IExecutionRecord[]>();
      this._earlierByCell = runsByCell(this._earlierRuns.runs, RUNS_KEPT);
    }
    const current = this._byCell.get(cellId);
    if (current?.length) {
      const pid = this._model?.state?.pid ?? null;
      const latest = current[0];
      return {
        runs: current,
        fromEarlierProcess: latest.pid !== null && pid !== null && latest.pid !== pid,
        fromEarlierSession: false,
        headlessRun: null
      };
    }
    const earlier = this._earlierByCell?.get(cellId);
    const headless = this._headlessCells().get(cellId);
    if (headless && newerThanEarlier(headless, earlier)) {
      return { runs: [headless.record], fromEarlierProcess: false, fromEarlierSession: true, headlessRun: headless.run };
    }
    return earlier?.length
      ? { runs: earlier, fromEarlierProcess: false, fromEarlierSession: true, headlessRun: null }
      : null;
  }

  /** The figures headless runs left in the cells' metadata, by cell id (none while monitoring is off). */
  private _headlessCells(): Map<string, IHeadlessCell> {
    if (!this._headless) {
      this._headless = new Map();
      const cells = this._manager.monitoring ? this._panel.content.model?.cells : undefined;
      for (let i = 0; cells && i < cells.length; i++) {
        const cell = cells.get(i);
        const found = cell.type === 'code' ? headlessCell(cell.getMetadata(MEMORY_METADATA_KEY), cell.id) : null;
        if (found) {
          this._headless.set(cell.id, found);
        }
      }
    }
    return this._headless;
  }

  /**
   * The latest finished run profiled line by line: the current kernel's, else
   * one kept from an earlier session; null when none.
   */
  latestProfile(): IExecutionRecord | null {
    if (this._latestProfile === undefined) {
      this._latestProfile =
        latestProfile(this._model?.executions.values() ?? []) ?? latestProfile(this._earlierRuns.runs);
    }
    return this._latestProfile;
  }

  /** The cell that ran as `executionCount` in the kernel process `pid`; null when unknown. */
  cellOfExecution(executionCount: number, pid: number | null): string | null {
    return (
      cellIdOfExecution(this._model?.executions.values() ?? [], executionCount, pid) ??
      cellIdOfExecution(this._earlierRuns.runs, executionCount, pid)
    );
  }

  protected onDispose(): void {
    this._unbindModel();
  }

  private _bind(): void {
    const kernelId = this._panel.sessionContext.session?.kernel?.id;
    const model = kernelId ? this._manager.modelFor(kernelId) : null;
    if (model !== this._model) {
      this._unbindModel();
      this._model = model;
      model?.executionsChanged.connect(this._onExecutionsChanged, this);
      model?.stateChanged.connect(this._emit, this);
    }
    this._emit();
  }

  private _unbindModel(): void {
    this._model?.executionsChanged.disconnect(this._onExecutionsChanged, this);
    this._model?.stateChanged.disconnect(this._emit, this);
    this._model = null;
  }

  private _onExecutionsChanged(_: IKernelMemoryModel, changed: IExecutionRecord[]): void {
    this._executionsChanged.emit(changed);
    this._emit();
  }

  private _emit(): void {
    this._byCell = null;
    this._earlierByCell = null;
    this._headless = null;
    this._latestProfile = undefined;
    this._changed.emit();
  }

  private _model: IKernelMemoryModel | null = null;
  private _byCell: Map<string, IExecutionRecord[]> | null = null;
  private _earlierByCell: Map<string, IExecutionRecord[]> | null = null;
  private _headless: Map<string, IHeadlessCell> | null = null;
  /** Not yet looked for: undefined. */
  private _latestProfile: IExecutionRecord | null | undefined = undefined;
  private _changed = new Signal<this, void>(this);
  private _executionsChanged = new Signal<this, IExecutionRecord[]>(this);
}
