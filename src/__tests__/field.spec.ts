import { ChangeSet, EditorState, Text } from '@codemirror/state';
import { EditorView } from '@codemirror/view';

import {
  EDITED_CLASS,
  hasLineMarks,
  LINE_MARK_CLASS,
  lineMarkEffects,
  lineMarksExtension,
  lineMarksField,
  placeMarks,
  PROFILE_CLASS,
  setLineMarks,
  startRun
} from '../lines/field';
import { ILineMark } from '../lines/statements';

const SOURCE = 'a = np.ones(10**8)\nb = a * 2\nfor i in range(2):\n    c = a + i\ndel a';

function mark(line: number, endLine = line): ILineMark {
  return {
    line,
    endLine,
    delta: 8e8,
    peakIncrement: 8e8,
    kind: 'grow',
    strength: 3,
    text: '+762.9 MiB',
    title: `line ${line}`,
    editedTitle: `line ${line} (edited since it ran)`
  };
}

/** Where the marks stand after `edit` (changes to SOURCE): [line now, edited]. */
function placedAfter(marks: ILineMark[], edit: (doc: Text) => ChangeSet): [number, boolean][] {
  const baseline = Text.of(SOURCE.split('\n'));
  const changes = edit(baseline);
  const doc = changes.apply(baseline);
  return placeMarks(marks, baseline, changes, doc).map(p => [doc.lineAt(p.pos).number, p.edited]);
}

const MARKS = [mark(1), mark(2), mark(3, 4), mark(5)];

describe('placeMarks', () => {
  it('puts each mark at the end of its first line', () => {
    const baseline = Text.of(SOURCE.split('\n'));
    const placed = placeMarks(MARKS, baseline, ChangeSet.empty(baseline.length), baseline);
    expect(placed.map(p => p.pos)).toEqual([1, 2, 3, 5].map(n => baseline.line(n).to));
    expect(placed.every(p => !p.edited)).toBe(true);
  });

  it('moves the marks with lines added above, undimmed', () => {
    const added = placedAfter(MARKS, doc => ChangeSet.of({ from: 0, insert: 'import time\n\n' }, doc.length));
    expect(added).toEqual([[3, false], [4, false], [5, false], [7, false]]);
    // A line break at the end of line 1 adds a line between 1 and 2: neither is edited.
    const split = placedAfter(MARKS, doc => ChangeSet.of({ from: doc.line(1).to, insert: '\n' }, doc.length));
    expect(split).toEqual([[1, false], [3, false], [4, false], [6, false]]);
    const pushedDown = placedAfter(MARKS, doc => ChangeSet.of({ from: doc.line(2).from, insert: '\n' }, doc.length));
    expect(pushedDown).toEqual([[1, false], [3, false], [4, false], [6, false]]);
  });

  it('dims a statement whose lines were edited, and only it', () => {
    const typed = placedAfter(MARKS, doc => ChangeSet.of({ from: doc.line(2).to, insert: '  # edit' }, doc.length));
    expect(typed).toEqual([[1, false], [2, true], [3, false], [5, false]]);
    // Inside a loop's body: the loop is one statement of two lines.
    const body = placedAfter(MARKS, doc => ChangeSet.of({ from: doc.line(4).from, insert: '  ' }, doc.length));
    expect(body).toEqual([[1, false], [2, false], [3, true], [5, false]]);
    // Typed at the start of a line, or a line joined to the one above.
    const start = placedAfter(MARKS, doc => ChangeSet.of({ from: doc.line(5).from, insert: 'x' }, doc.length));
    expect(start[3]).toEqual([5, true]);
    const joined = placedAfter(MARKS, doc =>
      ChangeSet.of({ from: doc.line(2).from - 1, to: doc.line(2).from }, doc.length)
    );
    expect(joined.slice(0, 2)).toEqual([[1, true], [1, true]]);
  });

  it('undims a statement whose lines are typed back as they ran', () => {
    const same = placedAfter(MARKS, doc =>
      ChangeSet.of({ from: doc.line(2).from, to: doc.line(2).to, insert: 'b = a * 2' }, doc.length)
    );
    expect(same[1]).toEqual([2, false]);
  });

  it('drops the mark of a deleted statement and of a line the source lacks', () => {
    const deleted = placedAfter(MARKS, doc =>
      ChangeSet.of({ from: doc.line(1).to, to: doc.line(2).to }, doc.length)
    );
    expect(deleted).toEqual([[1, false], [2, false], [4, false]]);
    expect(placedAfter([mark(9), mark(0)], doc => ChangeSet.empty(doc.length))).toEqual([]);
  });
});

describe('lineMarksField', () => {
  const { runStarted, marksSet } = lineMarkEffects;

  function stateWith(doc = SOURCE): EditorState {
    return EditorState.create({ doc, extensions: lineMarksExtension });
  }

  function shown(state: EditorState): [number, boolean][] {
    const placed: [number, boolean][] = [];
    state.field(lineMarksField).decorations.between(0, state.doc.length, (from, _to, deco) => {
      placed.push([state.doc.lineAt(from).number, (deco.spec.widget as { edited: boolean }).edited]);
    });
    return placed;
  }

  it('shows a run’s marks and hides them on an empty list', () => {
    let state = stateWith();
    expect(hasLineMarks(state)).toBe(true);
    expect(hasLineMarks(EditorState.create({ doc: 'x' }))).toBe(false);
    state = state.update({ effects: marksSet.of({ runId: 'A', marks: MARKS }) }).state;
    expect(shown(state)).toEqual([[1, false], [2, false], [3, false], [5, false]]);
    state = state.update({ effects: marksSet.of({ runId: 'A', marks: [] }) }).state;
    expect(shown(state)).toEqual([]);
    state = state.update({ effects: marksSet.of({ runId: null, marks: [] }) }).state;
    expect(state.field(lineMarksField).runId).toBeNull();
  });

  it('keeps counting edits from the run while the marks are hidden', () => {
    let state = stateWith().update({ effects: marksSet.of({ runId: 'A', marks: MARKS }) }).state;
    state = state.update({ effects: marksSet.of({ runId: 'A', marks: [] }) }).state;
    state = state.update({ changes: { from: state.doc.line(2).to, insert: ' + 1' } }).state;
    state = state.update({ effects: marksSet.of({ runId: 'A', marks: MARKS }) }).state;
    expect(shown(state)).toEqual([[1, false], [2, true], [3, false], [5, false]]);
  });

  it('drops the marks when the cell runs again, and ignores the old run’s after', () => {
    let state = stateWith().update({ effects: marksSet.of({ runId: 'A', marks: MARKS }) }).state;
    state = state.update({ effects: runStarted.of(null) }).state;
    expect(shown(state)).toEqual([]);
    // A late redraw of the run before: it no longer applies.
    state = state.update({ effects: marksSet.of({ runId: 'A', marks: MARKS }) }).state;
    expect(shown(state)).toEqual([]);
    // Edits while the new run runs count against the source it was sent with.
    state = state.update({ changes: { from: 0, insert: '# note\n' } }).state;
    state = state.update({ effects: marksSet.of({ runId: 'B', marks: [] }) }).state;
    state = state.update({ changes: { from: state.doc.line(3).to, insert: '  # edit' } }).state;
    state = state.update({ effects: marksSet.of({ runId: 'B', marks: MARKS }) }).state;
    expect(shown(state)).toEqual([[2, false], [3, true], [4, false], [6, false]]);
  });

  it('counts a line profile’s marks against the source of the run they name', () => {
    // The cell's own run A, then edits, then another cell's profile of the lines A defined.
    let state = stateWith().update({ effects: marksSet.of({ runId: 'A', marks: MARKS }) }).state;
    state = state.update({ changes: { from: 0, insert: '# note\n' } }).state;
    state = state.update({ effects: marksSet.of({ runId: 'profile:P', marks: [mark(2)], sourceRun: 'A' }) }).state;
    expect(shown(state)).toEqual([[3, false]]);
    expect(state.field(lineMarksField).runId).toBe('profile:P');
    // Cleared: the run's own marks come back, still counted against A.
    state = state.update({ effects: marksSet.of({ runId: 'A', marks: MARKS }) }).state;
    expect(shown(state)).toEqual([[2, false], [3, false], [4, false], [6, false]]);
  });

  it('takes the source as it is for a run it did not see start', () => {
    let state = stateWith().update({ effects: marksSet.of({ runId: 'A', marks: MARKS }) }).state;
    state = state.update({ changes: { from: state.doc.line(1).to, insert: ' # edited' } }).state;
    expect(shown(state)[0]).toEqual([1, true]);
    state = state.update({ effects: marksSet.of({ runId: 'C', marks: MARKS }) }).state;
    expect(shown(state)[0]).toEqual([1, false]);
  });
});

describe('the marks in an editor', () => {
  it('are elements with the figures as data attributes, dimmed once edited', () => {
    const parent = document.createElement('div');
    document.body.appendChild(parent);
    const view = new EditorView({ doc: SOURCE, parent, extensions: lineMarksExtension });
    setLineMarks(view, 'A', [{ ...mark(3, 4), delta: -8e8 - 0.4, peakIncrement: null, kind: 'free' }]);
    let node = parent.querySelector(`.${LINE_MARK_CLASS}`) as HTMLElement;
    expect(node.textContent).toBe('+762.9 MiB');
    expect({ ...node.dataset }).toEqual({
      line: '3',
      endLine: '4',
      delta: '-800000000',
      peakIncrement: '',
      strength: '3'
    });
    expect(node.classList.contains(`${LINE_MARK_CLASS}-free`)).toBe(true);
    expect(node.title).toBe('line 3');
    view.dispatch({ changes: { from: view.state.doc.line(4).to, insert: ' * 2' } });
    node = parent.querySelector(`.${LINE_MARK_CLASS}`) as HTMLElement;
    expect(node.classList.contains(EDITED_CLASS)).toBe(true);
    expect(node.title).toBe('line 3 (edited since it ran)');
    startRun(view);
    expect(parent.querySelector(`.${LINE_MARK_CLASS}`)).toBeNull();
    view.destroy();
  });

  it('of a line profile have their own class and their runs', () => {
    const parent = document.createElement('div');
    document.body.appendChild(parent);
    const view = new EditorView({ doc: SOURCE, parent, extensions: lineMarksExtension });
    setLineMarks(view, 'A', [mark(1)]);
    expect(parent.querySelector(`.${PROFILE_CLASS}`)).toBeNull();
    setLineMarks(view, 'profile:P', [{ ...mark(1), hits: 4 }, { ...mark(2), hits: 1 }], 'A');
    const nodes = Array.from(parent.querySelectorAll<HTMLElement>(`.${LINE_MARK_CLASS}.${PROFILE_CLASS}`));
    expect(nodes.map(node => node.dataset.hits)).toEqual(['4', '1']);
    view.destroy();
  });
});
