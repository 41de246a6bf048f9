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
