import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckpointId, ThreadId, UserId, WorkspaceId } from '../ids.js';
import type { Intent } from '../intents/intent.js';
import {
  applyCheckpointEvent,
  canCheckpointTransition,
  CHECKPOINT_EVENTS,
  CHECKPOINT_STATUSES,
  isReady,
  openCheckpoint,
  type CheckpointEvent,
  type CheckpointState,
  type CheckpointStatus,
} from './checkpoint-machine.js';
import { isRejection } from './rejections.js';

const requester = 'ed' as UserId;
const approvers = ['a1', 'a2', 'a3'] as UserId[];
const action = {
  id: 'i1',
  type: 'thread.archive',
  args: { threadId: 't1' },
} as unknown as Intent;

function open(requiredApprovals = 2, approvals: UserId[] = []): CheckpointState {
  return openCheckpoint(
    {
      id: 'c1' as CheckpointId,
      workspaceId: 'w1' as WorkspaceId,
      target: { kind: 'thread', id: 't1' as ThreadId },
      action,
      requestedBy: requester,
      requiredApprovals,
      approvals,
    },
    1_000,
  );
}

function inStatus(status: CheckpointStatus): CheckpointState {
  if (status === 'pending') return open();
  const event: CheckpointEvent = status === 'executed' ? 'execute' : status === 'failed' ? 'fail' : 'reject';
  const next = applyCheckpointEvent(open(), event, 'a1' as UserId, 2_000, 'because');
  if (isRejection(next)) throw new Error(next.reason);
  return next;
}

const EXPECTED: Record<CheckpointStatus, Record<CheckpointEvent, CheckpointStatus | null>> = {
  pending: { approve: 'pending', reject: 'rejected', execute: 'executed', fail: 'failed' },
  executed: { approve: null, reject: null, execute: null, fail: null },
  failed: { approve: null, reject: null, execute: null, fail: null },
  rejected: { approve: null, reject: null, execute: null, fail: null },
};

describe('the checkpoint state machine', () => {
  for (const status of CHECKPOINT_STATUSES) {
    for (const event of CHECKPOINT_EVENTS) {
      const to = EXPECTED[status][event];
      it(`${status} --${event}--> ${to ?? 'refused'}`, () => {
        const from = inStatus(status);
        expect(canCheckpointTransition(status, event)).toBe(to !== null);
        const next = applyCheckpointEvent(from, event, 'a2' as UserId, 3_000, 'why');
        if (to === null) {
          expect(isRejection(next) && next.code).toBe('invalid-transition');
          return;
        }
        if (isRejection(next)) throw new Error(next.reason);
        expect(next.status).toBe(to);
        expect(next.version).toBe(from.version + 1);
        if (to === 'pending') expect(next.closedAt).toBeNull();
        else expect(next).toMatchObject({ closedAt: 3_000, closedBy: 'a2', reason: 'why' });
      });
    }
  }

  it('counts distinct approvers only, starting from the seeded ones', () => {
    let c = open(2, ['a1' as UserId, 'a1' as UserId]);
    expect(c.approvals).toEqual([{ userId: 'a1', at: 1_000 }]);
    expect(isReady(c)).toBe(false);
    const again = applyCheckpointEvent(c, 'approve', 'a1' as UserId, 2_000);
    expect(isRejection(again) && again.code).toBe('already-approved');
    c = applyCheckpointEvent(c, 'approve', 'a2' as UserId, 2_000) as CheckpointState;
    expect(isReady(c)).toBe(true);
  });

  it('becomes ready exactly when enough distinct approvers approved; closed states absorb (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(
          fc.record({ event: fc.constantFrom(...CHECKPOINT_EVENTS), who: fc.constantFrom(...approvers) }),
          {
            maxLength: 20,
          },
        ),
        (required, steps) => {
          let c = open(required);
          for (const { event, who } of steps) {
            const next = applyCheckpointEvent(c, event, who, 2_000);
            if (isRejection(next)) {
              expect(c.status !== 'pending' || c.approvals.some((a) => a.userId === who)).toBe(true);
              continue;
            }
            expect(c.status).toBe('pending');
            c = next;
          }
          const distinct = new Set(c.approvals.map((a) => a.userId));
          expect(distinct.size).toBe(c.approvals.length);
          expect(isReady(c)).toBe(c.approvals.length >= required);
        },
      ),
    );
  });
});
