import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  INBOX_ROOTS,
  newId,
  type DecisionId,
  type InboxNotification,
  type Intent,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { docAccess } from '../workspaces/access.js';
import { threadMembersOf } from '../workspaces/thread-members.js';
import type { AdjudicatedResult } from './intent-engine.js';
import { makeKit, type Kit } from './test-kit.js';

let kit: Kit;
beforeEach(() => {
  kit = makeKit();
});
afterEach(() => kit.close());

async function one(actor: UserId, intent: Omit<Intent, 'id'> | { type: string; args: unknown }) {
  const [result] = await kit.submit(actor, intent as Omit<Intent, 'id'>);
  if (!result) throw new Error('no verdict');
  return result;
}

const outcome = (r: AdjudicatedResult) => (r.status === 'rejected' ? r.code : r.status);

function notifications(userId: UserId): InboxNotification[] {
  const doc = kit.hub.docs.get(`inbox:${userId}` as never);
  return doc ? [...doc.getMap<InboxNotification>(INBOX_ROOTS.notifications).values()] : [];
}

async function privateThread(actor: UserId, ws: WorkspaceId, memberIds: UserId[], title = 'Secret') {
  const threadId = newId<ThreadId>();
  const r = await one(actor, {
    type: 'thread.create',
    args: { threadId, workspaceId: ws, title, visibility: 'private', memberIds },
  });
  expect(r).toMatchObject({ status: 'accepted', result: { threadId, visibility: 'private' } });
  return threadId;
}

describe('private threads (governance)', () => {
  it('creates with the creator as a member, and refuses people outside the workspace', async () => {
    const t = await kit.team();
    const threadId = await privateThread(t.editor, t.ws, [t.viewer]);
    expect(threadMembersOf(kit.db, threadId)).toEqual([t.editor, t.viewer].sort());
    const stranger = kit.user('stranger');
    const refused = await one(t.editor, {
      type: 'thread.create',
      args: {
        threadId: newId(),
        workspaceId: t.ws,
        title: 'x',
        visibility: 'private',
        memberIds: [stranger],
      },
    });
    expect(outcome(refused)).toBe('invalid-args');
    // The viewer added is told; they read, they do not write.
    expect(notifications(t.viewer).some((n) => n.link === `/threads/${threadId}`)).toBe(true);
    expect(docAccess(kit.db, t.viewer, { kind: 'thread', id: threadId })).toBe('read');
    expect(docAccess(kit.db, t.owner, { kind: 'thread', id: threadId })).toBe('none');
  });

  it('adds and removes members: access follows at once, and the owner outside it sees nothing', async () => {
    const t = await kit.team();
    const threadId = await privateThread(t.editor, t.ws, []);
    // An owner who is not in it cannot add themselves: to them it does not exist.
    expect(
      outcome(await one(t.owner, { type: 'thread.addMember', args: { threadId, userId: t.owner } })),
    ).toBe('not-found');
    const added = await one(t.editor, { type: 'thread.addMember', args: { threadId, userId: t.approver } });
    expect(added).toMatchObject({ status: 'accepted', result: { added: true } });
    expect(docAccess(kit.db, t.approver, { kind: 'thread', id: threadId })).toBe('write');
    // The approver is no creator and no owner: they cannot remove the editor, but can leave.
    const refused = await one(t.approver, {
      type: 'thread.removeMember',
      args: { threadId, userId: t.editor },
    });
    expect(outcome(refused)).toBe('forbidden');
    const left = await one(t.approver, {
      type: 'thread.removeMember',
      args: { threadId, userId: t.approver },
    });
    expect(left.status).toBe('accepted');
    expect(docAccess(kit.db, t.approver, { kind: 'thread', id: threadId })).toBe('none');
    // The last member stays.
    const last = await one(t.editor, { type: 'thread.removeMember', args: { threadId, userId: t.editor } });
    expect(outcome(last)).toBe('last-member');
    // Workspace threads have no members to manage.
    const open = await kit.thread(t.editor, t.ws);
    expect(
      outcome(await one(t.editor, { type: 'thread.addMember', args: { threadId: open, userId: t.viewer } })),
    ).toBe('invalid-args');
  });

  it('keeps decisions, checkpoints and their notifications inside the thread', async () => {
    const t = await kit.team();
    const threadId = await privateThread(t.editor, t.ws, [t.approver]);
    const decisionId = newId<DecisionId>();
    await one(t.editor, { type: 'decision.propose', args: { decisionId, threadId, title: 'Hidden choice' } });
    const ws = kit.hub.doc(`workspace:${t.ws}`);
    expect(ws.getMap('decisions').has(decisionId)).toBe(false);
    expect(kit.hub.doc(`inbox:${t.approver}`).getMap(INBOX_ROOTS.decisions).get(decisionId)).toMatchObject({
      workspaceId: t.ws,
      threadId,
      title: 'Hidden choice',
    });
    const told = (id: UserId) => notifications(id).some((n) => n.link === `/decisions/${decisionId}`);
    expect([t.approver, t.owner, t.approver2, t.viewer].map(told)).toEqual([true, false, false, false]);
    // An editor's request waits for approvers in the thread only.
    const archive = await one(t.editor, { type: 'thread.archive', args: { threadId } });
    expect(archive.status).toBe('awaiting-approval');
    const asked = (id: UserId) => notifications(id).some((n) => n.kind === 'checkpoint');
    expect([t.approver, t.owner, t.approver2].map(asked)).toEqual([true, false, false]);
    expect(() => kit.governance.getDecision(t.owner, decisionId)).toThrow(/not found/);
    expect(kit.governance.listDecisions(t.owner, { workspaceId: t.ws })).toEqual([]);
    expect(kit.governance.listDecisions(t.approver, { workspaceId: t.ws }).map((d) => d.id)).toEqual([
      decisionId,
    ]);
    // Outsiders' rejections name it by id, never by title.
    const owner = await one(t.owner, { type: 'decision.approve', args: { decisionId } });
    expect(outcome(owner)).toBe('not-found');
    const error = notifications(t.owner).find((n) => n.kind === 'error');
    expect(error?.title).toContain(decisionId);
    expect(error?.title).not.toContain('Hidden');
  });

  it('lists its audit events only to owners who are its members', async () => {
    const t = await kit.team();
    const threadId = await privateThread(t.editor, t.ws, [t.approver], 'Quiet');
    await one(t.editor, { type: 'thread.addMember', args: { threadId, userId: t.viewer } });
    const mentions = (viewer: UserId) =>
      kit.governance.audit(viewer, t.ws).filter((e) => JSON.stringify(e).includes(threadId)).length;
    expect(mentions(t.owner)).toBe(0);
    await one(t.editor, { type: 'thread.addMember', args: { threadId, userId: t.owner } });
    // Now a member, the owner sees the thread's events — all of them, from its creation on.
    expect(mentions(t.owner)).toBe(3);
  });

  it('leaving the workspace leaves its private threads; a re-invitation does not give them back', async () => {
    const t = await kit.team();
    const threadId = await privateThread(t.editor, t.ws, [t.approver]);
    await one(t.owner, { type: 'member.remove', args: { workspaceId: t.ws, userId: t.approver } });
    expect(threadMembersOf(kit.db, threadId)).toEqual([t.editor]);
    await one(t.owner, {
      type: 'member.invite',
      args: { workspaceId: t.ws, email: 't1approver@example.com', role: 'approver' },
    });
    expect(docAccess(kit.db, t.approver, { kind: 'thread', id: threadId })).toBe('none');
  });
});

describe('direct conversations (governance)', () => {
  it('gives the same people the same conversation, from any of them, in any order', async () => {
    const t = await kit.team();
    const open = (actor: UserId, userIds: UserId[]) =>
      one(actor, { type: 'conversation.open', args: { threadId: newId(), workspaceId: t.ws, userIds } });
    const first = await open(t.editor, [t.approver, t.viewer]);
    expect(first).toMatchObject({ status: 'accepted', result: { existed: false } });
    const threadId = first.status === 'accepted' ? first.result.threadId : null;
    for (const again of [
      await open(t.viewer, [t.editor, t.approver]),
      await open(t.approver, [t.viewer, t.editor, t.approver]),
    ]) {
      expect(again).toMatchObject({ status: 'accepted', result: { threadId, existed: true } });
    }
    // Another set is another conversation; a viewer cannot start one.
    const pair = await open(t.editor, [t.approver]);
    expect(pair.status === 'accepted' && pair.result.threadId).not.toBe(threadId);
    expect(outcome(await open(t.viewer, [t.owner]))).toBe('forbidden');
    // Nobody can be added; once someone leaves, the same people get a new conversation.
    expect(
      outcome(await one(t.editor, { type: 'thread.addMember', args: { threadId, userId: t.owner } })),
    ).toBe('invalid-transition');
    await one(t.viewer, { type: 'thread.removeMember', args: { threadId, userId: t.viewer } });
    const fresh = await open(t.editor, [t.approver, t.viewer]);
    expect(fresh).toMatchObject({ status: 'accepted', result: { existed: false } });
    expect(fresh.status === 'accepted' && fresh.result.threadId).not.toBe(threadId);
  });
});
