/**
 * Private threads and direct conversations through the client library, against a real server:
 * a private thread reaches its members' catalogs and nobody else's; a conversation opened again,
 * from either side, is one thread — named at once from the catalog; and one opened offline
 * follows the thread the verdict names when someone else opened it first.
 */
import { expect } from 'vitest';
import {
  attachOutbox,
  createPrivateThread,
  memoryOutboxStore,
  openConversation,
  type InboxView,
} from '@caucus/client';
import { newId, type ThreadId } from '@caucus/schema';
import { api, type TestServer, type TestUser, signupMember } from '../support/server.js';
import { apiToken, it as clientTest, online, waitFor } from './support.js';

const TIMEOUT_MS = 90_000;

/**
 * The fixture's owner (ada) and editor (bob), cat (an editor of ada's workspace too), and `open`:
 * a client with its outbox (sent on `flush()` only) and the user's own inbox open.
 */
const it = clientTest
  .extend('cat', { scope: 'file' }, async ({ ts, owner }) => {
    const cat = await signupMember(ts.url, owner, 'cat', 'editor');
    return cat;
  })
  .extend('open', { scope: 'file' }, ({ ts, owner, newClient }) => async (user: TestUser) => {
    const client = newClient(user, await apiToken(ts.url, user));
    const outbox = await attachOutbox(client, { store: memoryOutboxStore(), background: false });
    const inbox = client.inbox(user.id);
    const workspace = client.workspace(owner.workspaceId);
    await Promise.all([inbox.whenSynced, workspace.whenSynced]);
    await client.user();
    return { client, outbox, inbox };
  });

/** Resolves once the inbox's private catalog satisfies `check`. */
function catalogUntil(inbox: InboxView, check: (ids: string[]) => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ids = () => inbox.privateThreads().map((t) => t.id);
    if (check(ids())) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(ids())}`));
    }, 30_000);
    const off = inbox.subscribe(() => {
      if (!check(ids())) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

async function threadIds(ts: TestServer, user: TestUser): Promise<string[]> {
  const res = await api<{ threads: Array<{ id: string }> }>(ts.url, 'GET', '/api/threads', {
    token: user.accessToken,
  });
  expect(res.status).toBe(200);
  return res.body.threads.map((t) => t.id);
}

it(
  'a private thread reaches its members’ catalogs only',
  async ({ ts, owner: ada, editor: bob, cat, open }) => {
    const [a, b, c] = await Promise.all([open(ada), open(bob), open(cat)]);
    const created = createPrivateThread(a.outbox, {
      workspaceId: ada.workspaceId,
      title: 'Salary review',
      memberIds: [bob.id],
    });
    await created.queued;
    expect(a.outbox.current.optimistic.threadMembers(created.threadId)).toEqual([ada.id, bob.id].sort());
    await a.outbox.flush();
    expect(await created.verdict).toMatchObject({ status: 'accepted' });
    await catalogUntil(b.inbox, (ids) => ids.includes(created.threadId), 'bob’s catalog');
    await catalogUntil(a.inbox, (ids) => ids.includes(created.threadId), 'ada’s catalog');
    expect(b.inbox.privateThreads().find((t) => t.id === created.threadId)).toMatchObject({
      title: 'Salary review',
      members: [ada.id, bob.id].sort(),
      conversation: false,
    });
    expect(await threadIds(ts, bob)).toContain(created.threadId);
    expect(await threadIds(ts, cat)).not.toContain(created.threadId);
    expect(c.inbox.privateThreads().map((t) => t.id)).not.toContain(created.threadId);
    expect(
      c.client
        .workspace(ada.workspaceId)
        .threads()
        .map((t) => t.id),
    ).not.toContain(created.threadId);
  },
  TIMEOUT_MS,
);

it(
  'opening a conversation again, from either side, gives the one thread',
  async ({ owner: ada, editor: bob, open }) => {
    const [a, b] = await Promise.all([open(ada), open(bob)]);
    const first = await openConversation(a.outbox, { workspaceId: ada.workspaceId, userIds: [bob.id] });
    expect(first.known).toBe('new');
    await a.outbox.flush();
    const threadId = await first.thread;
    expect(threadId).toBe(first.threadId);

    // Once it is in the catalog the client names it at once, before the server answers.
    await catalogUntil(a.inbox, (ids) => ids.includes(threadId), 'the conversation in ada’s catalog');
    const again = await openConversation(a.outbox, { workspaceId: ada.workspaceId, userIds: [bob.id] });
    expect(again).toMatchObject({
      threadId,
      known: 'existing',
      prediction: { status: 'accepted', result: { threadId, existed: true } },
    });
    await a.outbox.flush();
    expect(await again.thread).toBe(threadId);

    const fromBob = await openConversation(b.outbox, { workspaceId: ada.workspaceId, userIds: [ada.id] });
    await b.outbox.flush();
    expect(await fromBob.thread).toBe(threadId);
    expect(await fromBob.verdict).toMatchObject({ status: 'accepted', result: { threadId, existed: true } });
  },
  TIMEOUT_MS,
);

it(
  'a conversation opened offline follows the thread the verdict names',
  async ({ ts, owner: ada, cat, open }) => {
    const a = await open(ada);
    await ts.stop({ keepData: true });
    await waitFor(a.client.status, (s) => s.connection !== 'online', 'ada offline');

    const offline = await openConversation(a.outbox, { workspaceId: ada.workspaceId, userIds: [cat.id] });
    expect(offline.known).toBe('new');
    expect(offline.prediction).toMatchObject({ status: 'accepted', result: { existed: false } });
    expect(await a.outbox.flush()).toMatchObject({ remaining: 1, error: { code: 'network' } });
    // Again offline: the thread the queued one will create.
    const twice = await openConversation(a.outbox, { workspaceId: ada.workspaceId, userIds: [cat.id] });
    expect(twice.threadId).toBe(offline.threadId);

    // The server again on its port and data, in the fixture's place (which stops it after the file).
    await ts.startAgain();
    // Meanwhile cat opened it from her side.
    const catsThread = newId<ThreadId>();
    const opened = await api<{ results: Array<{ status: string; result: { threadId: string } }> }>(
      ts.url,
      'POST',
      '/api/intents',
      {
        token: cat.accessToken,
        body: {
          intents: [
            {
              id: newId(),
              type: 'conversation.open',
              args: { threadId: catsThread, workspaceId: ada.workspaceId, userIds: [ada.id] },
            },
          ],
        },
      },
    );
    expect(opened.body.results[0]).toMatchObject({ status: 'accepted', result: { threadId: catsThread } });

    const report = await a.outbox.flush();
    expect(report).toMatchObject({ remaining: 0, error: null });
    expect(await offline.thread).toBe(catsThread);
    expect(await twice.thread).toBe(catsThread);
    await online(a.client);
    await catalogUntil(a.inbox, (ids) => ids.includes(catsThread), 'cat’s conversation in ada’s catalog');
    expect(a.inbox.privateThreads().map((t) => t.id)).not.toContain(offline.threadId);
    const later = await openConversation(a.outbox, { workspaceId: ada.workspaceId, userIds: [cat.id] });
    expect(later).toMatchObject({ threadId: catsThread, known: 'existing' });
    await a.outbox.discard(later.id);
  },
  TIMEOUT_MS,
);
