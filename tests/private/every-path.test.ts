/**
 * A private thread cannot be found by anyone outside it, by any path (issue 18): list, detail,
 * search on a word of its title, body and messages, the catalog documents, the dashboard's counts,
 * the sync socket per document and multiplexed, decisions, checkpoints, notifications, files,
 * uploads, the audit log and intents — walked for an outsider of the workspace, a member (an
 * owner, even) who is not in the thread, and a member removed from it. Two members walk the same
 * probes and find it, so every probe can fail.
 */
import * as Y from 'yjs';
import { describe, expect } from 'vitest';
import { CLOSE_CODES, INBOX_ROOTS, newId, type InboxNotification } from '@caucus/schema';
import { test } from '../support/e2e.js';
import { MuxClient } from '../support/mux-client.js';
import { nextClose, until, type TestClient } from '../support/providers.js';
import { api, createThread, type TestServer, type TestUser, signupMember } from '../support/server.js';
import { pdfBytes, tusUpload } from '../support/uploads.js';
import { one, open } from '../governance/support.js';
import { expected, probe, type Counts, type Secret } from './probes.js';
import { threadMessage } from '../support/messages.js';

/**
 * With the fixture's owner (dana: creates the private thread), editor (alice: in the thread, then
 * removed) and outsider (olly: outside the workspace): bob (an approver, in the thread), carol (an
 * owner of the workspace, never in the thread), and `openDoc(user, docName)`, an official client,
 * synced, destroyed after the file.
 */
const it = test
  .extend('bob', { scope: 'file' }, async ({ ts, owner }) => {
    const bob = await signupMember(ts.url, owner, 'bob', 'approver');
    return bob;
  })
  .extend('carol', { scope: 'file' }, async ({ ts, owner }) => {
    const carol = await signupMember(ts.url, owner, 'carol', 'owner');
    return carol;
  })
  .extend('openDoc', { scope: 'file' }, ({ ts }, { onCleanup }) => {
    const clients: TestClient[] = [];
    onCleanup(() => {
      for (const c of clients) c.destroy();
    });
    return (user: TestUser, docName: string) => open(ts, user, docName, clients);
  });

/** Posts `text` as `author` on their client and waits until `watcher` has it (it is committed). */
async function post(author: TestClient, authorId: string, text: string, watcher: TestClient) {
  author.doc.getArray('messages').push([threadMessage(text, authorId)]);
  const has = () =>
    watcher.doc
      .getArray<Y.Map<unknown>>('messages')
      .toArray()
      .some((m) => m.get('text') === text);
  await until(watcher.doc, has);
}

async function settle(ts: TestServer) {
  await ts.server.governance.idle();
  await ts.server.readModel.flush();
  await ts.server.governance.idle();
}

async function inboxIds(ts: TestServer, user: TestUser): Promise<Set<string>> {
  const res = await api<{ notifications: InboxNotification[] }>(ts.url, 'GET', '/api/inbox', {
    token: user.accessToken,
  });
  return new Set(res.body.notifications.map((n) => n.id));
}

describe('a private thread, by every path', () => {
  it('is found by its members and by nobody else: outsider, member not in it, removed member', async ({
    ts,
    owner: dana,
    editor: alice,
    outsider: olly,
    bob,
    carol,
    openDoc,
  }) => {
    const ws = dana.workspaceId;
    await createThread(ts.url, dana, ws, 'Public plans');
    const before = await api<{
      threads: { total: number };
      decisions: { total: number };
      checkpoints: { pending: number };
      files: { count: number };
    }>(ts.url, 'GET', `/api/dashboard?workspaceId=${ws}`, { token: dana.accessToken });
    const baseline: Counts = {
      threads: before.body.threads.total,
      decisions: before.body.decisions.total,
      checkpoints: before.body.checkpoints.pending,
      files: before.body.files.count,
    };

    const created = await api<{ id: string; visibility: string }>(ts.url, 'POST', '/api/threads', {
      token: dana.accessToken,
      body: {
        workspaceId: ws,
        title: 'Zanzibar merger',
        visibility: 'private',
        memberIds: [bob.id, alice.id],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.visibility).toBe('private');
    const threadId = created.body.id;

    const danaThread = await openDoc(dana, `thread:${threadId}`);
    const bobThread = await openDoc(bob, `thread:${threadId}`);
    danaThread.doc.getText('body').insert(0, 'quokka notes');
    // A mention of someone outside the thread notifies nobody; one of a member does.
    await post(danaThread, dana.id, `@${carol.id} @${bob.id} wombat`, bobThread);

    const decisionId = newId();
    const proposed = await one(ts, bob, {
      type: 'decision.propose',
      args: { decisionId, threadId, title: 'Approve the capybara budget' },
    });
    expect(proposed.status).toBe('accepted');
    const archive = await one(ts, alice, { type: 'thread.archive', args: { threadId } });
    expect(archive.status).toBe('awaiting-approval');
    const checkpointId = archive.status === 'awaiting-approval' ? archive.checkpointId : '';
    const upload = await tusUpload(`${ts.url}/files/`, bob.accessToken, pdfBytes(2048), {
      filename: 'zanzibar.pdf',
      filetype: 'application/pdf',
      threadId,
    });

    // Alice, connected every way, is removed while connected.
    const aliceThread = await openDoc(alice, `thread:${threadId}`);
    const aliceDecision = await openDoc(alice, `decision:${decisionId}`);
    const aliceInbox = await openDoc(alice, `inbox:${alice.id}`);
    await until(aliceInbox.doc, () => aliceInbox.doc.getMap(INBOX_ROOTS.decisions).has(decisionId));
    expect(aliceInbox.doc.getMap(INBOX_ROOTS.threads).has(threadId)).toBe(true);
    const aliceMux = await MuxClient.open(ts.wsUrl, alice.accessToken);
    const subscribed = aliceMux.next((m) => m.type === 'subscribed' && m.doc === `decision:${decisionId}`);
    aliceMux.subscribe([`thread:${threadId}`, `decision:${decisionId}`]);
    await subscribed;
    await settle(ts);

    const closes = [nextClose(aliceThread), nextClose(aliceDecision)];
    const muxCloses = [
      aliceMux.nextClosed(`thread:${threadId}`),
      aliceMux.nextClosed(`decision:${decisionId}`),
    ];
    const removed = await one(ts, dana, {
      type: 'thread.removeMember',
      args: { threadId, userId: alice.id },
    });
    expect(removed.status).toBe('accepted');
    for (const close of await Promise.all(closes)) expect(close.code).toBe(CLOSE_CODES.forbidden);
    for (const close of await Promise.all(muxCloses)) {
      expect(close).toMatchObject({ code: CLOSE_CODES.forbidden, reason: 'access-revoked' });
    }
    await until(
      aliceInbox.doc,
      () =>
        !aliceInbox.doc.getMap(INBOX_ROOTS.threads).has(threadId) &&
        !aliceInbox.doc.getMap(INBOX_ROOTS.decisions).has(decisionId),
    );
    aliceMux.destroy();
    // What she got while a member, and the notice naming the thread she was removed from, she knew.
    await settle(ts);
    const seen = await inboxIds(ts, alice);
    // What her device already held stays there: a CRDT copy cannot be taken back.
    expect(aliceThread.doc.getText('body').toJSON()).toBe('quokka notes');

    // Nothing new reaches her: a mention, a new decision, a new file.
    await post(danaThread, dana.id, `@${alice.id} platypus`, bobThread);
    const second = await one(ts, bob, {
      type: 'decision.propose',
      args: { decisionId: newId(), threadId, title: 'Second capybara vote' },
    });
    expect(second.status).toBe('accepted');
    await tusUpload(`${ts.url}/files/`, bob.accessToken, pdfBytes(1024), {
      filename: 'later.pdf',
      filetype: 'application/pdf',
      threadId,
    });
    await settle(ts);

    const secret: Secret = {
      workspaceId: ws,
      threadId,
      decisionId,
      checkpointId,
      uploadId: upload.id,
      words: ['zanzibar', 'quokka', 'wombat', 'capybara', 'platypus'],
    };
    // Members find it every way (the shared catalog never holds it; bob is no owner: no audit).
    expect(await probe(ts, bob, secret, baseline)).toEqual(
      expected(true, { workspaceCatalog: false, audit: false }),
    );
    expect(await probe(ts, dana, secret, baseline)).toEqual(expected(true, { workspaceCatalog: false }));
    // Nobody else finds it any way at all.
    expect(await probe(ts, olly, secret, baseline)).toEqual(expected(false));
    expect(await probe(ts, carol, secret, baseline)).toEqual(expected(false));
    expect(await probe(ts, alice, secret, baseline, seen)).toEqual(expected(false));
  });
});
