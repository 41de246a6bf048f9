/**
 * Private threads and direct conversations through the client library, against a real server:
 * a private thread reaches its members' catalogs and nobody else's; a conversation opened again,
 * from either side, is one thread — named at once from the catalog; and one opened offline
 * follows the thread the verdict names when someone else opened it first.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  attachOutbox,
  createPrivateThread,
  memoryOutboxStore,
  openConversation,
  type CaucusClient,
  type InboxView,
  type Outbox,
} from '@caucus/client';
import { newId, type ThreadId } from '@caucus/schema';
import {
  addMember,
  api,
  signup,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server.js';
import { apiToken, nodeClient, online, waitFor } from './support.js';

const TIMEOUT_MS = 90_000;

let server: TestServer;
let ada: TestUser;
let bob: TestUser;
let cat: TestUser;
const clients: CaucusClient[] = [];

/** A client with its outbox (sent on `flush()` only) and the user's own inbox open. */
async function connect(user: TestUser): Promise<{ client: CaucusClient; outbox: Outbox; inbox: InboxView }> {
  const client = nodeClient(server.url, user, await apiToken(server.url, user));
  clients.push(client);
  const outbox = await attachOutbox(client, { store: memoryOutboxStore(), background: false });
  const inbox = client.inbox(user.id);
  const workspace = client.workspace(ada.workspaceId);
  await Promise.all([inbox.whenSynced, workspace.whenSynced]);
  await client.user();
  return { client, outbox, inbox };
}

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

async function threadIds(user: TestUser): Promise<string[]> {
  const res = await api<{ threads: Array<{ id: string }> }>(server.url, 'GET', '/api/threads', {
    token: user.accessToken,
  });
  expect(res.status).toBe(200);
  return res.body.threads.map((t) => t.id);
}

beforeAll(async () => {
  server = await startTestServer();
  [ada, bob, cat] = await Promise.all([
    signup(server.url, 'ada'),
    signup(server.url, 'bob'),
    signup(server.url, 'cat'),
  ]);
  await addMember(server.url, ada, ada.workspaceId, bob, 'editor');
  await addMember(server.url, ada, ada.workspaceId, cat, 'editor');
}, TIMEOUT_MS);

afterAll(async () => {
  for (const client of clients) await client.close();
  await server.stop();
});

it(
  'a private thread reaches its members’ catalogs only',
  async () => {
    const [a, b, c] = await Promise.all([connect(ada), connect(bob), connect(cat)]);
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
    expect(await threadIds(bob)).toContain(created.threadId);
    expect(await threadIds(cat)).not.toContain(created.threadId);
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
  async () => {
    const [a, b] = await Promise.all([connect(ada), connect(bob)]);
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
  async () => {
    const a = await connect(ada);
    const port = Number(new URL(server.url).port);
    await server.stop({ keepData: true });
    await waitFor(a.client.status, (s) => s.connection !== 'online', 'ada offline');

    const offline = await openConversation(a.outbox, { workspaceId: ada.workspaceId, userIds: [cat.id] });
    expect(offline.known).toBe('new');
    expect(offline.prediction).toMatchObject({ status: 'accepted', result: { existed: false } });
    expect(await a.outbox.flush()).toMatchObject({ remaining: 1, error: { code: 'network' } });
    // Again offline: the thread the queued one will create.
    const twice = await openConversation(a.outbox, { workspaceId: ada.workspaceId, userIds: [cat.id] });
    expect(twice.threadId).toBe(offline.threadId);

    server = await startTestServer({ dataDir: server.dataDir, port });
    // Meanwhile cat opened it from her side.
    const catsThread = newId<ThreadId>();
    const opened = await api<{ results: Array<{ status: string; result: { threadId: string } }> }>(
      server.url,
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
