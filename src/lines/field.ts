/**
 * The line marks inside a cell's editor (CodeMirror 6): a state field that
 * holds the marks of the cell's last run, places each at the end of its
 * statement's first line, keeps it there through edits, and dims it once the
 * statement's lines differ from what ran.
 */
import { ChangeSet, EditorState, Extension, StateEffect, StateField, Text } from '@codemirror/state';
import { Decoration, DecorationSet, EditorView, WidgetType } from '@codemirror/view';

import { ILineMark } from './statements';

export const LINE_MARK_CLASS = 'jp-MemoryUsage-line';
export const EDITED_CLASS = 'jp-mod-edited';
/** A line profile's mark. */
export const PROFILE_CLASS = 'jp-mod-profile';

/** What the field holds. */
export interface ILineMarksState {
  /** The run (msg_id) whose marks these are; null before any, or once the cell runs again. */
  runId: string | null;
  /** The run shown before the cell was started again: its marks no longer apply. */
  superseded: string | null;
  /** The source as the run started (or, if that was not seen, as its marks came). */
  baseline: Text | null;
  /** The run whose source `baseline` is; null when taken as the next run started. */
  baselineRun: string | null;
  /** The edits since `baseline`. */
  changes: ChangeSet | null;
  marks: readonly ILineMark[];
  decorations: DecorationSet;
}

/** A mark where the editor draws it now. */
export interface IPlacedMark {
  mark: ILineMark;
  /** The end of the line the statement starts on now. */
  pos: number;
  /** Whether the statement's lines differ from what ran. */
  edited: boolean;
}

/** The cell starts running: its marks go, and edits from now on count against this source. */
const runStarted = StateEffect.define<null>();

/**
 * The marks of a run (an empty list hides them); a null run: the cell has none.
 * `sourceRun` is the run of this cell whose source the marks' lines count in,
 * when that is not `runId` itself (a line profile of another cell's run).
 */
const marksSet = StateEffect.define<{
  runId: string | null;
  marks: readonly ILineMark[];
  sourceRun?: string;
}>();

/**
 * Where each mark stands in `doc`: its statement's lines in `baseline`, taken
 * through the edits `changes`. Lines added above or below move it; text typed
 * into its lines, or a line break that joins them to another, dims it; a
 * statement whose lines were deleted has no mark left.
 */
export function placeMarks(
  marks: readonly ILineMark[],
  baseline: Text,
  changes: ChangeSet,
  doc: Text
): IPlacedMark[] {
  const placed: IPlacedMark[] = [];
  for (const mark of marks) {
    if (mark.line < 1 || mark.line > baseline.lines) {
      continue;
    }
    const first = baseline.line(mark.line);
    const last = baseline.line(Math.min(Math.max(mark.endLine, mark.line), baseline.lines));
    const ran = baseline.sliceString(first.from, last.to);
    // With what was put in at either end, and without.
    const outerFrom = changes.mapPos(first.from, -1);
    const outerTo = changes.mapPos(last.to, 1);
    if (outerFrom >= outerTo && ran.length > 0) {
      continue;
    }
    let from = changes.mapPos(first.from, 1);
    let to = changes.mapPos(last.to, -1);
    if (from > to) {
      // Replaced whole: the statement is what took its place.
      from = outerFrom;
      to = outerTo;
    }
    const start = doc.lineAt(from);
    const now = doc.sliceString(start.from, doc.lineAt(to).to);
    placed.push({ mark, pos: start.to, edited: now !== ran });
  }
  return placed;
}

class LineMarkWidget extends WidgetType {
  constructor(
    readonly mark: ILineMark,
    readonly edited: boolean
  ) {
    super();
  }

  eq(other: LineMarkWidget): boolean {
    const a = this.mark;
    const b = other.mark;
    return (
      this.edited === other.edited &&
      a.line === b.line &&
      a.endLine === b.endLine &&
      a.delta === b.delta &&
      a.peakIncrement === b.peakIncrement &&
      a.text === b.text &&
      a.title === b.title &&
      a.kind === b.kind &&
      a.strength === b.strength &&
      a.hits === b.hits
    );
  }

  toDOM(): HTMLElement {
    const { mark, edited } = this;
    const node = document.createElement('span');
    node.className = `${LINE_MARK_CLASS} ${LINE_MARK_CLASS}-${mark.kind}`;
    node.classList.toggle(EDITED_CLASS, edited);
    const data = node.dataset;
    data.line = String(mark.line);
    data.endLine = String(mark.endLine);
    data.delta = String(Math.round(mark.delta));
    data.peakIncrement = mark.peakIncrement === null ? '' : String(Math.round(mark.peakIncrement));
    data.strength = String(mark.strength);
    if (mark.hits !== undefined) {
      node.classList.add(PROFILE_CLASS);
      data.hits = String(mark.hits);
    }
    node.textContent = mark.text;
    node.title = edited ? mark.editedTitle : mark.title;
    return node;
  }
}

function decorate(state: Omit<ILineMarksState, 'decorations'>, doc: Text): DecorationSet {
  if (!state.baseline || !state.changes || !state.marks.length) {
    return Decoration.none;
  }
  const ranges = placeMarks(state.marks, state.baseline, state.changes, doc).map(p =>
    Decoration.widget({ widget: new LineMarkWidget(p.mark, p.edited), side: 1 }).range(p.pos)
  );
  return Decoration.set(ranges, true);
}

const EMPTY: ILineMarksState = {
  runId: null,
  superseded: null,
  baseline: null,
  baselineRun: null,
  changes: null,
  marks: [],
  decorations: Decoration.none
};

export const lineMarksField = StateField.define<ILineMarksState>({
  create: () => EMPTY,
  update(value, tr) {
    let next = value;
    if (tr.docChanged && next.changes) {
      next = { ...next, changes: next.changes.compose(tr.changes) };
    }
    const doc = tr.newDoc;
    for (const effect of tr.effects) {
      if (effect.is(runStarted)) {
        next = {
          ...EMPTY,
          superseded: next.runId ?? next.superseded,
          baseline: doc,
          changes: ChangeSet.empty(doc.length)
        };
      } else if (effect.is(marksSet)) {
        const { runId, marks } = effect.value;
        if (runId === null) {
          next = { ...EMPTY, superseded: next.superseded };
          continue;
        }
        if (runId === next.superseded) {
          continue;
        }
        const sourceRun = effect.value.sourceRun ?? runId;
        const keepBaseline =
          next.baseline !== null && (next.baselineRun === sourceRun || next.baselineRun === null);
        next = keepBaseline
          ? { ...next, runId, baselineRun: sourceRun, marks }
          : {
              ...next,
              runId,
              baseline: doc,
              baselineRun: sourceRun,
              changes: ChangeSet.empty(doc.length),
              marks
            };
      }
    }
    if (next === value) {
      return value;
    }
    return { ...next, decorations: decorate(next, doc) };
  },
  provide: field => EditorView.decorations.from(field, state => state.decorations)
});

/** The field, for `CodeMirrorEditor.injectExtension`. */
export const lineMarksExtension: Extension = lineMarksField;

/** Whether an editor state has the field (it is injected once per editor). */
export function hasLineMarks(state: EditorState): boolean {
  return state.field(lineMarksField, false) !== undefined;
}

/** The cell starts running: its marks go until the new run's come. */
export function startRun(view: EditorView): void {
  view.dispatch({ effects: runStarted.of(null) });
}

/**
 * Show a run's marks (an empty list hides them; a null run: the cell has none).
 * `sourceRun`: the cell's run whose source the lines count in, when not `runId`.
 */
export function setLineMarks(
  view: EditorView,
  runId: string | null,
  marks: readonly ILineMark[],
  sourceRun?: string
): void {
  view.dispatch({ effects: marksSet.of({ runId, marks, sourceRun }) });
}

/** The effects themselves, for tests that drive an `EditorState` alone. */
export const lineMarkEffects = { runStarted, marksSet };
