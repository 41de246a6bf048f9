/**
 * The policy of decisions: proposing one in an active thread, and the events of its state machine
 * (decision-machine.ts) — approve, resolve (gated by its required approvals), defer and reopen
 * (gated for requesters).
 */
import type { CheckpointId } from '../ids.js';
import type { IntentOf } from '../intents/intent.js';
import type { CheckpointTarget } from './checkpoint-machine.js';
import { checkDecisionEvent, type DecisionEvent } from './decision-machine.js';
import type { Actor, PolicyState, Ruling } from './policy-state.js';
import { ID_TAKEN, reject } from './rejections.js';
import { ACCEPTED, authority, checkBasis, gate, notFound, rejected } from './ruling.js';

type DecisionEventIntent = IntentOf<
  'decision.approve' | 'decision.resolve' | 'decision.defer' | 'decision.reopen'
>;

export function decideProposal(state: PolicyState, approved: boolean): Ruling {
  const thread = state.thread;
  if (!thread || (!approved && state.role === null)) return notFound('thread');
  const who = authority(state, 'decision.propose', approved);
  if (typeof who !== 'string') return who;
  if (state.idTaken) return rejected(ID_TAKEN);
  if (thread.status !== 'active') {
    return rejected(
      reject(
        'invalid-transition',
        'decisions cannot be proposed in an archived thread',
        'restore the thread first',
      ),
    );
  }
  return ACCEPTED;
}

export function decideDecisionEvent(
  actor: Actor,
  state: PolicyState,
  intent: DecisionEventIntent,
  approved: boolean,
): Ruling {
  const decision = state.decision;
  if (!decision || (!approved && state.role === null)) return notFound('decision');
  const who = authority(state, intent.type, approved);
  if (typeof who !== 'string') return who;
  if (!approved) {
    const stale = checkBasis(
      intent,
      { version: decision.version, status: decision.status },
      `decision ${decision.id}`,
    );
    if (stale) return stale;
  }
  const refused = checkDecisionEvent(decision, decisionEvent(intent), actor.userId);
  if (refused) return rejected(refused);
  if (approved || intent.type === 'decision.approve') return ACCEPTED;
  const target: CheckpointTarget = { kind: 'decision', id: decision.id };
  if (intent.type === 'decision.resolve') {
    return gate(
      actor,
      state,
      who,
      target,
      decision.requiredApprovals,
      decision.approvals.map((a) => a.userId),
    );
  }
  return gate(actor, state, who, target, 0);
}

/** The state-machine event of a decision intent. */
export function decisionEvent(intent: DecisionEventIntent, checkpointId?: CheckpointId): DecisionEvent {
  switch (intent.type) {
    case 'decision.approve':
      return { action: 'approve' };
    case 'decision.resolve':
      return { action: 'resolve', outcome: intent.args.outcome, checkpointId };
    case 'decision.defer':
      return { action: 'defer', until: intent.args.until, reason: intent.args.reason, checkpointId };
    case 'decision.reopen':
      return { action: 'reopen', checkpointId };
  }
}
