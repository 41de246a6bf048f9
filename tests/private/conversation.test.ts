/**
 * `conversation.open`: the same people, asking at once from two clients (or from two offline
 * devices of one of them, each with its own thread id), get one conversation; the verdict names
 * it. Roles hold inside, and each member's own catalog lists it.
 */
import { describe, expect } from 'vitest';
import { decodeRefusal, INBOX_ROOTS, newId, type PrivateCatalogThread } from '@caucus/schema';
import { apiToken, nodeClient } from '../client/support.js';
import { test } from '../support/e2e.js';
import { nextDenied, until, type TestClient } from '../support/providers.js';
import { api, signup, type TestUser, signupMember } from '../support/server.js';
import { one, open, type Submitted } from '../governance/support.js';

/**
 * ann (her workspace; the conversation's title names her and ben), ben (an editor of it), vic (a
 * viewer of it); `conversation(user, userIds)` in ann's workspace; `openDoc(user, docName)`, an
 * official client, synced, destroyed after the file.
 */
const it = test
  .extend('ann', { scope: 'file' }, ({ ts }) => signup(ts.url, 'ann'))
  .extend('ben', { scope: 'file' }, async ({ ts, ann }) => {
    const ben = await signupMember(ts.url, ann, 'ben', 'editor');
    return ben;
  })
  .extend('vic', { scope: 'file' }, async ({ ts, ann }) => {
    const vic = await signupMember(ts.url, ann, 'vic', 'viewer');
    return vic;
  })
  .extend(
    'conversation',
    { scope: 'file' },
    ({ ts, ann }) =>
      (user: TestUser, userIds: string[]) =>
        one(ts, user, {
          type: 'conversation.open',
          args: { threadId: newId(), workspaceId: ann.workspaceId, userIds },
        }),
  )
  .extend('openDoc', { scope: 'file' }, ({ ts }, { onCleanup }) => {
    const clients: TestClient[] = [];
    onCleanup(() => {
      for (const c of clients) c.destroy();
    });
    return (user: TestUser, docName: string) => open(ts, user, docName, clients);
  });

function opened(verdict: Submitted): { threadId: string; existed: boolean } {
  if (verdict.status !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(verdict)}`);
  return verdict.result as { threadId: string; existed: boolean };
}

describe('conversation.open', () => {
  it('gives two clients asking at once one conversation, and names it to both', async ({
    ts,
    ann,
    ben,
    vic,
    conversation,
    openDoc,
  }) => {
    const [fromAnn, fromBen] = (
      await Promise.all([conversation(ann, [ben.id]), conversation(ben, [ann.id])])
    ).map(opened);
    expect(fromAnn?.threadId).toBe(fromBen?.threadId);
    expect([fromAnn?.existed, fromBen?.existed].sort()).toEqual([false, true]);
    // Again, from either, in any order, the actor named or not: the same one.
    expect(opened(await conversation(ann, [ben.id, ann.id]))).toEqual({
      threadId: fromAnn?.threadId,
      existed: true,
    });

    // Two offline devices of one user, each with a thread id of its own, sending at once.
    const devices = (
      await Promise.all([conversation(ann, [ben.id, vic.id]), conversation(ann, [vic.id, ben.id])])
    ).map(opened);
    expect(new Set(devices.map((d) => d.threadId)).size).toBe(1);

    const threads = await api<{ threads: Array<{ id: string; conversation: boolean; visibility: string }> }>(
      ts.url,
      'GET',
      `/api/threads?workspaceId=${ann.workspaceId}`,
      { token: ann.accessToken },
    );
    expect(threads.body.threads.filter((t) => t.conversation)).toHaveLength(2);
    expect(threads.body.threads.every((t) => t.visibility === 'private')).toBe(true);

    // Ben's own catalog lists the pair's conversation with its members; the shared one does not.
    const inbox = await openDoc(ben, `inbox:${ben.id}`);
    const entries = inbox.doc.getMap<PrivateCatalogThread>(INBOX_ROOTS.threads);
    await until(inbox.doc, () => entries.has(fromAnn?.threadId ?? ''));
    expect(entries.get(fromAnn?.threadId ?? '')).toMatchObject({
      workspaceId: ann.workspaceId,
      members: [ann.id, ben.id].sort(),
      conversation: true,
      title: 'ann, ben',
    });
    const shared = await openDoc(ben, `workspace:${ann.workspaceId}`);
    expect(shared.doc.getMap('threads').has(fromAnn?.threadId ?? '')).toBe(false);

    // The client library reads the same catalog, typed.
    const client = nodeClient(ts.url, ben, await apiToken(ts.url, ben));
    try {
      const view = client.inbox(ben.id);
      await view.whenSynced;
      const listed = view.privateThreads().filter((t) => t.conversation);
      expect(listed.map((t) => t.id).sort()).toEqual([fromAnn?.threadId, devices[0]?.threadId].sort());
      expect(
        client
          .workspace(ann.workspaceId)
          .threads()
          .some((t) => t.id === fromAnn?.threadId),
      ).toBe(false);
    } finally {
      await client.close();
    }
  });

  it('lets a viewer find a conversation they are in, and read it only', async ({
    ann,
    vic,
    conversation,
    openDoc,
  }) => {
    expect((await conversation(vic, [ann.id])).status).toBe('rejected');
    const { threadId } = opened(await conversation(ann, [vic.id]));
    expect(opened(await conversation(vic, [ann.id]))).toEqual({ threadId, existed: true });
    const client = await openDoc(vic, `thread:${threadId}`);
    const denied = nextDenied(client);
    client.doc.getText('body').insert(0, 'a viewer writes');
    expect(decodeRefusal(await denied)?.code).toBe('read-only');
  });
});
