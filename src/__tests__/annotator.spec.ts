import { NotebookPanel } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';

import { ExecutionAnnotator } from '../model/annotator';
import { IMemoryUsageManager } from '../tokens';

class FakeKernel {
  constructor(readonly id: string) {}
  readonly anyMessage = new Signal<FakeKernel, any>(this);
  send(msgType: string, msgId: string, metadata: object, content: object = {}) {
    this.anyMessage.emit({
      direction: 'send',
      msg: { header: { msg_type: msgType, msg_id: msgId }, metadata, content }
    });
  }
}

class FakeSessionContext {
  kernelChanged = new Signal<FakeSessionContext, unknown>(this);
  session: { kernel: FakeKernel } | null;
  constructor(kernel: FakeKernel) {
    this.session = { kernel };
  }
  switchTo(kernel: FakeKernel) {
    this.session = { kernel };
    this.kernelChanged.emit(kernel);
  }
}

function setUp() {
  const kernel = new FakeKernel('k1');
  const sessionContext = new FakeSessionContext(kernel);
  const panel = {
    sessionContext,
    context: { path: 'work/analysis.ipynb' }
  } as unknown as NotebookPanel;
  const annotations: string[][] = [];
  const expected: string[] = [];
  const manager = {
    monitoring: true,
    annotate: async (kernelId: string, msgId: string, cellId: string | null, path: string | null) => {
      annotations.push([kernelId, msgId, String(cellId), String(path)]);
    },
    modelFor: (kernelId: string) => ({ expectExecution: () => expected.push(kernelId) })
  } as unknown as IMemoryUsageManager;
  const annotator = new ExecutionAnnotator(panel, manager);
  return { kernel, sessionContext, annotator, annotations, expected };
}

describe('ExecutionAnnotator', () => {
  it('ties each execute_request msg_id to its cell id and notebook', () => {
    const { kernel, annotations, expected } = setUp();
    kernel.send('execute_request', 'msg-1', { cellId: 'cell-a' });
    kernel.send('execute_request', 'msg-2', { cellId: 'cell-b' });
    expect(annotations).toEqual([
      ['k1', 'msg-1', 'cell-a', 'work/analysis.ipynb'],
      ['k1', 'msg-2', 'cell-b', 'work/analysis.ipynb']
    ]);
    expect(expected).toEqual(['k1', 'k1']);
  });

  it('ignores other messages, silent executions and received messages', () => {
    const { kernel, annotations } = setUp();
    kernel.send('kernel_info_request', 'msg-1', {});
    kernel.send('execute_request', 'msg-2', { cellId: 'c' }, { silent: true });
    kernel.anyMessage.emit({
      direction: 'recv',
      msg: { header: { msg_type: 'execute_request', msg_id: 'x' }, metadata: {}, content: {} }
    });
    expect(annotations).toEqual([]);
  });

  it('follows a kernel change and stops on dispose', () => {
    const { kernel, sessionContext, annotator, annotations } = setUp();
    const other = new FakeKernel('k2');
    sessionContext.switchTo(other);
    kernel.send('execute_request', 'old', { cellId: 'c' });
    other.send('execute_request', 'new', { cellId: 'c' });
    annotator.dispose();
    other.send('execute_request', 'after', { cellId: 'c' });
    expect(annotations.map(a => a[1])).toEqual(['new']);
  });

  it('annotates an execution without a cell id with null', () => {
    const { kernel, annotations } = setUp();
    kernel.send('execute_request', 'msg-1', {});
    expect(annotations[0][2]).toBe('null');
  });
});
