/**
 * One connection for all tabs (`sharedConnection: true`, issue 12 "Multi-tab") in Chromium: two
 * tabs of one origin, one WebSocket on the server; the tabs edit together, a document only the
 * follower opened syncs through the leader, and when the leading tab closes the other takes over
 * within a second and keeps syncing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiToken, docUntil, nodeClient, online } from '../support.js';
import { health } from '../../sync/mux-support.js';
import { api, createThread, signup, type TestUser } from '../../support/server.js';
import { startHarness, type Harness } from './harness.js';
import { pageClient, type PageGlobals } from './page.js';

let h: Harness;
let user: TestUser;
let token: string;
beforeAll(async () => {
  h = await startHarness();
  user = await signup(h.server.url, 'tabs');
  token = await apiToken(h.server.url, user);
}, 60_000);
afterAll(() => h?.stop());

type Handles = PageGlobals & { handles: Map<string, ReturnType<PageGlobals['client']['open']>> };

function open(page: Page, doc: string): Promise<void> {
  return page.evaluate((name) => {
    const g = globalThis as unknown as Handles;
    g.handles ??= new Map();
    g.handles.set(name, g.client.open(name));
  }, doc);
}

const append = (page: Page, doc: string, text: string) =>
  page.evaluate(
    ({ name, t }) => {
      const body = (globalThis as unknown as Handles).handles.get(name)?.doc.getText('body');
      body?.insert(body.length, t);
    },
    { name: doc, t: text },
  );

/** Resolves once the page's copy of `doc` contains `text`. */
const sees = (page: Page, doc: string, text: string) =>
  page.evaluate(
    ({ name, t }) =>
      new Promise<void>((resolve) => {
        const handle = (globalThis as unknown as Handles).handles.get(name);
        if (!handle) throw new Error(`${name} is not open`);
        const check = () => handle.doc.getText('body').toJSON().includes(t);
        if (check()) return resolve();
        const off = handle.onChange(() => {
          if (!check()) return;
          off();
          resolve();
        });
      }),
    { name: doc, t: text },
  );

const role = (page: Page) =>
  page.evaluate(() => {
    const { client } = globalThis as unknown as PageGlobals;
    return { leads: client.leads, connection: client.status.current.connection };
  });

/** Resolves once the page's client leads and is online. */
const leadsOnline = (page: Page) =>
  page.waitForFunction(() => {
    const { client } = globalThis as unknown as PageGlobals;
    return client.leads && client.status.current.connection === 'online';
  });

/** The server's socket count once it is `n` (a closed tab's socket takes a moment to be noticed). */
async function socketsBecome(n: number): Promise<number> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const { sockets } = await health(h.server.url);
    if (sockets === n || Date.now() > deadline) return sockets;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('two tabs share one WebSocket; when the leading tab closes the other takes over within a second', async () => {
  const shared = `thread:${await createThread(h.server.url, user)}`;
  const followerOnly = `thread:${await createThread(h.server.url, user)}`;
  const options = { url: h.server.url, token, user: user.id, sharedConnection: true };
  const { context, page: a } = await h.context();
  await pageClient(a, options);
  await leadsOnline(a);
  const b = await h.tab(context);
  await pageClient(b, options);
  await open(a, shared);
  await open(b, shared);
  await open(b, followerOnly);
  await b.waitForFunction(
    () => (globalThis as unknown as PageGlobals).client.status.current.connection === 'online',
  );
  expect(await role(a)).toEqual({ leads: true, connection: 'online' });
  expect(await role(b)).toEqual({ leads: false, connection: 'online' });

  await append(a, shared, 'from A;');
  await sees(b, shared, 'from A;');
  await append(b, shared, 'from B;');
  await sees(a, shared, 'from B;');
  await append(b, followerOnly, 'only B has this open;');
  await b.evaluate(async (name) => {
    await (globalThis as unknown as Handles).handles.get(name)?.whenSynced;
  }, followerOnly);
  expect(await socketsBecome(1)).toBe(1);

  // The server has both documents, the follower's edits included.
  const reader = nodeClient(h.server.url, user, token);
  await online(reader);
  const readShared = reader.open(shared);
  const readOnly = reader.open(followerOnly);
  await docUntil(readShared.doc, () => readShared.doc.getText('body').toJSON().includes('from B;'));
  await docUntil(readOnly.doc, () => readOnly.doc.getText('body').toJSON() === 'only B has this open;');

  const closedAt = Date.now();
  await a.close();
  await leadsOnline(b);
  const handoverMs = Date.now() - closedAt;
  expect(handoverMs).toBeLessThan(1000);
  // The reader's socket and B's own: A's is gone.
  expect(await socketsBecome(2)).toBe(2);

  // B keeps syncing both ways on its own socket.
  readShared.doc.getText('body').insert(0, 'from Node;');
  await sees(b, shared, 'from Node;');
  await append(b, shared, 'B leads;');
  await docUntil(readShared.doc, () => readShared.doc.getText('body').toJSON().includes('B leads;'));
  await append(b, followerOnly, ' still;');
  await docUntil(readOnly.doc, () => readOnly.doc.getText('body').toJSON().endsWith(' still;'));
  await reader.close();
  await context.close();
});

/** Resolves once the page's client counts no unsynced changes; rejects with the count after 5 s. */
const settles = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const { client } = globalThis as unknown as PageGlobals;
        const timer = setTimeout(() => reject(new Error(`${client.status.current.unsynced} unsynced`)), 5000);
        const check = () => {
          if (client.status.current.unsynced !== 0) return;
          clearTimeout(timer);
          off();
          resolve(0);
        };
        const off = client.status.subscribe(check);
        check();
      }),
  );

it('deletions in either tab, and through the server, leave neither tab counting unsynced changes', async () => {
  const doc = `thread:${await createThread(h.server.url, user)}`;
  const options = { url: h.server.url, token, user: user.id, sharedConnection: true };
  const { context, page: a } = await h.context();
  await pageClient(a, options);
  await leadsOnline(a);
  const b = await h.tab(context);
  await pageClient(b, options);
  await open(a, doc);
  await open(b, doc);
  await append(b, doc, 'Hello from tab two.');
  await sees(a, doc, 'Hello from tab two.');
  expect([await settles(a), await settles(b)]).toEqual([0, 0]);
  // A deletion moves no clock: the follower learns from the leader that the server has it.
  await b.evaluate(
    (name) => (globalThis as unknown as Handles).handles.get(name)?.doc.getText('body').delete(0, 6),
    doc,
  );
  await sees(a, doc, 'from tab two.');
  expect([await settles(a), await settles(b)]).toEqual([0, 0]);
  // Another client's deletion reaches the follower through the leader: the server's, not unsynced.
  const reader = nodeClient(h.server.url, user, token);
  await online(reader);
  const other = reader.open(doc);
  await docUntil(other.doc, () => other.doc.getText('body').toJSON() === 'from tab two.');
  other.doc.getText('body').delete(0, 5);
  await sees(b, doc, 'tab two.');
  await b.waitForFunction(
    (name) =>
      (globalThis as unknown as Handles).handles.get(name)?.doc.getText('body').toJSON() === 'tab two.',
    doc,
  );
  expect([await settles(a), await settles(b)]).toEqual([0, 0]);
  await reader.close();
  await context.close();
});

it('the outbox is sent by the leading tab only; a follower gets its verdict from the shared store', async () => {
  const options = { url: h.server.url, token, user: user.id, sharedConnection: true };
  const { context, page: a } = await h.context();
  const b = await h.tab(context);
  const posts = new Map<Page, number>([
    [a, 0],
    [b, 0],
  ]);
  for (const page of [a, b])
    page.on('request', (req) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/intents')
        posts.set(page, (posts.get(page) ?? 0) + 1);
    });
  const attach = (page: Page) =>
    page.evaluate(async () => {
      const g = globalThis as unknown as PageGlobals & { outbox: unknown };
      g.outbox = await g.caucus.attachOutbox(g.client, { store: g.caucus.indexedDbOutboxStore() });
    });
  await pageClient(a, options);
  await leadsOnline(a);
  await attach(a);
  await pageClient(b, options);
  await attach(b);
  expect(await role(b)).toMatchObject({ leads: false });

  const threadId = `tab-thread-${Date.now()}`;
  const verdict = await b.evaluate(
    async ({ id, workspaceId }) => {
      const g = globalThis as unknown as PageGlobals & {
        outbox: Awaited<ReturnType<PageGlobals['caucus']['attachOutbox']>>;
      };
      const submitted = g.outbox.submit('thread.create', {
        threadId: id,
        workspaceId,
        title: 'Queued in tab B',
      });
      await submitted.queued;
      const v = await submitted.verdict;
      await g.client.flush();
      return { status: v.status, outbox: g.outbox.current.pending.length };
    },
    { id: threadId, workspaceId: user.workspaceId },
  );
  expect(verdict).toEqual({ status: 'accepted', outbox: 0 });
  expect(posts.get(a)).toBeGreaterThanOrEqual(1);
  expect(posts.get(b)).toBe(0);
  const thread = await api<{ title: string }>(h.server.url, 'GET', `/api/threads/${threadId}`, {
    token: user.accessToken,
  });
  expect(thread.body.title).toBe('Queued in tab B');
  await context.close();
});
