import { Cell, CodeCell } from '@jupyterlab/cells';
import { CodeMirrorEditor } from '@jupyterlab/codemirror';
import { Notebook, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { EditorView } from '@codemirror/view';

import { CellsView } from '../badges/cellsView';
import { NotebookRuns } from '../model/notebookRuns';
import { IExecutionRecord } from '../model/types';
import { hasLineMarks, lineMarksExtension, setLineMarks, startRun } from './field';
import { ILineMark, lineMarks } from './statements';

export interface ILineMarkSettings {
  show: boolean;
  /** The badge threshold: statements whose change and peak stay below it get no mark. */
  minimumDeltaBytes: number;
}

/**
 * The marks beside the statements of one notebook's cells, from each cell's
 * latest finished run. A cell's marks go when it is run again and the new
 * run's come when it ends; the editor keeps them in place through edits.
 */
export class NotebookLineMarks extends CellsView<ILineMarkSettings> {
  constructor(
    panel: NotebookPanel,
    runs: NotebookRuns,
    trans: TranslationBundle,
    settings: ILineMarkSettings
  ) {
    super(panel, runs, trans, settings);
    NotebookActions.executionScheduled.connect(this._onScheduled, this);
  }

  protected onDispose(): void {
    NotebookActions.executionScheduled.disconnect(this._onScheduled, this);
    super.onDispose();
  }

  protected render(): void {
    const { show, minimumDeltaBytes } = this.settings;
    const units = this.runs.units;
    for (const cell of this.panel.content.widgets) {
      if (!(cell instanceof CodeCell) || cell.isDisposed) {
        continue;
      }
      const latest = this.runs.runsOf(cell.model.id)?.runs[0] ?? null;
      // Each poll redraws: a cell whose latest run and settings are the same
      // is left alone.
      const key = latest ? [latest.msg_id, latest.seq, show, minimumDeltaBytes, units].join('|') : '';
      if (key === (this._drawn.get(cell) ?? '') || !this.isDrawn(cell)) {
        continue;
      }
      const marks =
        show && latest && finished(latest)
          ? lineMarks(latest.statements ?? [], minimumDeltaBytes, units, this.trans)
          : [];
      this._mark(cell, latest?.msg_id ?? null, marks);
      this._drawn.set(cell, key);
    }
  }

  /** A cell of this notebook starts: its marks go, and its source as sent is kept. */
  private _onScheduled(_: unknown, args: { notebook: Notebook; cell: Cell }): void {
    const { notebook, cell } = args;
    if (notebook !== this.panel.content || !(cell instanceof CodeCell) || !this.settings.show) {
      return;
    }
    const view = editorView(cell, true);
    if (view) {
      startRun(view);
    }
  }

  private _mark(cell: CodeCell, runId: string | null, marks: ILineMark[]): void {
    // An editor that never had marks needs no field to clear.
    const view = editorView(cell, marks.length > 0);
    if (view) {
      setLineMarks(view, runId, marks);
    }
  }

  private _drawn = new WeakMap<Cell, string>();
}

/** Whether a run's statements are final. */
function finished(record: IExecutionRecord): boolean {
  return record.status !== 'running';
}

/** A drawn cell's CodeMirror view, with the marks' field; null without, unless `inject`. */
function editorView(cell: CodeCell, inject: boolean): EditorView | null {
  const editor = cell.editor;
  if (!(editor instanceof CodeMirrorEditor)) {
    return null;
  }
  const view = editor.editor;
  if (!hasLineMarks(view.state)) {
    if (!inject) {
      return null;
    }
    editor.injectExtension(lineMarksExtension);
  }
  return view;
}
