import { ServerConnection } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';

import { checkServerExtension, ENABLE_COMMAND, serverMissingMessage } from '../serverCheck';
import { IMemoryUsageService } from '../tokens';

// apputils pulls in ES modules Jest does not load; the check only needs its notifications.
const mockWarnings: string[] = [];
jest.mock('@jupyterlab/apputils', () => ({
  Clipboard: { copyToSystem: () => undefined },
  Notification: { warning: (message: string) => mockWarnings.push(message) }
}));

const trans = nullTranslator.load('jupyterlab_memory_usage');

describe('serverMissingMessage', () => {
  it('says the extension is not enabled on a 404, with the command in a toast’s 140 characters', () => {
    const notFound = new ServerConnection.ResponseError(new Response('', { status: 404 }));
    const message = serverMissingMessage(notFound, trans);
    expect(message).toContain('is not enabled');
    expect(message.indexOf(ENABLE_COMMAND) + ENABLE_COMMAND.length).toBeLessThanOrEqual(140);
  });

  it('says it failed, and why, on any other error', () => {
    const message = serverMissingMessage(new Error('Failed to fetch'), trans);
    expect(message).toContain('failed');
    expect(message).toContain('(error: Failed to fetch)');
  });
});

describe('checkServerExtension', () => {
  const answering = (kernels: () => Promise<unknown>) =>
    ({ kernels } as unknown as IMemoryUsageService);

  beforeEach(() => {
    mockWarnings.length = 0;
  });

  it('says nothing when the server extension answers', async () => {
    await checkServerExtension(answering(async () => ({ kernels: [] })), trans, async () => true);
    expect(mockWarnings).toEqual([]);
  });

  it('warns when it does not, unless the settings say not to', async () => {
    const failing = answering(async () => {
      throw new Error('Failed to fetch');
    });
    await checkServerExtension(failing, trans, async () => false);
    expect(mockWarnings).toEqual([]);
    await checkServerExtension(failing, trans, async () => true);
    expect(mockWarnings).toHaveLength(1);
    expect(mockWarnings[0]).toContain(ENABLE_COMMAND);
  });
});
