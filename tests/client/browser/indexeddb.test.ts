/**
 * The browser store in real Chromium: y-indexeddb with its known faults handled (DESIGN §8,
 * issue 10) — documents outlive a reload offline, a mostly-read document's store stays bounded
 * (y-indexeddb #31), two views of a document are one store instance (#25), and a dropped
 * IndexedDB connection is survived by reopening (#44).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiToken, docUntil, nodeClient, online } from '../support.js';
import { createThread, signup, type TestUser } from '../../support/server.js';
import { load, startHarness, type Harness } from './harness.js';
import { pageClient, recordIdbConnections, storedRecords, type PageGlobals } from './page.js';

let h: Harness;
let user: TestUser;
let token: string;
beforeAll(async () => {
  h = await startHarness();
  user = await signup(h.server.url, 'browser');
  token = await apiToken(h.server.url, user);
}, 60_000);
afterAll(() => h?.stop());

const opts = (offline = false) => ({ url: h.server.url, token, user: user.id, offline });

/** Opens `doc` in the page's client (as `window.handle`), waits for the store, returns the body. */
async function openBody(page: Page, doc: string): Promise<string> {
  return page.evaluate(async (name) => {
    const g = globalThis as unknown as PageGlobals & { handle: ReturnType<PageGlobals['client']['open']> };
    g.handle = g.client.open(name);
    await g.handle.whenLoaded;
    return g.handle.doc.getText('body').toJSON();
  }, doc);
}

const type = (page: Page, text: string) =>
  page.evaluate((t) => {
    const g = globalThis as unknown as PageGlobals & { handle: ReturnType<PageGlobals['client']['open']> };
    const body = g.handle.doc.getText('body');
    body.insert(body.length, t);
  }, text);

const closeClient = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as PageGlobals).client.close());

/** The body of `doc` as the server has it, read by a Node client. */
async function serverBody(doc: string, until: (body: string) => boolean): Promise<string> {
  const client = nodeClient(h.server.url, user, token);
  try {
    await online(client);
    const handle = client.open(doc);
    await handle.whenSynced;
    const text = handle.doc.getText('body');
    await docUntil(handle.doc, () => until(text.toJSON()), `${doc} on the server`);
    return text.toJSON();
  } finally {
    await client.close();
  }
}

describe('IndexedDB in Chromium', () => {
  it('keeps what was written offline across a reload, and sends it once online', async () => {
    const doc = `thread:${await createThread(h.server.url, user)}`;
    const { context, page } = await h.context();
    await pageClient(page, opts(true));
    expect(await openBody(page, doc)).toBe('');
    await type(page, 'written on a train');
    await closeClient(page);

    await load(page);
    await pageClient(page, opts(true));
    expect(await openBody(page, doc)).toBe('written on a train');
    await page.evaluate(async () => {
      const { client } = globalThis as unknown as PageGlobals;
      client.connect();
      await client.flush();
    });
    expect(await serverBody(doc, (b) => b.length > 0)).toBe('written on a train');
    await context.close();
  });

  it('compacts a mostly-read document on every load: the store does not grow (y-indexeddb #31)', async () => {
    const doc = `thread:${await createThread(h.server.url, user)}`;
    const { context, page } = await h.context();
    const writer = nodeClient(h.server.url, user, token);
    const remote = writer.open(doc);
    await remote.whenSynced;
    const body = remote.doc.getText('body');
    for (let round = 1; round <= 5; round++) {
      // Someone else writes; this tab only reads, online, and receives each change.
      body.insert(body.length, `${round};`);
      await writer.flush();
      await pageClient(page, opts());
      await page.evaluate(async (name) => {
        const { client } = globalThis as unknown as PageGlobals;
        const handle = client.open(name);
        await handle.whenSynced;
        await client.flush();
      }, doc);
      await closeClient(page);
      await load(page);
      // Offline this time: only the store is read, and it holds one record after the load.
      await pageClient(page, opts(true));
      expect(await openBody(page, doc)).toBe(body.toJSON());
      expect(await storedRecords(page, doc)).toBe(1);
      await closeClient(page);
      await load(page);
    }
    await writer.close();
    await context.close();
  });

  it('stores each edit once however many views hold the document, and refuses a second store in the tab (#25)', async () => {
    const doc = `thread:${await createThread(h.server.url, user)}`;
    const threadId = doc.slice('thread:'.length);
    const { context, page } = await h.context();
    await pageClient(page, opts(true));
    expect(await openBody(page, doc)).toBe('');
    await type(page, 'first');
    await closeClient(page);
    await load(page);
    await pageClient(page, opts(true));
    const refusal = await page.evaluate(
      async ({ name, id, o }) => {
        const g = globalThis as unknown as PageGlobals;
        const views = [g.client.open(name), g.client.open(name), g.client.thread(id)];
        await Promise.all(views.map((v) => v.whenLoaded));
        const docs = new Set(views.map((v) => v.doc));
        // A second client of the same store in this tab would be a second y-indexeddb instance.
        const other = g.caucus.createClient({
          url: o.url,
          auth: g.caucus.staticToken(o.token),
          storage: g.caucus.indexedDbStorage(),
          offline: true,
        });
        let code: unknown = null;
        try {
          other.open(name);
        } catch (err) {
          code = (err as { code?: unknown }).code;
        }
        await other.close();
        views[0]?.doc.getText('body').insert(5, ' edit');
        return { docs: docs.size, code };
      },
      { name: doc, id: threadId, o: opts(true) },
    );
    expect(refusal).toEqual({ docs: 1, code: 'doc-already-open' });
    await closeClient(page);
    // The load compacted the store to one record; the edit made through three views added one.
    expect(await storedRecords(page, doc)).toBe(2);
    await context.close();
  });

  it('reopens a dropped IndexedDB connection and loses no edit (#44)', async () => {
    const doc = `thread:${await createThread(h.server.url, user)}`;
    const { context, page } = await h.context();
    await recordIdbConnections(page);
    await load(page);
    await pageClient(page, opts(true));
    expect(await openBody(page, doc)).toBe('');
    await type(page, 'before;');
    await page.evaluate(async () => {
      const g = globalThis as unknown as PageGlobals;
      await g.client.storage.meta.set('probe', 'one');
      // What Safari does to an idle page: every connection of the store goes away.
      for (const { db } of g.idbConnections ?? []) db.close();
    });
    await type(page, 'after;');
    await type(page, 'again;');
    const meta = await page.evaluate(async () => {
      const g = globalThis as unknown as PageGlobals;
      await g.client.storage.meta.set('probe', 'two');
      return g.client.storage.meta.get('probe');
    });
    expect(meta).toBe('two');
    await closeClient(page);
    await load(page);
    await pageClient(page, opts(true));
    expect(await openBody(page, doc)).toBe('before;after;again;');
    await context.close();
  });
});
