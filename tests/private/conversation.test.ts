/**
 * `conversation.open`: the same people, asking at once from two clients (or from two offline
 * devices of one of them, each with its own thread id), get one conversation; the verdict names
 * it. Roles hold inside, and each member's own catalog lists it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRefusal, INBOX_ROOTS, newId, type PrivateCatalogThread } from '@caucus/schema';
import { apiToken, nodeClient } from '../client/support.js';
import { nextDenied, until, type TestClient } from '../support/providers.js';
import {
  addMember,
  api,
  signup,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server.js';
import { one, open, type Submitted } from '../governance/support.js';

let ts: TestServer;
let ann: TestUser;
let ben: TestUser;
let vic: TestUser;
const clients: TestClient[] = [];

beforeAll(async () => {
  ts = await startTestServer();
  [ann, ben, vic] = (await Promise.all(['ann', 'ben', 'vic'].map((n) => signup(ts.url, n)))) as [
    TestUser,
    TestUser,
    TestUser,
  ];
  await addMember(ts.url, ann, ann.workspaceId, ben, 'editor');
  await addMember(ts.url, ann, ann.workspaceId, vic, 'viewer');
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await ts.stop();
});

const conversation = (user: TestUser, userIds: string[]) =>
  one(ts, user, {
    type: 'conversation.open',
    args: { threadId: newId(), workspaceId: ann.workspaceId, userIds },
  });

function opened(verdict: Submitted): { threadId: string; existed: boolean } {
  if (verdict.status !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(verdict)}`);
  return verdict.result as { threadId: string; existed: boolean };
}

describe('conversation.open', () => {
  it('gives two clients asking at once one conversation, and names it to both', async () => {
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
    const inbox = await open(ts, ben, `inbox:${ben.id}`, clients);
    const entries = inbox.doc.getMap<PrivateCatalogThread>(INBOX_ROOTS.threads);
    await until(inbox.doc, () => entries.has(fromAnn?.threadId ?? ''));
    expect(entries.get(fromAnn?.threadId ?? '')).toMatchObject({
      workspaceId: ann.workspaceId,
      members: [ann.id, ben.id].sort(),
      conversation: true,
      title: 'ann, ben',
    });
    const shared = await open(ts, ben, `workspace:${ann.workspaceId}`, clients);
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

  it('lets a viewer find a conversation they are in, and read it only', async () => {
    expect((await conversation(vic, [ann.id])).status).toBe('rejected');
    const { threadId } = opened(await conversation(ann, [vic.id]));
    expect(opened(await conversation(vic, [ann.id]))).toEqual({ threadId, existed: true });
    const client = await open(ts, vic, `thread:${threadId}`, clients);
    const denied = nextDenied(client);
    client.doc.getText('body').insert(0, 'a viewer writes');
    expect(decodeRefusal(await denied)?.code).toBe('read-only');
  });
});
