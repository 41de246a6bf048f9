import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckpointId, DecisionId, ThreadId, UserId, WorkspaceId } from '../ids.js';
import { parseIntent, type Intent, type IntentInput, type IntentType } from '../intents/intent.js';
import { ROLES, type Role } from '../roles.js';
import { openCheckpoint, type CheckpointState } from './checkpoint-machine.js';
import { decide, type PolicyState, type Ruling } from './decide.js';
import { applyDecisionEvent, proposeDecision, type DecisionState } from './decision-machine.js';
import { isRejection } from './rejections.js';
import { INTENT_RULES } from './rules.js';

const me = 'me' as UserId;
const other = 'other' as UserId;
const ws = 'w1' as WorkspaceId;
const threadId = 't1' as ThreadId;
const decisionId = 'd1' as DecisionId;
const checkpointId = 'c1' as CheckpointId;

function intent(input: Omit<IntentInput, 'id'>): Intent {
  const parsed = parseIntent({ id: 'i1', ...input });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.intent;
}

function decision(overrides: Partial<DecisionState> = {}): DecisionState {
  return {
    ...proposeDecision({ id: decisionId, workspaceId: ws, threadId, title: 'Lunch' }, other, 1_000),
    ...overrides,
  };
}

function checkpoint(requestedBy: UserId = other, approvals: UserId[] = []): CheckpointState {
  return openCheckpoint(
    {
      id: checkpointId,
      workspaceId: ws,
      target: { kind: 'decision', id: decisionId },
      action: intent({ type: 'decision.resolve', args: { decisionId, outcome: 'x' } }),
      requestedBy,
      requiredApprovals: 1,
      approvals,
    },
    1_000,
  );
}

/** A private thread someone else created. */
const privateThread = {
  id: threadId,
  workspaceId: ws,
  status: 'active' as const,
  visibility: 'private' as const,
  createdBy: other,
};

/** One intent of every type, with the state it needs for its rule to be the only question. */
const CASES: { [T in IntentType]: { intent: Intent; state: Omit<PolicyState, 'role'> } } = {
  'thread.create': {
    intent: intent({ type: 'thread.create', args: { threadId, workspaceId: ws, title: 'T' } }),
    state: { idTaken: false },
  },
  'thread.archive': {
    intent: intent({ type: 'thread.archive', args: { threadId } }),
    state: { thread: { id: threadId, workspaceId: ws, status: 'active' }, pendingCheckpoint: null },
  },
  'thread.restore': {
    intent: intent({ type: 'thread.restore', args: { threadId } }),
    state: { thread: { id: threadId, workspaceId: ws, status: 'archived' }, pendingCheckpoint: null },
  },
  'thread.addMember': {
    intent: intent({ type: 'thread.addMember', args: { threadId, userId: other } }),
    state: { thread: privateThread, threadMembers: [me], member: { userId: other, role: 'viewer' } },
  },
  'thread.removeMember': {
    intent: intent({ type: 'thread.removeMember', args: { threadId, userId: other } }),
    state: { thread: privateThread, threadMembers: [me, other] },
  },
  'conversation.open': {
    intent: intent({
      type: 'conversation.open',
      args: { threadId, workspaceId: ws, userIds: [other] },
    }),
    state: { conversation: null, idTaken: false, strangers: [] },
  },
  'decision.propose': {
    intent: intent({ type: 'decision.propose', args: { decisionId, threadId, title: 'D' } }),
    state: { thread: { id: threadId, workspaceId: ws, status: 'active' }, idTaken: false },
  },
  'decision.approve': {
    intent: intent({ type: 'decision.approve', args: { decisionId } }),
    state: { decision: decision() },
  },
  'decision.resolve': {
    intent: intent({ type: 'decision.resolve', args: { decisionId, outcome: 'yes' } }),
    state: { decision: decision() },
  },
  'decision.defer': {
    intent: intent({ type: 'decision.defer', args: { decisionId } }),
    state: { decision: decision() },
  },
  'decision.reopen': {
    intent: intent({ type: 'decision.reopen', args: { decisionId } }),
    state: { decision: decision({ status: 'resolved', outcome: 'yes' }) },
  },
  'checkpoint.approve': {
    intent: intent({ type: 'checkpoint.approve', args: { checkpointId } }),
    state: { checkpoint: checkpoint() },
  },
  'checkpoint.reject': {
    intent: intent({ type: 'checkpoint.reject', args: { checkpointId } }),
    state: { checkpoint: checkpoint() },
  },
  'member.invite': {
    intent: intent({
      type: 'member.invite',
      args: { workspaceId: ws, email: 'x@example.com', role: 'editor' },
    }),
    state: { member: null, ownerCount: 1 },
  },
  'member.setRole': {
    intent: intent({ type: 'member.setRole', args: { workspaceId: ws, userId: other, role: 'editor' } }),
    state: { member: { userId: other, role: 'viewer' }, ownerCount: 1 },
  },
  'member.remove': {
    intent: intent({ type: 'member.remove', args: { workspaceId: ws, userId: other } }),
    state: { member: { userId: other, role: 'viewer' }, ownerCount: 1 },
  },
  'inbox.markRead': {
    intent: intent({ type: 'inbox.markRead', args: { notificationIds: ['n1'] } }),
    state: {},
  },
  'inbox.markAllRead': { intent: intent({ type: 'inbox.markAllRead', args: {} }), state: {} },
  'prefs.set': { intent: intent({ type: 'prefs.set', args: { mutedKinds: ['info'] } }), state: {} },
};

type Outcome = 'accepted' | 'escalate' | 'forbidden' | 'not-found';

function outcome(ruling: Ruling): string {
  return ruling.status === 'rejected' ? ruling.code : ruling.status;
}

/** What each role gets for each type: the role rules as a table. */
const MATRIX: { [T in IntentType]: [viewer: Outcome, editor: Outcome, approver: Outcome, owner: Outcome] } = {
  'thread.create': ['forbidden', 'accepted', 'accepted', 'accepted'],
  'thread.archive': ['forbidden', 'escalate', 'accepted', 'accepted'],
  'thread.restore': ['forbidden', 'escalate', 'accepted', 'accepted'],
  'thread.addMember': ['forbidden', 'accepted', 'accepted', 'accepted'],
  'thread.removeMember': ['forbidden', 'forbidden', 'forbidden', 'accepted'],
  'conversation.open': ['forbidden', 'accepted', 'accepted', 'accepted'],
  'decision.propose': ['forbidden', 'accepted', 'accepted', 'accepted'],
  'decision.approve': ['forbidden', 'forbidden', 'accepted', 'accepted'],
  'decision.resolve': ['forbidden', 'escalate', 'accepted', 'accepted'],
  'decision.defer': ['forbidden', 'escalate', 'accepted', 'accepted'],
  'decision.reopen': ['forbidden', 'escalate', 'accepted', 'accepted'],
  'checkpoint.approve': ['forbidden', 'forbidden', 'accepted', 'accepted'],
  'checkpoint.reject': ['forbidden', 'forbidden', 'accepted', 'accepted'],
  'member.invite': ['forbidden', 'forbidden', 'forbidden', 'accepted'],
  'member.setRole': ['forbidden', 'forbidden', 'forbidden', 'accepted'],
  'member.remove': ['forbidden', 'forbidden', 'forbidden', 'accepted'],
  'inbox.markRead': ['accepted', 'accepted', 'accepted', 'accepted'],
  'inbox.markAllRead': ['accepted', 'accepted', 'accepted', 'accepted'],
  'prefs.set': ['accepted', 'accepted', 'accepted', 'accepted'],
};

const run = (type: IntentType, role: Role | null, extra: Partial<PolicyState> = {}, actor = me) =>
  decide({ userId: actor }, { ...CASES[type].state, role, ...extra }, CASES[type].intent);

describe('decide: role rules', () => {
  for (const type of Object.keys(MATRIX) as IntentType[]) {
    it(`${type}: ${MATRIX[type].join(' / ')} for viewer / editor / approver / owner`, () => {
      expect(ROLES.map((role) => outcome(run(type, role)))).toEqual(MATRIX[type]);
      const personal = INTENT_RULES[type].perform === 'self';
      expect(outcome(run(type, null))).toBe(personal ? 'accepted' : 'not-found');
    });
  }

  it('every rejection carries a reason and a remedy', () => {
    const ruling = run('decision.resolve', 'viewer');
    expect(ruling).toMatchObject({ status: 'rejected', code: 'forbidden' });
    if (ruling.status !== 'rejected') throw new Error('expected a rejection');
    expect(ruling.reason).toMatch(/viewers cannot resolve decisions/);
    expect(ruling.remedy).toMatch(/editor/);
  });

  it('an escalation names its target and needs approvals on the checkpoint itself', () => {
    expect(run('decision.resolve', 'editor')).toEqual({
      status: 'escalate',
      target: { kind: 'decision', id: decisionId },
      requiredApprovals: 1,
      approvals: [],
    });
    expect(run('thread.archive', 'editor')).toMatchObject({ target: { kind: 'thread', id: threadId } });
  });

  it('lets any member leave, but keeps one owner', () => {
    const self = { member: { userId: me, role: 'viewer' as Role } };
    const leave = decide(
      { userId: me },
      { ...CASES['member.remove'].state, ...self, role: 'viewer' },
      intent({ type: 'member.remove', args: { workspaceId: ws, userId: me } }),
    );
    expect(leave.status).toBe('accepted');
    const lastOwner = { member: { userId: other, role: 'owner' as Role }, ownerCount: 1 };
    expect(outcome(run('member.setRole', 'owner', lastOwner))).toBe('last-owner');
    expect(outcome(run('member.remove', 'owner', lastOwner))).toBe('last-owner');
    expect(outcome(run('member.remove', 'owner', { ...lastOwner, ownerCount: 2 }))).toBe('accepted');
    // Inviting someone who is already a member changes nothing: their role is member.setRole's.
    expect(outcome(run('member.invite', 'owner', lastOwner))).toBe('already-member');
    expect(outcome(run('member.invite', 'owner', { member: { userId: other, role: 'viewer' } }))).toBe(
      'already-member',
    );
  });

  it('refuses a requester approving their own checkpoint, but lets them withdraw it', () => {
    const mine = { checkpoint: checkpoint(me) };
    expect(outcome(run('checkpoint.approve', 'approver', mine))).toBe('forbidden');
    expect(outcome(run('checkpoint.reject', 'editor', mine))).toBe('accepted');
    expect(outcome(run('checkpoint.approve', 'approver', { checkpoint: checkpoint(other, [me]) }))).toBe(
      'already-approved',
    );
  });
});

describe('decide: state, ids and checkpoints', () => {
  it('refuses taken ids and proposals in archived threads', () => {
    expect(outcome(run('thread.create', 'editor', { idTaken: true }))).toBe('id-taken');
    expect(outcome(run('decision.propose', 'editor', { idTaken: true }))).toBe('id-taken');
    const archived = { thread: { id: threadId, workspaceId: ws, status: 'archived' as const } };
    expect(outcome(run('decision.propose', 'editor', archived))).toBe('invalid-transition');
    expect(outcome(run('thread.archive', 'owner', archived))).toBe('invalid-transition');
  });

  it('applies the decision state machine before escalating', () => {
    const resolved = { decision: decision({ status: 'resolved', outcome: 'yes' }) };
    expect(outcome(run('decision.resolve', 'editor', resolved))).toBe('invalid-transition');
    expect(outcome(run('decision.approve', 'approver', resolved))).toBe('invalid-transition');
  });

  it('resolves with requiredApprovals once enough distinct approvers approved (the resolver counts)', () => {
    const two = decision({ requiredApprovals: 2 });
    expect(run('decision.resolve', 'approver', { decision: two })).toEqual({
      status: 'escalate',
      target: { kind: 'decision', id: decisionId },
      requiredApprovals: 2,
      approvals: [me],
    });
    const approved = applyDecisionEvent(two, { action: 'approve' }, other, 2_000) as DecisionState;
    expect(outcome(run('decision.resolve', 'approver', { decision: approved }))).toBe('accepted');
    // An editor's request waits for approvals on the checkpoint, whatever the decision has.
    expect(run('decision.resolve', 'editor', { decision: approved })).toMatchObject({
      status: 'escalate',
      requiredApprovals: 2,
      approvals: [],
    });
  });

  it('refuses a second checkpoint on the same target', () => {
    expect(outcome(run('decision.resolve', 'editor', { pendingCheckpoint: checkpointId }))).toBe(
      'checkpoint-pending',
    );
    expect(outcome(run('thread.archive', 'editor', { pendingCheckpoint: checkpointId }))).toBe(
      'checkpoint-pending',
    );
    // An approver who may do it at once is not held up by someone else's request.
    expect(outcome(run('decision.resolve', 'approver', { pendingCheckpoint: checkpointId }))).toBe(
      'accepted',
    );
  });

  it('runs an approved checkpoint’s intent without role or approval checks, but with the state machine', () => {
    const req = CASES['decision.resolve'];
    const approved = { approved: true };
    expect(decide({ userId: me }, { ...req.state, role: null }, req.intent, approved).status).toBe(
      'accepted',
    );
    const deferred = { role: 'editor' as Role, decision: decision({ status: 'deferred' }) };
    expect(outcome(decide({ userId: me }, deferred, req.intent, approved))).toBe('invalid-transition');
  });
});

describe('decide: basis (stale views)', () => {
  const withBasis = (basis: object) => {
    const parsed = parseIntent({ ...CASES['decision.resolve'].intent, basis });
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.intent;
  };

  it('accepts a basis that still holds', () => {
    const ruling = decide(
      { userId: me },
      { role: 'approver', decision: decision() },
      withBasis({ version: 1, status: 'open' }),
    );
    expect(ruling.status).toBe('accepted');
  });

  it('rejects a moved version or status as stale, with a remedy', () => {
    const moved = applyDecisionEvent(decision(), { action: 'approve' }, other, 2_000) as DecisionState;
    const byVersion = decide(
      { userId: me },
      { role: 'approver', decision: moved },
      withBasis({ version: 1 }),
    );
    expect(byVersion).toMatchObject({ status: 'rejected', code: 'stale' });
    if (byVersion.status !== 'rejected') throw new Error('expected stale');
    expect(byVersion.reason).toContain('version 2');
    expect(byVersion.remedy).toMatch(/reload decision d1/);
    const deferred = decision({ status: 'deferred' });
    const byStatus = decide(
      { userId: me },
      { role: 'approver', decision: deferred },
      withBasis({ status: 'open' }),
    );
    expect(outcome(byStatus)).toBe('stale');
  });

  it('checks thread status and member roles too', () => {
    const archive = parseIntent({ ...CASES['thread.archive'].intent, basis: { status: 'archived' } });
    if (!archive.ok) throw new Error(archive.message);
    const state = { ...CASES['thread.archive'].state, role: 'owner' as Role };
    expect(outcome(decide({ userId: me }, state, archive.intent))).toBe('stale');
    const setRole = parseIntent({ ...CASES['member.setRole'].intent, basis: { status: 'editor' } });
    if (!setRole.ok) throw new Error(setRole.message);
    const memberState = { ...CASES['member.setRole'].state, role: 'owner' as Role };
    expect(outcome(decide({ userId: me }, memberState, setRole.intent))).toBe('stale');
  });
});

describe('decide: properties', () => {
  it('is total and deterministic; non-members never get past not-found; viewers never escalate', () => {
    const types = Object.keys(CASES) as IntentType[];
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.option(fc.constantFrom(...ROLES), { nil: null }),
        fc.option(fc.constantFrom('open', 'resolved', 'deferred'), { nil: undefined }),
        (type, role, status) => {
          const extra: Partial<PolicyState> = status ? { decision: decision({ status }) } : {};
          const first = run(type, role, extra);
          expect(run(type, role, extra)).toEqual(first);
          if (role === null && INTENT_RULES[type].perform !== 'self') {
            expect(outcome(first)).toBe('not-found');
          }
          if (role === 'viewer') expect(first.status).not.toBe('escalate');
          if (first.status === 'rejected') expect(isRejection(first)).toBe(true);
        },
      ),
    );
  });
});
