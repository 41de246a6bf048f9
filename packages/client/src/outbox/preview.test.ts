import { expect, it } from 'vitest';
import type { DecisionId, Intent, IntentId, ThreadId, UserId, WorkspaceId } from '@caucus/schema';
import type { GovernedView } from './governed-view.js';
import { preview } from './preview.js';

const ada = 'ada' as UserId;
const bob = 'bob' as UserId;
const ws = 'ws1' as WorkspaceId;
const thread = 't1' as ThreadId;
const decision = 'd1' as DecisionId;

const view = (roles: Record<string, 'viewer' | 'editor' | 'approver' | 'owner'>): GovernedView => ({
  members: (id) =>
    id === ws
      ? Object.entries(roles).map(([userId, role]) => ({ userId: userId as UserId, role }))
      : undefined,
  thread: (id) => (id === thread ? { id: thread, workspaceId: ws, status: 'active' } : undefined),
  decision: () => undefined,
  pendingCheckpointOf: () => undefined,
  checkpoint: () => undefined,
  threadMembers: () => undefined,
  conversation: () => undefined,
});

const intent = (id: string, type: Intent['type'], args: object): Intent =>
  ({ id: id as IntentId, type, args }) as Intent;

it('previews a chain offline: each accepted intent is applied before the next is ruled on', () => {
  const queued = [
    intent('i1', 'decision.propose', {
      decisionId: decision,
      threadId: thread,
      title: 'Ship it?',
      options: ['yes', 'no'],
    }),
    intent('i2', 'decision.approve', { decisionId: decision }),
    intent('i3', 'decision.resolve', { decisionId: decision, outcome: 'maybe' }),
    intent('i4', 'decision.resolve', { decisionId: decision, outcome: 'yes' }),
    intent('i5', 'decision.reopen', { decisionId: decision }),
  ];
  const { predictions, overlay } = preview(ada, view({ ada: 'owner' }), queued, 1000);
  expect(predictions.get('i1')).toEqual({ status: 'accepted' });
  expect(predictions.get('i2')).toEqual({ status: 'accepted' });
  // Not one of the options: the same rejection the server would give.
  expect(predictions.get('i3')).toMatchObject({ status: 'rejected', code: 'invalid-args' });
  expect(predictions.get('i4')).toEqual({ status: 'accepted' });
  expect(predictions.get('i5')).toEqual({ status: 'accepted' });
  const d = overlay.decision(decision);
  expect(d?.status).toBe('open');
  expect(d?.version).toBe(4);
  expect(d?.history.map((h) => h.action)).toEqual(['proposed', 'approved', 'resolved', 'reopened']);
});

it('predicts escalation and role refusals, and says what it does not know', () => {
  const queued = [
    intent('i1', 'thread.archive', { threadId: thread }),
    intent('i2', 'thread.archive', { threadId: thread }),
    intent('i3', 'member.setRole', { workspaceId: ws, userId: ada, role: 'viewer' }),
    intent('i4', 'decision.approve', { decisionId: 'elsewhere' }),
    intent('i5', 'thread.create', { threadId: 't2', workspaceId: 'unknown-ws', title: 'x' }),
  ];
  const { predictions } = preview(bob, view({ ada: 'owner', bob: 'editor' }), queued, 1000);
  expect(predictions.get('i1')).toEqual({ status: 'awaiting-approval' });
  expect(predictions.get('i2')).toMatchObject({ status: 'rejected', code: 'checkpoint-pending' });
  expect(predictions.get('i3')).toMatchObject({ status: 'rejected', code: 'forbidden' });
  expect(predictions.get('i4')).toEqual({ status: 'unknown', missing: 'decision:elsewhere' });
  expect(predictions.get('i5')).toEqual({ status: 'unknown', missing: 'workspace:unknown-ws' });
});

const cat = 'cat' as UserId;
const secret = 'p1' as ThreadId;
const dm = 'c1' as ThreadId;

/** Ada's view with her own catalog: a private thread she made with bob, and her conversation with cat. */
const withCatalog = (roles: Record<string, 'viewer' | 'editor' | 'approver' | 'owner'>): GovernedView => {
  const base = view(roles);
  return {
    ...base,
    thread: (id) =>
      id === secret
        ? { id, workspaceId: ws, status: 'active', visibility: 'private', conversation: false }
        : id === dm
          ? { id, workspaceId: ws, status: 'active', visibility: 'private', conversation: true }
          : base.thread(id),
    threadMembers: (id) => (id === secret ? [ada, bob] : id === dm ? [ada, cat] : undefined),
    conversation: (id, members) => (id === ws ? (members.join() === 'ada,cat' ? dm : null) : undefined),
  };
};

it('predicts conversations from the catalog: an existing one is named, a new one is named again', () => {
  const queued = [
    intent('i1', 'conversation.open', { threadId: 'new1', workspaceId: ws, userIds: [cat] }),
    intent('i2', 'conversation.open', { threadId: 'new2', workspaceId: ws, userIds: [bob] }),
    // The same people in another order, before the first was sent: the thread i2 will create.
    intent('i3', 'conversation.open', { threadId: 'new3', workspaceId: ws, userIds: [bob, ada] }),
    intent('i4', 'conversation.open', { threadId: 'new4', workspaceId: ws, userIds: ['stranger'] }),
  ];
  const roles = { ada: 'editor', bob: 'editor', cat: 'viewer' } as const;
  const { predictions, overlay } = preview(ada, withCatalog(roles), queued, 1000);
  expect(predictions.get('i1')).toEqual({ status: 'accepted', result: { threadId: dm, existed: true } });
  expect(predictions.get('i2')).toEqual({ status: 'accepted', result: { threadId: 'new2', existed: false } });
  expect(predictions.get('i3')).toEqual({ status: 'accepted', result: { threadId: 'new2', existed: true } });
  expect(predictions.get('i4')).toMatchObject({ status: 'rejected', code: 'invalid-args' });
  expect(overlay.thread('new2' as ThreadId)).toMatchObject({ visibility: 'private', conversation: true });
  expect(overlay.threadMembers('new2' as ThreadId)).toEqual([ada, bob]);
  expect(overlay.thread('new3' as ThreadId)).toBeUndefined();

  // A viewer gets back a conversation they are in, but cannot start one.
  const asCat = preview(cat, withCatalog(roles), [queued[0] as Intent], 1000).predictions;
  expect(asCat.get('i1')).toMatchObject({ status: 'rejected', code: 'forbidden' });
  // Without the catalog (no inbox document here) the client cannot tell.
  expect(preview(ada, view(roles), [queued[0] as Intent], 1000).predictions.get('i1')).toEqual({
    status: 'unknown',
    missing: `conversations of workspace:${ws}`,
  });
});

it('predicts private members: add, leave, and what the catalog cannot say', () => {
  const roles = { ada: 'editor', bob: 'editor', cat: 'editor' } as const;
  const queued = [
    intent('i1', 'thread.addMember', { threadId: secret, userId: cat }),
    intent('i2', 'thread.addMember', { threadId: secret, userId: cat }),
    intent('i3', 'thread.removeMember', { threadId: secret, userId: bob }),
    intent('i4', 'thread.removeMember', { threadId: secret, userId: ada }),
    intent('i5', 'thread.addMember', { threadId: dm, userId: bob }),
    intent('i6', 'thread.addMember', { threadId: thread, userId: bob }),
  ];
  const { predictions, overlay } = preview(ada, withCatalog(roles), queued, 1000);
  expect(predictions.get('i1')).toEqual({ status: 'accepted' });
  expect(predictions.get('i2')).toMatchObject({ status: 'rejected', code: 'invalid-transition' });
  // Only the creator removes others, and the catalog does not say who created it.
  expect(predictions.get('i3')).toEqual({ status: 'unknown', missing: `the creator of thread:${secret}` });
  expect(predictions.get('i4')).toEqual({ status: 'accepted' });
  expect(overlay.threadMembers(secret)).toEqual([bob, cat]);
  expect(predictions.get('i5')).toMatchObject({ status: 'rejected', code: 'invalid-transition' });
  expect(predictions.get('i6')).toMatchObject({ status: 'rejected', code: 'invalid-args' });

  // A private thread created offline: its members are known, so adding one previews.
  const created = preview(
    ada,
    view(roles),
    [
      intent('c1', 'thread.create', {
        threadId: 'p2',
        workspaceId: ws,
        title: 'Plans',
        visibility: 'private',
        memberIds: [bob],
      }),
      intent('c2', 'thread.removeMember', { threadId: 'p2', userId: bob }),
    ],
    1000,
  );
  expect(created.predictions.get('c1')).toEqual({ status: 'accepted' });
  expect(created.predictions.get('c2')).toEqual({ status: 'accepted' });
  expect(created.overlay.threadMembers('p2' as ThreadId)).toEqual([ada]);
});
