import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId, type CheckpointId, type DecisionId, type ThreadId, type UserId } from '@caucus/schema';
import { loadCheckpoint } from './checkpoint-store.js';
import { loadDecision } from './decision-store.js';
import { threadView } from './reads.js';
import { makeKit, type Kit } from './test-kit.js';

let kit: Kit;
beforeEach(() => {
  kit = makeKit();
});
afterEach(() => kit.close());

async function awaiting(actor: UserId, intent: Parameters<Kit['submit']>[1]): Promise<CheckpointId> {
  const [r] = await kit.submit(actor, intent);
  if (r?.status !== 'awaiting-approval') throw new Error(`expected a checkpoint: ${JSON.stringify(r)}`);
  return r.checkpointId;
}

async function decisionIn(threadId: ThreadId, actor: UserId, requiredApprovals = 0): Promise<DecisionId> {
  const decisionId = newId<DecisionId>();
  await kit.submit(actor, {
    type: 'decision.propose',
    args: { decisionId, threadId, title: 'Budget', requiredApprovals },
  });
  return decisionId;
}

const titles = (u: UserId) => kit.governance.inbox(u).map((n) => `${n.kind}: ${n.title}`);

describe('checkpoints', () => {
  it('archiving: an editor asks, an approver approves, the thread archives and access is re-checked', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws, 'Old plans');
    const access: UserId[][] = [];
    kit.governance.onAccessChanged(({ userIds }) => access.push(userIds));
    const checkpointId = await awaiting(t.editor, { type: 'thread.archive', args: { threadId } });
    expect(threadView(kit.db, threadId)?.status).toBe('active');
    for (const approver of [t.owner, t.approver, t.approver2]) {
      expect(titles(approver)).toContain(
        'checkpoint: Approval needed: t1editor wants to archive the thread “Old plans”',
      );
    }
    expect(titles(t.viewer).some((n) => n.startsWith('checkpoint'))).toBe(false);
    const [again] = await kit.submit(t.editor, { type: 'thread.archive', args: { threadId } });
    expect(again).toMatchObject({ status: 'rejected', code: 'checkpoint-pending' });

    const [approved] = await kit.submit(t.approver, { type: 'checkpoint.approve', args: { checkpointId } });
    expect(approved).toMatchObject({
      status: 'accepted',
      result: { checkpointId, status: 'executed', result: { threadId, status: 'archived' } },
    });
    expect(threadView(kit.db, threadId)?.status).toBe('archived');
    expect(new Set(access.flat())).toEqual(new Set([t.owner, t.approver, t.approver2, t.editor, t.viewer]));
    expect(titles(t.editor)).toContain('success: Approved: archive the thread “Old plans”');
    // The other approvers' requests are no longer to-dos.
    const request = kit.governance.inbox(t.approver2).find((n) => n.kind === 'checkpoint');
    expect(request?.readAt).toBeDefined();

    const [restored] = await kit.submit(t.approver, { type: 'thread.restore', args: { threadId } });
    expect(restored).toMatchObject({ status: 'accepted', result: { status: 'active' } });
  });

  it('requiredApprovals: distinct approvers, the resolver included, then it executes', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const decisionId = await decisionIn(threadId, t.editor, 3);
    const checkpointId = await awaiting(t.approver, {
      type: 'decision.resolve',
      args: { decisionId, outcome: 'yes' },
    });
    expect(loadCheckpoint(kit.db, checkpointId)?.approvals.map((a) => a.userId)).toEqual([t.approver]);
    const [self] = await kit.submit(t.approver, { type: 'checkpoint.approve', args: { checkpointId } });
    expect(self).toMatchObject({ status: 'rejected', code: 'already-approved' });
    const [editor] = await kit.submit(t.editor, { type: 'checkpoint.approve', args: { checkpointId } });
    expect(editor).toMatchObject({ status: 'rejected', code: 'forbidden' });
    const [second] = await kit.submit(t.approver2, { type: 'checkpoint.approve', args: { checkpointId } });
    expect(second).toMatchObject({ result: { status: 'pending', approvals: 2, requiredApprovals: 3 } });
    expect(loadDecision(kit.db, decisionId)?.status).toBe('open');
    const [third] = await kit.submit(t.owner, { type: 'checkpoint.approve', args: { checkpointId } });
    expect(third).toMatchObject({ result: { status: 'executed', approvals: 3 } });
    const decision = loadDecision(kit.db, decisionId);
    expect(decision).toMatchObject({ status: 'resolved', outcome: 'yes', resolvedBy: t.approver });
    expect(decision?.history.at(-1)).toMatchObject({ action: 'resolved', actor: t.approver, checkpointId });
    expect(kit.hub.doc(`decision:${decisionId}`).getMap('decision').get('pendingCheckpointId')).toBeNull();
  });

  it('a rejection closes the checkpoint and tells the requester; the requester may withdraw', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const decisionId = await decisionIn(threadId, t.editor);
    const first = await awaiting(t.editor, { type: 'decision.defer', args: { decisionId } });
    expect(kit.hub.doc(`decision:${decisionId}`).getMap('decision').get('pendingCheckpointId')).toBe(first);
    const [rejected] = await kit.submit(t.approver, {
      type: 'checkpoint.reject',
      args: { checkpointId: first, reason: 'we decide this week' },
    });
    expect(rejected).toMatchObject({ status: 'accepted', result: { status: 'rejected' } });
    expect(loadDecision(kit.db, decisionId)?.status).toBe('open');
    expect(kit.governance.inbox(t.editor)[0]).toMatchObject({
      kind: 'error',
      body: 't1approver rejected it. we decide this week',
    });
    const [late] = await kit.submit(t.approver2, {
      type: 'checkpoint.approve',
      args: { checkpointId: first },
    });
    expect(late).toMatchObject({ status: 'rejected', code: 'invalid-transition' });

    const second = await awaiting(t.editor, { type: 'decision.defer', args: { decisionId } });
    const [withdrawn] = await kit.submit(t.editor, {
      type: 'checkpoint.reject',
      args: { checkpointId: second },
    });
    expect(withdrawn).toMatchObject({ result: { status: 'rejected' } });
  });

  it('fails a waiting checkpoint once a direct change makes its intent impossible', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const decisionId = await decisionIn(threadId, t.editor);
    const checkpointId = await awaiting(t.editor, {
      type: 'decision.resolve',
      args: { decisionId, outcome: 'editor’s pick' },
    });
    const [direct] = await kit.submit(t.approver, { type: 'decision.defer', args: { decisionId } });
    expect(direct?.status).toBe('accepted');
    expect(loadCheckpoint(kit.db, checkpointId)).toMatchObject({
      status: 'failed',
      closedBy: t.approver,
      reason: 'superseded: a deferred decision cannot be resolved',
    });
    expect(kit.governance.inbox(t.editor)[0]).toMatchObject({ kind: 'error' });
    expect(kit.governance.inbox(t.editor)[0]?.title).toMatch(/^No longer possible: resolve/);
    const [late] = await kit.submit(t.approver2, { type: 'checkpoint.approve', args: { checkpointId } });
    expect(late).toMatchObject({ code: 'invalid-transition' });
  });

  it('GET-style reads: decisions by status and aging, a decision with its checkpoints, an intent with its checkpoint', async () => {
    const t = await kit.team();
    const threadId = await kit.thread(t.editor, t.ws);
    const old = await decisionIn(threadId, t.editor);
    kit.clock.now += 3 * 86_400_000;
    const fresh = await decisionIn(threadId, t.editor);
    const intentId = newId();
    await kit.governance.submit(t.editor, [
      { id: intentId, type: 'decision.resolve', args: { decisionId: fresh, outcome: 'ok' } },
    ]);
    const ids = (input: Parameters<Kit['governance']['listDecisions']>[1]) =>
      kit.governance.listDecisions(t.viewer, input).map((d) => d.id);
    expect(ids({ workspaceId: t.ws, aging: 'day' })).toEqual([fresh]);
    expect(ids({ workspaceId: t.ws, aging: 'week' })).toEqual([old]);
    expect(ids({ workspaceId: t.ws, aging: 'older' })).toEqual([]);
    expect(ids({ workspaceId: t.ws, status: 'resolved' })).toEqual([]);
    expect(new Set(ids({ workspaceId: t.ws, status: 'open' }))).toEqual(new Set([old, fresh]));
    const detail = kit.governance.getDecision(t.viewer, fresh);
    expect(detail).toMatchObject({ aging: 'day', checkpoints: [{ status: 'pending' }] });
    expect(detail.pendingCheckpointId).toBe(detail.checkpoints[0]?.id);
    expect(kit.governance.getIntent(t.editor, intentId as never)).toMatchObject({
      verdict: { status: 'awaiting-approval' },
      checkpoint: { status: 'pending', requestedBy: t.editor },
    });
    const outsider = kit.user('outsider');
    expect(() => kit.governance.getDecision(outsider, fresh)).toThrow(/not found/);
    expect(() => kit.governance.listDecisions(outsider, { workspaceId: t.ws })).toThrow(/not found/);
  });
});

describe('member intents', () => {
  it('invite (accepted by the invitee), change role and remove through intents, announcing each change', async () => {
    const t = await kit.team();
    const newcomer = kit.user('newcomer');
    kit.memberships.length = 0;
    const [invited] = await kit.submit(t.owner, {
      type: 'member.invite',
      args: { workspaceId: t.ws, email: 'NEWCOMER@example.com', role: 'viewer' },
    });
    const [pending] = await kit.submit(t.owner, {
      type: 'member.invite',
      args: { workspaceId: t.ws, email: 'later@example.com', role: 'viewer' },
    });
    // The same answer whether the address has an account or not, and nobody joined.
    const shape = (r: typeof invited) =>
      r?.status === 'accepted' ? { ...r.result, email: null, invitationId: null, expiresAt: null } : r;
    expect(invited).toMatchObject({ result: { status: 'invited', email: 'newcomer@example.com' } });
    expect(shape(invited)).toEqual(shape(pending));
    expect(kit.memberships).toEqual([]);
    const token = kit.sent.find((i) => i.email === 'newcomer@example.com')?.token ?? '';
    await kit.invitations.accept(token, { id: newcomer, email: 'newcomer@example.com' });
    await kit.submit(t.owner, {
      type: 'member.setRole',
      args: { workspaceId: t.ws, userId: newcomer, role: 'editor' },
      basis: { status: 'viewer' },
    });
    const [stale] = await kit.submit(t.owner, {
      type: 'member.setRole',
      args: { workspaceId: t.ws, userId: newcomer, role: 'approver' },
      basis: { status: 'viewer' },
    });
    expect(stale).toMatchObject({ code: 'stale' });
    const [notOwner] = await kit.submit(t.approver, {
      type: 'member.remove',
      args: { workspaceId: t.ws, userId: newcomer },
    });
    expect(notOwner).toMatchObject({ code: 'forbidden' });
    await kit.submit(t.owner, { type: 'member.remove', args: { workspaceId: t.ws, userId: newcomer } });
    expect(kit.memberships).toEqual([
      { workspaceId: t.ws, userId: newcomer, role: 'viewer' },
      { workspaceId: t.ws, userId: newcomer, role: 'editor' },
      { workspaceId: t.ws, userId: newcomer, role: null },
    ]);
    expect(titles(newcomer)).toEqual([
      'warning: You were removed from Team',
      'info: Your role in Team is now editor',
      expect.stringMatching(/^info: t\d+owner invited you to join Team as viewer$/),
    ]);
    expect(kit.hub.doc(`workspace:${t.ws}`).getMap('members').has(newcomer)).toBe(false);
    const [lastOwner] = await kit.submit(t.owner, {
      type: 'member.setRole',
      args: { workspaceId: t.ws, userId: t.owner, role: 'viewer' },
    });
    expect(lastOwner).toMatchObject({ code: 'last-owner' });
  });
});
