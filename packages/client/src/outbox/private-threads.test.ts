import { expect, it } from 'vitest';
import type { IntentId, IntentInput, ThreadId, UserId, WorkspaceId } from '@caucus/schema';
import { fail, ok } from '../api/result.js';
import type { IntentResultAnswer } from '../api/shapes.js';
import { Outbox } from './outbox.js';
import { openConversation } from './private-threads.js';
import { memoryOutboxStore } from './store.js';

const ada = 'ada' as UserId;
const bob = 'bob' as UserId;
const ws = 'ws1' as WorkspaceId;

it('opens one conversation offline however often, and follows the thread the verdict names', async () => {
  let online = false;
  const sent: IntentInput[] = [];
  // Bob opened the conversation first, from his device: the server names his thread.
  const existing = 'bobs-thread' as ThreadId;
  const outbox = await Outbox.open({
    store: memoryOutboxStore(),
    actor: () => ada,
    send: (intents) => {
      if (!online) return Promise.resolve(fail({ code: 'network', message: 'offline', status: null }));
      sent.push(...intents);
      const results = intents.map((i): IntentResultAnswer => ({
        id: i.id as IntentId,
        status: 'accepted',
        result: { threadId: existing, existed: true },
      }));
      return Promise.resolve(ok({ results }));
    },
  });

  const first = await openConversation(outbox, { workspaceId: ws, userIds: [bob] });
  expect(first.known).toBe('new');
  expect(first.prediction).toMatchObject({ status: 'unknown' });
  // Again, the same people from the other side of the set: the same thread to show.
  const again = await openConversation(outbox, { workspaceId: ws, userIds: [bob, ada] });
  expect(again.threadId).toBe(first.threadId);
  expect(again.known).toBe('existing');
  expect(await outbox.flush()).toMatchObject({ remaining: 2, error: { code: 'network' } });

  online = true;
  const report = await outbox.flush();
  expect(report.remaining).toBe(0);
  expect(sent.map((i) => i.type)).toEqual(['conversation.open', 'conversation.open']);
  // Each intent carried a fresh id of its own; whoever awaited gets the server's thread.
  expect(new Set(sent.map((i) => (i.args as { threadId: string }).threadId)).size).toBe(2);
  await expect(first.thread).resolves.toBe(existing);
  await expect(again.thread).resolves.toBe(existing);

  // Later opens name the settled conversation at once.
  online = false;
  const later = await openConversation(outbox, { workspaceId: ws, userIds: [bob] });
  expect(later).toMatchObject({ threadId: existing, known: 'existing' });
  await outbox.close();
});
