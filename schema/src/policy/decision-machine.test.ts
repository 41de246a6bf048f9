import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecisionId, ThreadId, UserId, WorkspaceId } from '../ids.js';
import {
  applyDecisionEvent,
  canTransition,
  DECISION_ACTIONS,
  DECISION_STATUSES,
  DECISION_TRANSITIONS,
  proposeDecision,
  type DecisionAction,
  type DecisionEvent,
  type DecisionState,
  type DecisionStatus,
} from './decision-machine.js';
import { isRejection, type Rejection } from './rejections.js';

const alice = 'alice' as UserId;
const bob = 'bob' as UserId;
const carol = 'carol' as UserId;

function fresh(options: string[] = []): DecisionState {
  return proposeDecision(
    {
      id: 'd1' as DecisionId,
      workspaceId: 'w1' as WorkspaceId,
      threadId: 't1' as ThreadId,
      title: 'Lunch',
      options,
    },
    alice,
    1_000,
  );
}

function eventFor(action: DecisionAction, outcome = 'pizza'): DecisionEvent {
  switch (action) {
    case 'approve':
      return { action };
    case 'resolve':
      return { action, outcome };
    case 'defer':
      return { action, until: 9_000, reason: 'later' };
    case 'reopen':
      return { action };
  }
}

function must(next: DecisionState | Rejection): DecisionState {
  if (isRejection(next)) throw new Error(next.reason);
  return next;
}

/** A decision in `status`, reached through the machine itself. */
function inStatus(status: DecisionStatus): DecisionState {
  const open = fresh();
  if (status === 'open') return open;
  const next = applyDecisionEvent(open, eventFor(status === 'resolved' ? 'resolve' : 'defer'), bob, 2_000);
  if (isRejection(next)) throw new Error(next.reason);
  return next;
}

const EXPECTED: Record<DecisionStatus, Record<DecisionAction, DecisionStatus | null>> = {
  open: { approve: 'open', resolve: 'resolved', defer: 'deferred', reopen: null },
  resolved: { approve: null, resolve: null, defer: null, reopen: 'open' },
  deferred: { approve: null, resolve: null, defer: null, reopen: 'open' },
};

describe('the decision state machine', () => {
  it('starts open at version 1 with one history line', () => {
    const d = fresh();
    expect(d).toMatchObject({ status: 'open', version: 1, approvals: [], outcome: null, openedAt: 1_000 });
    expect(d.history).toEqual([{ at: 1_000, actor: alice, action: 'proposed' }]);
  });

  for (const status of DECISION_STATUSES) {
    for (const action of DECISION_ACTIONS) {
      const to = EXPECTED[status][action];
      it(`${status} --${action}--> ${to ?? 'refused'}`, () => {
        const from = inStatus(status);
        expect(canTransition(status, action)).toBe(to !== null);
        expect(DECISION_TRANSITIONS[action][status]).toBe(to ?? undefined);
        const next = applyDecisionEvent(from, eventFor(action), carol, 5_000);
        if (to === null) {
          expect(isRejection(next) && next.code).toBe('invalid-transition');
          return;
        }
        if (isRejection(next)) throw new Error(next.reason);
        expect(next.status).toBe(to);
        expect(next.version).toBe(from.version + 1);
        expect(next.updatedAt).toBe(5_000);
        expect(next.history.at(-1)).toMatchObject({ at: 5_000, actor: carol });
        expect(from.history).toHaveLength(next.history.length - 1);
      });
    }
  }

  it('records outcome and resolver; reopen clears them and the approvals, and restarts aging', () => {
    let d = must(applyDecisionEvent(fresh(['pizza', 'salad']), { action: 'approve' }, bob, 2_000));
    d = must(applyDecisionEvent(d, { action: 'resolve', outcome: 'salad' }, carol, 3_000));
    expect(d).toMatchObject({ status: 'resolved', outcome: 'salad', resolvedBy: carol, resolvedAt: 3_000 });
    expect(d.approvals).toEqual([{ userId: bob, at: 2_000 }]);
    d = must(applyDecisionEvent(d, { action: 'reopen' }, carol, 4_000));
    expect(d).toMatchObject({
      status: 'open',
      outcome: null,
      resolvedBy: null,
      approvals: [],
      openedAt: 4_000,
    });
    expect(d.history.map((h) => h.action)).toEqual(['proposed', 'approved', 'resolved', 'reopened']);
  });

  it('refuses a second approval by the same approver and an outcome that is not an option', () => {
    const once = must(applyDecisionEvent(fresh(['a', 'b']), { action: 'approve' }, bob, 2_000));
    const twice = applyDecisionEvent(once, { action: 'approve' }, bob, 3_000);
    expect(isRejection(twice) && twice.code).toBe('already-approved');
    const wrong = applyDecisionEvent(once, { action: 'resolve', outcome: 'c' }, bob, 3_000);
    expect(isRejection(wrong) && wrong.code).toBe('invalid-args');
    expect(isRejection(applyDecisionEvent(once, { action: 'resolve', outcome: 'b' }, bob, 3_000))).toBe(
      false,
    );
  });

  it('holds its invariants over any sequence of events (property)', () => {
    const users = [alice, bob, carol];
    const step = fc.record({
      action: fc.constantFrom(...DECISION_ACTIONS),
      user: fc.constantFrom(...users),
      outcome: fc.constantFrom('pizza', 'salad', 'soup'),
    });
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { maxLength: 40 }), (withOptions, steps) => {
        let d = fresh(withOptions ? ['pizza', 'salad'] : []);
        let at = 1_000;
        for (const { action, user, outcome } of steps) {
          at += 10;
          const before = d;
          const next = applyDecisionEvent(d, eventFor(action, outcome), user, at);
          const allowed = DECISION_TRANSITIONS[action][before.status];
          if (isRejection(next)) {
            // Refused only for a reason the machine names, and nothing changes.
            const duplicate = action === 'approve' && before.approvals.some((a) => a.userId === user);
            const badOutcome =
              action === 'resolve' && before.options.length > 0 && !before.options.includes(outcome);
            expect(allowed === undefined || duplicate || badOutcome).toBe(true);
            continue;
          }
          d = next;
          expect(allowed).toBe(d.status);
          expect(d.version).toBe(before.version + 1);
        }
        // Every accepted event adds one version and one history line.
        expect(d.history).toHaveLength(d.version);
        expect(new Set(d.approvals.map((a) => a.userId)).size).toBe(d.approvals.length);
        expect(d.outcome !== null).toBe(d.status === 'resolved');
        if (d.status === 'resolved' && d.options.length > 0) expect(d.options).toContain(d.outcome);
      }),
    );
  });
});
