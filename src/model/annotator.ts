import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';

import { Disposable } from '../disposable';
import { IMemoryUsageManager } from '../tokens';

/**
 * Tells the server which cell each execution of a notebook belongs to.
 *
 * JupyterLab puts the cell's id in every execute_request's metadata; watching
 * the kernel connection's outgoing messages catches every way a cell is run
 * (one cell, Run All, the debugger) with its msg_id.
 */
export class ExecutionAnnotator extends Disposable {
  constructor(
    private readonly _panel: NotebookPanel,
    private readonly _manager: IMemoryUsageManager
  ) {
    super();
    const { sessionContext } = _panel;
    sessionContext.kernelChanged.connect(this._onKernelChanged, this);
    this._watch(sessionContext.session?.kernel ?? null);
  }

  protected onDispose(): void {
    this._watch(null);
  }

  private _onKernelChanged(): void {
    this._watch(this._panel.sessionContext.session?.kernel ?? null);
  }

  private _watch(kernel: Kernel.IKernelConnection | null): void {
    this._kernel?.anyMessage.disconnect(this._onMessage, this);
    this._kernel = kernel;
    kernel?.anyMessage.connect(this._onMessage, this);
  }

  private _onMessage(
    kernel: Kernel.IKernelConnection,
    args: Kernel.IAnyMessageArgs
  ): void {
    const { msg, direction } = args;
    if (direction !== 'send' || msg.header.msg_type !== 'execute_request') {
      return;
    }
    const content = (msg as KernelMessage.IExecuteRequestMsg).content;
    if (content.silent) {
      return;
    }
    const cellId = (msg.metadata as { cellId?: unknown }).cellId;
    this._manager.modelFor(kernel.id)?.expectExecution(msg.header.msg_id);
    void this._manager.annotate(
      kernel.id,
      msg.header.msg_id,
      typeof cellId === 'string' ? cellId : null,
      this._panel.context.path
    );
  }

  private _kernel: Kernel.IKernelConnection | null = null;
}

/**
 * An `ExecutionAnnotator` for every notebook panel the tracker sees, disposed
 * with its panel.
 */
export class NotebookAnnotators extends Disposable {
  constructor(
    tracker: INotebookTracker,
    private readonly _manager: IMemoryUsageManager
  ) {
    super();
    tracker.widgetAdded.connect(this._onPanelAdded, this);
    tracker.forEach(panel => this._onPanelAdded(tracker, panel));
  }

  protected onDispose(): void {
    for (const annotator of this._annotators.values()) {
      annotator.dispose();
    }
    this._annotators.clear();
  }

  private _onPanelAdded(_: INotebookTracker, panel: NotebookPanel): void {
    if (this._annotators.has(panel)) {
      return;
    }
    this._annotators.set(panel, new ExecutionAnnotator(panel, this._manager));
    panel.disposed.connect(this._onPanelDisposed, this);
  }

  private _onPanelDisposed(panel: NotebookPanel): void {
    this._annotators.get(panel)?.dispose();
    this._annotators.delete(panel);
  }

  private _annotators = new Map<NotebookPanel, ExecutionAnnotator>();
}
