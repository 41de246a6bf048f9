/**
 * The read model end to end: text typed through the official y-websocket client is searchable
 * within a second, only by those who may read the thread; the thread's projected JSON, pages,
 * the dashboard and the workspace catalog.
 */
import { describe, expect } from 'vitest';
import { newId, type CatalogThread } from '@caucus/schema';
import { one } from '../governance/support.js';
import { synced, until } from '../support/providers.js';
import { it } from '../support/e2e.js';
import { addMember, api, createThread, signup, type TestServer, type TestUser } from '../support/server.js';
import { whenProjected } from './support.js';
import { threadMessage } from '../support/messages.js';

interface Listed {
  id: string;
  title: string;
  status: string;
  match?: { field: string; messageId: string | null; snippet: string };
}
interface Page {
  threads: Listed[];
  nextCursor: string | null;
}

async function search(
  ts: TestServer,
  user: TestUser,
  query: string,
): Promise<{ status: number; body: Page }> {
  return api<Page>(ts.url, 'GET', `/api/threads?${query}`, { token: user.accessToken });
}

describe('full-text search, end to end', () => {
  it('finds text typed through the official y-websocket client within a second; a non-member never', async ({
    ts,
    owner,
    viewer,
    outsider,
    connect,
  }) => {
    const threadId = await createThread(ts.url, owner, owner.workspaceId, 'Planning');
    // The outsider has a thread with the same words in a workspace of their own.
    const theirs = await createThread(ts.url, outsider, outsider.workspaceId, 'Flamingo budget of my own');
    const writer = connect(owner, `thread:${threadId}`);
    await synced(writer);
    await until(writer.doc, () => writer.doc.getMap('meta').get('title') === 'Planning');

    const typedAt = performance.now();
    const body = writer.doc.getText('body');
    for (const ch of 'We need a flamingo budget for Q3.') body.insert(body.length, ch);
    writer.doc.getArray('messages').push([threadMessage('the zebra crossing is approved', owner.id)]);
    const found = async () =>
      (await search(ts, owner, 'q=flamingo')).body.threads.some((t) => t.id === threadId) &&
      (await search(ts, owner, 'q=zebra')).body.threads.some((t) => t.id === threadId);
    await whenProjected(ts.server, threadId, found, 1000);
    expect(performance.now() - typedAt).toBeLessThan(1000);

    const hit = (await search(ts, owner, `workspaceId=${owner.workspaceId}&q=flamingo`)).body.threads;
    expect(hit).toMatchObject([{ id: threadId, match: { field: 'body' } }]);
    expect(hit[0]?.match?.snippet).toContain('<mark>flamingo</mark>');
    const inMessage = (await search(ts, owner, 'q=zebra')).body.threads;
    expect(inMessage).toMatchObject([
      { id: threadId, match: { field: 'message', snippet: 'the <mark>zebra</mark> crossing is approved' } },
    ]);
    // A member with the weakest role reads it.
    expect((await search(ts, viewer, 'q=flamingo')).body.threads.map((t) => t.id)).toEqual([threadId]);

    // A non-member: their own thread only, never ours, whichever way they ask.
    const outsiders = await search(ts, outsider, 'q=flamingo');
    expect(outsiders.body.threads.map((t) => t.id)).toEqual([theirs]);
    expect((await search(ts, outsider, 'q=zebra')).body.threads).toEqual([]);
    expect((await search(ts, outsider, `workspaceId=${owner.workspaceId}&q=flamingo`)).status).toBe(404);
    expect(
      (await api(ts.url, 'GET', `/api/threads/${threadId}`, { token: outsider.accessToken })).status,
    ).toBe(404);

    // Removed from the workspace: not any more.
    const removed = await one(ts, owner, {
      type: 'member.remove',
      args: { workspaceId: owner.workspaceId, userId: viewer.id },
    });
    expect(removed.status).toBe('accepted');
    expect((await search(ts, viewer, 'q=flamingo')).body.threads).toEqual([]);
    await addMember(ts.url, owner, owner.workspaceId, viewer, 'viewer');
  });

  it('serves the projected thread as JSON', async ({ ts, owner, viewer, connect }) => {
    const threadId = await createThread(ts.url, owner, owner.workspaceId, 'Detail');
    const writer = connect(owner, `thread:${threadId}`);
    await synced(writer);
    writer.doc.getText('body').insert(0, 'notes');
    writer.doc
      .getArray('messages')
      .push([threadMessage('first', owner.id), threadMessage('second', owner.id)]);
    const read = () =>
      api<Record<string, unknown>>(ts.url, 'GET', `/api/threads/${threadId}`, { token: viewer.accessToken });
    await whenProjected(ts.server, threadId, async () => (await read()).body.messageCount === 2, 5000);
    const { body } = await read();
    expect(body).toMatchObject({
      id: threadId,
      workspaceId: owner.workspaceId,
      title: 'Detail',
      status: 'active',
      body: 'notes',
      messages: [
        { text: 'first', author: owner.id, editedAt: null },
        { text: 'second', author: owner.id },
      ],
      attachments: [],
      messageCount: 2,
    });
    expect(body.projectedSeq).toEqual(expect.any(Number));
  });

  it('pages with opaque cursors and refuses cursors it did not give out', async ({ ts, owner }) => {
    const ws = (
      await api<{ id: string }>(ts.url, 'POST', '/api/workspaces', {
        token: owner.accessToken,
        body: { name: 'Pages' },
      })
    ).body.id;
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add(await createThread(ts.url, owner, ws, `Paged ${i}`));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `workspaceId=${ws}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await search(ts, owner, query);
      expect(page.status).toBe(200);
      expect(page.body.threads.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.threads.map((t) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen)).toEqual(ids);
    expect(seen).toHaveLength(5);
    expect((await search(ts, owner, `workspaceId=${ws}&cursor=bm90IGEgY3Vyc29y`)).status).toBe(400);
    expect((await search(ts, owner, `workspaceId=${ws}&limit=0`)).status).toBe(400);
    expect((await search(ts, owner, `workspaceId=${ws}&limit=201`)).status).toBe(400);
  });
});

describe('the workspace catalog, through the official client', () => {
  it('lists threads with their last message, and follows archiving', async ({
    ts,
    owner,
    viewer,
    connect,
  }) => {
    const catalog = connect(viewer, `workspace:${owner.workspaceId}`);
    await synced(catalog);
    const threads = catalog.doc.getMap<CatalogThread>('threads');
    const threadId = await createThread(ts.url, owner, owner.workspaceId, 'Cataloged');
    await until(catalog.doc, () => threads.get(threadId)?.title === 'Cataloged');

    const writer = connect(owner, `thread:${threadId}`);
    await synced(writer);
    writer.doc.getArray('messages').push([threadMessage('latest news', owner.id)]);
    await until(catalog.doc, () => threads.get(threadId)?.lastMessage?.text === 'latest news');
    expect(threads.get(threadId)).toMatchObject({
      id: threadId,
      status: 'active',
      lastMessage: { author: owner.id },
    });

    const archived = await one(ts, owner, { type: 'thread.archive', args: { threadId } });
    expect(archived.status).toBe('accepted');
    await until(catalog.doc, () => threads.get(threadId)?.status === 'archived');
    // Governance's maps of the same document are untouched.
    expect(catalog.doc.getMap('members').get(viewer.id)).toMatchObject({ role: 'viewer' });
  });
});

describe('the dashboard', () => {
  it('counts threads, decisions, checkpoints, unread notifications and files of a workspace', async ({
    ts,
    owner,
    outsider,
  }) => {
    const ws = (
      await api<{ id: string }>(ts.url, 'POST', '/api/workspaces', {
        token: owner.accessToken,
        body: { name: 'Dash' },
      })
    ).body.id;
    const editor = await signup(ts.url, 'dash-editor');
    await addMember(ts.url, owner, ws, editor, 'editor');
    const a = await createThread(ts.url, owner, ws, 'A');
    const b = await createThread(ts.url, owner, ws, 'B');
    expect((await one(ts, owner, { type: 'thread.archive', args: { threadId: a } })).status).toBe('accepted');
    const proposed = await one(ts, owner, {
      type: 'decision.propose',
      args: { decisionId: newId(), threadId: b, title: 'Pick a vendor' },
    });
    expect(proposed.status).toBe('accepted');
    // An editor may only ask for an archive: a checkpoint waits for an approver.
    expect((await one(ts, editor, { type: 'thread.archive', args: { threadId: b } })).status).toBe(
      'awaiting-approval',
    );
    const res = await api<Record<string, unknown>>(ts.url, 'GET', `/api/dashboard?workspaceId=${ws}`, {
      token: owner.accessToken,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      workspaceId: ws,
      threads: { total: 2, active: 1, archived: 1 },
      decisions: { total: 1, byStatus: { open: 1, resolved: 0, deferred: 0 }, aging: { day: 1, week: 0 } },
      checkpoints: { pending: 1 },
      files: { count: 0, bytes: 0 },
    });
    const unread = (
      await api<unknown[] | { notifications: unknown[] }>(ts.url, 'GET', '/api/inbox?unread=1', {
        token: owner.accessToken,
      })
    ).body;
    expect((res.body.notifications as { unread: number }).unread).toBe(
      (Array.isArray(unread) ? unread : unread.notifications).length,
    );
    expect((res.body.notifications as { unread: number }).unread).toBeGreaterThan(0);
    expect(
      (await api(ts.url, 'GET', `/api/dashboard?workspaceId=${ws}`, { token: outsider.accessToken })).status,
    ).toBe(404);
    expect((await api(ts.url, 'GET', '/api/dashboard', { token: owner.accessToken })).status).toBe(400);
  });
});

describe('decisions', () => {
  it('page with opaque cursors, filtered by status and aging', async ({ ts, owner }) => {
    const ws = (
      await api<{ id: string }>(ts.url, 'POST', '/api/workspaces', {
        token: owner.accessToken,
        body: { name: 'Decide' },
      })
    ).body.id;
    const threadId = await createThread(ts.url, owner, ws, 'Decisions');
    const proposed = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const decisionId = newId();
      const verdict = await one(ts, owner, {
        type: 'decision.propose',
        args: { decisionId, threadId, title: `D${i}` },
      });
      expect(verdict.status).toBe('accepted');
      proposed.add(decisionId);
    }
    const list = (query: string) =>
      api<{ decisions: Array<{ id: string }>; nextCursor: string | null }>(
        ts.url,
        'GET',
        `/api/decisions?workspaceId=${ws}&${query}`,
        {
          token: owner.accessToken,
        },
      );
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(
        `status=open&aging=day&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      sizes.push(page.body.decisions.length);
      seen.push(...page.body.decisions.map((d) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(new Set(seen)).toEqual(proposed);
    // A full last page has no next one.
    expect((await list('limit=5')).body.nextCursor).toBeNull();
    expect((await list('status=resolved')).body).toEqual({ decisions: [], nextCursor: null });
    expect((await list('cursor=e30')).status).toBe(400);
  });
});
