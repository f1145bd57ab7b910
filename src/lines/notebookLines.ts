import { Cell, CodeCell } from '@jupyterlab/cells';
import { CodeMirrorEditor } from '@jupyterlab/codemirror';
import { Notebook, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { EditorView } from '@codemirror/view';
import { Widget } from '@lumino/widgets';

import { CellsView } from '../badges/cellsView';
import { NotebookRuns } from '../model/notebookRuns';
import { IExecutionRecord, ILineProfileCell } from '../model/types';
import { hasLineMarks, lineMarksExtension, setLineMarks, startRun } from './field';
import { profileApplies, profiledCells, profileMarks } from './profile';
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
 *
 * The notebook's latest line profile takes the place of those marks in every
 * cell it names, until that cell runs again or the profile is cleared.
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

  /** Whether a line profile is drawn in a cell of this notebook (or would be, once drawn). */
  get showsProfile(): boolean {
    const { record, cells } = this._profile();
    return (
      record !== null &&
      this.panel.content.widgets.some(cell => {
        const id = cell.model.id;
        return cells.has(id) && profileApplies(record, this.runs.runsOf(id)?.runs[0] ?? null);
      })
    );
  }

  /** Hide the notebook's line profile: its cells show their own runs' marks again. */
  clearProfile(): void {
    const { record } = this._profile();
    if (record) {
      this._cleared.add(record.msg_id);
      this.scheduleRender();
    }
  }

  protected render(): void {
    const { show, minimumDeltaBytes } = this.settings;
    const units = this.runs.units;
    const profile = this._profile();
    for (const cell of this.panel.content.widgets) {
      if (!(cell instanceof CodeCell) || cell.isDisposed) {
        continue;
      }
      const runs = this.runs.runsOf(cell.model.id)?.runs ?? [];
      const latest = runs[0] ?? null;
      const profiled = profile.cells.get(cell.model.id);
      const drawn: IDrawnRun | null =
        profiled && profile.record && profileApplies(profile.record, latest)
          ? profileRun(profile.record, profiled, runs)
          : latest && { runId: latest.msg_id, record: latest };
      // Each poll redraws: a cell whose latest run and settings are the same
      // is left alone.
      const key = drawn ? [drawn.runId, drawn.record.seq, show, minimumDeltaBytes, units].join('|') : '';
      if (key === (this._drawn.get(cell) ?? '') || !this.isDrawn(cell)) {
        continue;
      }
      let marks: ILineMark[] = [];
      if (show && drawn?.profile) {
        marks = profileMarks(drawn.profile, minimumDeltaBytes, units, this.trans);
      } else if (show && drawn && finished(drawn.record)) {
        marks = lineMarks(drawn.record.statements ?? [], minimumDeltaBytes, units, this.trans);
      }
      this._mark(cell, drawn?.runId ?? null, marks, drawn?.sourceRun);
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

  private _mark(cell: CodeCell, runId: string | null, marks: ILineMark[], sourceRun?: string): void {
    // An editor that never had marks needs no field to clear.
    const view = editorView(cell, marks.length > 0);
    if (view) {
      setLineMarks(view, runId, marks, sourceRun);
      if (cell === this.panel.content.activeCell) {
        // JupyterLab's cell toolbar, over the end of the active cell's first
        // line, gives way to a line that reaches under it, but measures again
        // only when the cell changes size: so that it sees the marks, say so.
        cell.processMessage(Widget.ResizeMessage.UnknownSize);
      }
    }
  }

  /** The notebook's latest line profile, unless cleared or the marks are off, and its cells. */
  private _profile(): { record: IExecutionRecord | null; cells: Map<string, ILineProfileCell> } {
    const record = this.settings.show ? this.runs.latestProfile() : null;
    if (!record?.line_profile || this._cleared.has(record.msg_id)) {
      return { record: null, cells: new Map() };
    }
    const cells = profiledCells(record.line_profile, count =>
      this.runs.cellOfExecution(count, record.pid)
    );
    return { record, cells };
  }

  private _drawn = new WeakMap<Cell, string>();
  /** Profiles cleared by the user, by the msg_id of their run. */
  private _cleared = new Set<string>();
}

/** What a cell's marks are drawn from: a run's statements, or a line profile's lines. */
interface IDrawnRun {
  /** The marks' own id: a run's msg_id, or `profile:` and the profiled run's. */
  runId: string;
  record: IExecutionRecord;
  profile?: ILineProfileCell;
  /** The cell's run whose source the profile's lines count in. */
  sourceRun?: string;
}

/** A cell's share of the profile of run `record`, over the cell's own `runs`. */
function profileRun(
  record: IExecutionRecord,
  profile: ILineProfileCell,
  runs: readonly IExecutionRecord[]
): IDrawnRun {
  // The lines are those of the run that compiled them: the profiled run
  // itself, or the earlier run that defined the functions it called.
  const source = runs.find(r => r.execution_count === profile.execution_count && r.pid === record.pid);
  return {
    runId: `profile:${record.msg_id}`,
    record,
    profile,
    sourceRun: source?.msg_id ?? runs[0]?.msg_id ?? record.msg_id
  };
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
