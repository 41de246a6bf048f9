/**
 * Governed state reaches open sync connections at once: role changes and removals made through
 * intents downgrade or close them, an archived thread turns read-only — and the published
 * documents follow, rebuilt from SQLite after a restart. The file's server is the e2e fixture's,
 * with an approver beside its owner; the restart test stops its server, so it runs one of its own.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect } from 'vitest';
import { CLOSE_CODES, decodeRefusal, newId, type WorkspaceMemberEntry } from '@caucus/schema';
import { test } from '../support/e2e.js';
import { nextClose, nextDenied, synced, until, type TestClient } from '../support/providers.js';
import {
  createThread,
  signup,
  startTestServer,
  type TestServer,
  type TestUser,
  signupMember,
} from '../support/server.js';
import { notified, one, open } from './support.js';
import { threadMessage } from '../support/messages.js';

/** 'approver', an approver of the owner's workspace. */
async function approverOf(ts: TestServer, owner: TestUser): Promise<TestUser> {
  const approver = await signupMember(ts.url, owner, 'approver', 'approver');
  return approver;
}

const it = test.extend('approver', { scope: 'file' }, ({ ts, owner }) => approverOf(ts, owner));

/** `client` once synced (a client of the fixture's `connect`, destroyed after the file). */
async function ready(client: TestClient): Promise<TestClient> {
  await synced(client);
  return client;
}

describe('governance reaches open connections', () => {
  it('member.setRole downgrades an open connection; member.remove closes it with 4403', async ({
    ts,
    owner,
    connect,
  }) => {
    const member = await signupMember(ts.url, owner, 'member', 'editor');
    const threadId = await createThread(ts.url, owner);
    const c = await ready(connect(member, `thread:${threadId}`));
    const catalog = await ready(connect(owner, `workspace:${owner.workspaceId}`));
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

  it('an archived thread turns read-only for open connections; restoring makes it writable', async ({
    ts,
    owner,
    approver,
    connect,
  }) => {
    const threadId = await createThread(ts.url, owner);
    const c = await ready(connect(owner, `thread:${threadId}`));
    const archived = await one(ts, approver, { type: 'thread.archive', args: { threadId } });
    expect(archived).toMatchObject({ status: 'accepted', result: { status: 'archived' } });
    const denied = nextDenied(c);
    c.doc.getMap('meta').set('intent', 'too late');
    expect(decodeRefusal(await denied)?.code).toBe('read-only');
    const restored = await one(ts, approver, { type: 'thread.restore', args: { threadId } });
    expect(restored.status).toBe('accepted');
    const watcher = await ready(connect(approver, `thread:${threadId}`));
    c.doc.getMap('meta').set('intent', 'writable again');
    await until(watcher.doc, () => watcher.doc.getMap('meta').get('intent') === 'writable again');
  });

  it('notifies members @mentioned in a thread message, through their inbox document', async ({
    ts,
    owner,
    approver,
    connect,
  }) => {
    const threadId = await createThread(ts.url, owner, owner.workspaceId, 'Planning');
    const inbox = await ready(connect(approver, `inbox:${approver.id}`));
    const writer = await ready(connect(owner, `thread:${threadId}`));
    writer.doc.getArray('messages').push([threadMessage(`@${approver.id} can you approve this?`, owner.id)]);
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
    // A server of its own (the test stops it and starts another on its data), with the owner and
    // approver the other tests take from the fixture.
    let ts = await startTestServer();
    const clients: TestClient[] = [];
    try {
      const owner = await signup(ts.url, 'owner');
      const approver = await approverOf(ts, owner);
      const threadId = await createThread(ts.url, owner);
      const decisionId = newId();
      await one(ts, owner, { type: 'decision.propose', args: { decisionId, threadId, title: 'Keep me' } });
      await one(ts, approver, { type: 'decision.defer', args: { decisionId, reason: 'next quarter' } });
      const dataDir = ts.dataDir;
      await ts.stop({ keepData: true });

      const sqlite = new Database(join(dataDir, 'caucus.db'));
      for (const doc of [
        `decision:${decisionId}`,
        `workspace:${owner.workspaceId}`,
        `inbox:${approver.id}`,
      ]) {
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
    } finally {
      for (const c of clients) c.destroy();
      await ts.stop();
    }
  });
});
