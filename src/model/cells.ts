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
  const line = (source ?? '').split('\n')[0];
  return line.length > maxLength ? line.slice(0, maxLength - 1) + '…' : line;
}
