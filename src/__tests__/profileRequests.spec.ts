import { Signal } from '@lumino/signaling';

import { IProfileResult, LineProfileRequests } from '../lines/profileRequests';
import { IExecutionRecord, ILineProfile } from '../model/types';
import { IKernelMemoryModel, IMemoryUsageManager } from '../tokens';
import { record } from './fixtures';

const PROFILE: ILineProfile = {
  error: null,
  backend: 'settrace',
  events: 3,
  duration: 0.01,
  overhead: 0.0001,
  lines_left_out: 0,
  cells: []
};

/** A kernel model holding `records`, whose `changed` the test emits. */
function fakeModel(records: IExecutionRecord[]) {
  const model = {
    kernelId: 'k1',
    executions: new Map(records.map(r => [r.msg_id, r])),
    executionsChanged: null as unknown as Signal<object, IExecutionRecord[]>
  };
  // Sent by the model itself, as the real one's.
  model.executionsChanged = new Signal<object, IExecutionRecord[]>(model);
  const changed = (...next: IExecutionRecord[]) => {
    next.forEach(r => model.executions.set(r.msg_id, r));
    model.executionsChanged.emit(next);
  };
  return { model: model as unknown as IKernelMemoryModel, changed };
}

function fakeManager(model: IKernelMemoryModel) {
  const calls: string[] = [];
  const reply = { kernel_id: 'k1', line_profile_armed: null, line_profile_backend: 'settrace', pending: false };
  const manager = {
    modelFor: () => model,
    armLineProfile: async (_: string, cellId: string | null) => {
      calls.push(`arm ${cellId}`);
      return { ...reply, line_profile_armed: cellId ?? '' };
    },
    disarmLineProfile: async () => {
      calls.push('disarm');
      return reply;
    }
  };
  return { manager: manager as unknown as IMemoryUsageManager, calls };
}

describe('LineProfileRequests', () => {
  it('tells once of the profiled run asked for, not of a profile seen before', async () => {
    const old = record({ msg_id: 'old', line_profile: PROFILE });
    const { model, changed } = fakeModel([old]);
    const { manager, calls } = fakeManager(model);
    const requests = new LineProfileRequests(manager);
    const seen: IProfileResult[] = [];
    requests.finished.connect((_, result) => seen.push(result));

    expect((await requests.arm('k1', 'c1')).line_profile_armed).toBe('c1');
    changed(old, record({ msg_id: 'running', status: 'running', line_profile: null }));
    changed(record({ msg_id: 'other', line_profile: null }));
    expect(seen).toEqual([]);
    const profiled = record({ msg_id: 'new', line_profile: PROFILE });
    changed(profiled);
    changed({ ...profiled, seq: 2 });
    expect(seen).toEqual([{ kernelId: 'k1', record: profiled }]);
    expect(calls).toEqual(['arm c1']);
    requests.dispose();
  });

  it('tells nothing once cancelled, or disposed', async () => {
    const { model, changed } = fakeModel([]);
    const { manager, calls } = fakeManager(model);
    const requests = new LineProfileRequests(manager);
    const seen: IProfileResult[] = [];
    requests.finished.connect((_, result) => seen.push(result));
    await requests.arm('k1', null);
    await requests.cancel('k1');
    changed(record({ msg_id: 'a', line_profile: PROFILE }));
    await requests.arm('k1', 'c1');
    requests.dispose();
    changed(record({ msg_id: 'b', line_profile: PROFILE }));
    expect(seen).toEqual([]);
    expect(calls).toEqual(['arm null', 'disarm', 'arm c1']);
  });
});
