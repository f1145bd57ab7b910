import { NotebookPanel } from '@jupyterlab/notebook';

/** The source of a notebook's cell, or null when the notebook has no such cell. */
export function cellSource(panel: NotebookPanel | null, cellId: string): string | null {
  const cells = panel?.content.model?.cells;
  if (!cells) {
    return null;
  }
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.id === cellId) {
      return cell.sharedModel.getSource();
    }
  }
  return null;
}

/** The first line of a source, cut to `maxLength` characters with an ellipsis. */
export function firstLine(source: string | null, maxLength = Infinity): string {
  return cut((source ?? '').split('\n')[0], maxLength);
}

/**
 * Line `line` (1-based) of a source without its indentation, cut to
 * `maxLength` characters with an ellipsis; empty when the source has no such line.
 */
export function sourceLine(source: string | null, line: number, maxLength = Infinity): string {
  return cut(((source ?? '').split('\n')[line - 1] ?? '').trim(), maxLength);
}

function cut(text: string, maxLength: number): string {
  return text.length > maxLength ? text.slice(0, maxLength - 1) + '…' : text;
}
