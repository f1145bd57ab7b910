import { Cell } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import { Disposable } from '../disposable';
import { NotebookRuns } from '../model/notebookRuns';

/**
 * A view drawn on a notebook's cells from its runs, under settings of type
 * `S`: redrawn at most once a frame, whatever number of polls, cell changes
 * and settings asked for it.
 */
export abstract class CellsView<S> extends Disposable {
  constructor(
    protected readonly panel: NotebookPanel,
    protected readonly runs: NotebookRuns,
    protected readonly trans: TranslationBundle,
    private _settings: S
  ) {
    super();
    runs.changed.connect(this.scheduleRender, this);
    panel.content.modelChanged.connect(this._watchCells, this);
    this._watchCells();
  }

  get settings(): S {
    return this._settings;
  }

  set settings(settings: S) {
    this._settings = settings;
    this.scheduleRender();
  }

  /** Draw every cell that needs it. */
  protected abstract render(): void;

  protected scheduleRender(): void {
    if (this.isDisposed || this._frame) {
      return;
    }
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this.render();
    });
  }

  /**
   * Whether a cell is drawn. One that is not yet (a windowed notebook's
   * placeholder) is drawn again once it is, waited for once however many
   * renders come before: a cell never scrolled to would otherwise pile up one
   * callback per render.
   */
  protected isDrawn(cell: Cell): boolean {
    if (!cell.isPlaceholder()) {
      return true;
    }
    if (!this._awaitingReady.has(cell)) {
      this._awaitingReady.add(cell);
      void cell.ready.then(() => {
        this._awaitingReady.delete(cell);
        this.scheduleRender();
      });
    }
    return false;
  }

  protected onDispose(): void {
    if (this._frame) {
      cancelAnimationFrame(this._frame);
    }
  }

  private _watchCells(): void {
    this.panel.content.model?.cells.changed.connect(this.scheduleRender, this);
    this.scheduleRender();
  }

  private _awaitingReady = new WeakSet<Cell>();
  private _frame = 0;
}
