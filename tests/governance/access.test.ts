/**
 * Governed state reaches open sync connections at once: role changes and removals made through
 * intents downgrade or close them, an archived thread turns read-only — and the published
 * documents follow, rebuilt from SQLite after a restart.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, decodeRefusal, newId, type WorkspaceMemberEntry } from '@caucus/schema';
import { nextClose, nextDenied, until, type TestClient } from '../support/providers.js';
import {
  addMember,
  createThread,
  signup,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server.js';
import { notified, one, open } from './support.js';

let ts: TestServer;
let owner: TestUser;
let approver: TestUser;
const clients: TestClient[] = [];

beforeAll(async () => {
  ts = await startTestServer();
  owner = await signup(ts.url, 'owner');
  approver = await signup(ts.url, 'approver');
  await addMember(ts.url, owner, owner.workspaceId, approver, 'approver');
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await ts.stop();
});

function message(text: string, author: string): Y.Map<unknown> {
  const m = new Y.Map<unknown>();
  m.set('id', newId());
  m.set('author', author);
  m.set('text', text);
  m.set('at', Date.now());
  return m;
}

describe('governance reaches open connections', () => {
  it('member.setRole downgrades an open connection; member.remove closes it with 4403', async () => {
    const member = await signup(ts.url, 'member');
    await addMember(ts.url, owner, owner.workspaceId, member, 'editor');
    const threadId = await createThread(ts.url, owner);
    const c = await open(ts, member, `thread:${threadId}`, clients);
    const catalog = await open(ts, owner, `workspace:${owner.workspaceId}`, clients);
    const role = () => catalog.doc.getMap<WorkspaceMemberEntry>('members').get(member.id)?.role;
    await until(catalog.doc, () => role() === 'editor');

    const demoted = await one(ts, owner, {
      type: 'member.setRole',
      args: { workspaceId: owner.workspaceId, userId: member.id, role: 'viewer' },
      basis: { status: 'editor' },
    });
    expect(demoted.status).toBe('accepted');
    const denied = nextDenied(c);
    c.doc.getMap('meta').set('intent', 'after the demotion');
    expect(decodeRefusal(await denied)?.code).toBe('read-only');
    expect(c.provider.wsconnected).toBe(true);
    await until(catalog.doc, () => role() === 'viewer');

    const closed = nextClose(c);
    const removed = await one(ts, owner, {
      type: 'member.remove',
      args: { workspaceId: owner.workspaceId, userId: member.id },
    });
    expect(removed.status).toBe('accepted');
    expect((await closed).code).toBe(CLOSE_CODES.forbidden);
    await until(catalog.doc, () => role() === undefined);
  });

  it('an archived thread turns read-only for open connections; restoring makes it writable', async () => {
    const threadId = await createThread(ts.url, owner);
    const c = await open(ts, owner, `thread:${threadId}`, clients);
    const archived = await one(ts, approver, { type: 'thread.archive', args: { threadId } });
    expect(archived).toMatchObject({ status: 'accepted', result: { status: 'archived' } });
    const denied = nextDenied(c);
    c.doc.getMap('meta').set('intent', 'too late');
    expect(decodeRefusal(await denied)?.code).toBe('read-only');
    const restored = await one(ts, approver, { type: 'thread.restore', args: { threadId } });
    expect(restored.status).toBe('accepted');
    const watcher = await open(ts, approver, `thread:${threadId}`, clients);
    c.doc.getMap('meta').set('intent', 'writable again');
    await until(watcher.doc, () => watcher.doc.getMap('meta').get('intent') === 'writable again');
  });

  it('notifies members @mentioned in a thread message, through their inbox document', async () => {
    const threadId = await createThread(ts.url, owner, owner.workspaceId, 'Planning');
    const inbox = await open(ts, approver, `inbox:${approver.id}`, clients);
    const writer = await open(ts, owner, `thread:${threadId}`, clients);
    writer.doc.getArray('messages').push([message(`@${approver.id} can you approve this?`, owner.id)]);
    const n = await notified(inbox, (x) => x.title === 'owner mentioned you in “Planning”');
    expect(n).toMatchObject({
      kind: 'info',
      link: `/threads/${threadId}`,
      body: `@${approver.id} can you approve this?`,
    });
  });
});

describe('published documents after a restart', () => {
  it('are rebuilt from SQLite (the truth) even when their stored updates are gone', async () => {
    const threadId = await createThread(ts.url, owner);
    const decisionId = newId();
    await one(ts, owner, { type: 'decision.propose', args: { decisionId, threadId, title: 'Keep me' } });
    await one(ts, approver, { type: 'decision.defer', args: { decisionId, reason: 'next quarter' } });
    const dataDir = ts.dataDir;
    for (const c of clients.splice(0)) c.destroy();
    await ts.stop({ keepData: true });

    const sqlite = new Database(join(dataDir, 'caucus.db'));
    for (const doc of [`decision:${decisionId}`, `workspace:${owner.workspaceId}`, `inbox:${approver.id}`]) {
      sqlite.prepare('DELETE FROM doc_updates WHERE doc = ?').run(doc);
      sqlite.prepare('DELETE FROM doc_snapshots WHERE doc = ?').run(doc);
    }
    sqlite.close();

    ts = await startTestServer({ dataDir });
    const decision = await open(ts, owner, `decision:${decisionId}`, clients);
    expect(decision.doc.getMap('decision').toJSON()).toMatchObject({
      title: 'Keep me',
      status: 'deferred',
      deferReason: 'next quarter',
      version: 2,
    });
    expect(decision.doc.getArray('history').length).toBe(2);
    const catalog = await open(ts, owner, `workspace:${owner.workspaceId}`, clients);
    expect(catalog.doc.getMap('members').get(approver.id)).toMatchObject({ role: 'approver' });
    const inbox = await open(ts, approver, `inbox:${approver.id}`, clients);
    expect([...inbox.doc.getMap('notifications').values()].length).toBeGreaterThan(0);
  });
});
