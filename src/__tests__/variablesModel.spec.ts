import { ServerConnection } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import { IExecutionRecord, IKernelState, IVariablesReply } from '../model/types';
import { VariablesModel } from '../timeline/variablesModel';
import { ICurrentKernel, IKernelMemoryModel, IMemoryUsageManager } from '../tokens';
import { record } from './fixtures';

/** A kernel model whose records and state the test sets. */
function fakeModel(kernelId: string) {
  const model = {
    kernelId,
    state: { execution_state: 'idle', hook: 'active' } as IKernelState,
    executions: new Map<string, IExecutionRecord>(),
    executionsChanged: null as unknown as Signal<object, IExecutionRecord[]>,
    stateChanged: null as unknown as Signal<object, IKernelState>
  };
  model.executionsChanged = new Signal<object, IExecutionRecord[]>(model);
  model.stateChanged = new Signal<object, IKernelState>(model);
  const ran = (...records: IExecutionRecord[]) => {
    records.forEach(r => model.executions.set(r.msg_id, r));
    model.executionsChanged.emit(records);
  };
  const state = (fields: Partial<IKernelState>) => {
    model.state = { ...model.state, ...fields };
    model.stateChanged.emit(model.state);
  };
  return { model: model as unknown as IKernelMemoryModel, ran, state };
}

function fakeCurrent(model: IKernelMemoryModel | null) {
  const current = { changed: null as unknown as Signal<object, void>, panel: null, model };
  current.changed = new Signal<object, void>(current);
  const switchTo = (next: IKernelMemoryModel | null) => {
    current.model = next;
    current.changed.emit();
  };
  return { current: current as unknown as ICurrentKernel, switchTo };
}

function reply(kernelId: string, names: string[]): IVariablesReply {
  return {
    kernel_id: kernelId,
    as_of: 1,
    stale: false,
    complete: true,
    sized_in_s: 0.01,
    budget_s: 0.2,
    rss: 100,
    total_size: 10,
    omitted_count: 0,
    omitted_size: 0,
    variables: names.map(name => ({
      name,
      type: 'list',
      size: 10,
      shape: null,
      dtype: null,
      length: 1,
      view_of: null,
      estimated: false,
      device: null,
      cell_id: null,
      execution_count: null
    }))
  };
}

/** A manager whose `variables` calls are counted and answered when the test says. */
function fakeManager() {
  const asked: string[] = [];
  const answers: ((r: IVariablesReply | Error) => void)[] = [];
  const manager = {
    variables: (kernelId: string) => {
      asked.push(kernelId);
      return new Promise<IVariablesReply>((resolve, reject) =>
        answers.push(r => (r instanceof Error ? reject(r) : resolve(r)))
      );
    }
  };
  const answer = async (r: IVariablesReply | Error) => {
    answers.shift()!(r);
    await new Promise(resolve => setTimeout(resolve, 0));
  };
  return { manager: manager as unknown as IMemoryUsageManager, asked, answer };
}


const settle = () => new Promise(resolve => setTimeout(resolve, 350));

describe('VariablesModel', () => {
  it('fetches nothing until its section is shown, then once', async () => {
    const { model } = fakeModel('k1');
    const { current } = fakeCurrent(model);
    const { manager, asked, answer } = fakeManager();
    const variables = new VariablesModel(current, manager);
    expect(asked).toEqual([]);
    variables.active = true;
    expect(asked).toEqual(['k1']);
    expect(variables.loading).toBe(true);
    await answer(reply('k1', ['a']));
    expect(variables.reply?.variables?.map(v => v.name)).toEqual(['a']);
    expect(variables.loading).toBe(false);
    variables.active = false;
    variables.active = true; // nothing ran since: no new fetch
    expect(asked).toEqual(['k1']);
    variables.dispose();
  });

  it('fetches again when a cell ends while shown, not while it runs, and once shown when hidden', async () => {
    const { model, ran } = fakeModel('k1');
    const { current } = fakeCurrent(model);
    const { manager, asked, answer } = fakeManager();
    const variables = new VariablesModel(current, manager);
    variables.active = true;
    await answer(reply('k1', ['a']));

    ran(record({ msg_id: 'm1', status: 'running' }));
    expect(variables.busy).toBe(true);
    await variables.refresh(); // the Refresh button, were it not disabled
    await settle();
    expect(asked).toEqual(['k1']);

    ran(record({ msg_id: 'm1', status: 'ok' }));
    expect(asked).toEqual(['k1']); // after the settling delay, in case another cell starts
    await settle();
    expect(asked).toEqual(['k1', 'k1']);
    await answer(reply('k1', ['b']));
    expect(variables.reply?.variables?.map(v => v.name)).toEqual(['b']);

    variables.active = false;
    ran(record({ msg_id: 'm2', status: 'ok' }));
    await settle();
    expect(asked).toEqual(['k1', 'k1']);
    variables.active = true;
    expect(asked).toEqual(['k1', 'k1', 'k1']);
    variables.dispose();
  });

  it('a cell that starts within the settling delay puts the fetch off until it ends', async () => {
    const { model, ran } = fakeModel('k1');
    const { current } = fakeCurrent(model);
    const { manager, asked, answer } = fakeManager();
    const variables = new VariablesModel(current, manager);
    variables.active = true;
    await answer(reply('k1', []));
    ran(record({ msg_id: 'm1', status: 'ok' }));
    ran(record({ msg_id: 'm2', status: 'running' }));
    await settle();
    expect(asked).toEqual(['k1']);
    ran(record({ msg_id: 'm2', status: 'ok' }));
    await settle();
    expect(asked).toEqual(['k1', 'k1']);
    variables.dispose();
  });

  it('keeps the server’s reason when the kernel has no hook, and tries again once it has one', async () => {
    const { model, state } = fakeModel('k1');
    const { current } = fakeCurrent(model);
    const { manager, asked, answer } = fakeManager();
    const variables = new VariablesModel(current, manager);
    variables.active = true;
    const conflict = new ServerConnection.ResponseError(
      new Response('{}', { status: 409 }),
      'Listing variables needs the kernel hook, which IPython kernels only have'
    );
    await answer(conflict);
    expect(variables.reply).toBeNull();
    expect(variables.error).toEqual({ status: 409, message: conflict.message });
    state({ hook: 'loading' });
    await settle();
    expect(asked).toEqual(['k1', 'k1']);
    await answer(reply('k1', ['a']));
    expect(variables.error).toBeNull();
    state({ hook: 'loading' }); // the same state again: nothing new to fetch
    await settle();
    expect(asked).toEqual(['k1', 'k1']);
    variables.dispose();
  });

  it('a reply for a kernel no longer current is dropped; the new kernel is fetched', async () => {
    const first = fakeModel('k1');
    const second = fakeModel('k2');
    const { current, switchTo } = fakeCurrent(first.model);
    const { manager, asked, answer } = fakeManager();
    const variables = new VariablesModel(current, manager);
    variables.active = true;
    switchTo(second.model);
    await answer(reply('k1', ['old']));
    expect(variables.reply).toBeNull();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(asked).toEqual(['k1', 'k2']);
    await answer(reply('k2', ['new']));
    expect(variables.reply?.kernel_id).toBe('k2');
    switchTo(null);
    expect(variables.reply).toBeNull();
    expect(variables.hasKernel).toBe(false);
    variables.dispose();
  });

  it('a request made while one is in flight is made once after it', async () => {
    const { model } = fakeModel('k1');
    const { current } = fakeCurrent(model);
    const { manager, asked, answer } = fakeManager();
    const variables = new VariablesModel(current, manager);
    variables.active = true;
    void variables.refresh();
    void variables.refresh();
    expect(asked).toEqual(['k1']);
    await answer(reply('k1', ['a']));
    expect(asked).toEqual(['k1', 'k1']);
    await answer(reply('k1', ['b']));
    expect(variables.reply?.variables?.map(v => v.name)).toEqual(['b']);
    variables.dispose();
  });
});
