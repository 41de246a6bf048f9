/**
 * `decide(actor, state, intent)`: the governance policy as one pure function. The server runs it
 * inside the intent's SQLite transaction with state read from its rows; a client runs it on state
 * read from its documents to preview what its queued intents will do.
 *
 * This file only dispatches: each domain's rules live in its own module, as the intents do
 * (`thread-policy.ts`, `private-threads.ts`, `decision-policy.ts`, `checkpoint-policy.ts`,
 * `member-policy.ts`), built from the shared blocks in `ruling.ts`.
 */
import type { Intent } from '../intents/intent.js';
import { decideCheckpoint } from './checkpoint-policy.js';
import { decideDecisionEvent, decideProposal } from './decision-policy.js';
import { decideMember } from './member-policy.js';
import type { Actor, DecideOptions, PolicyState, Ruling } from './policy-state.js';
import { decideConversation, decideThreadMember } from './private-threads.js';
import { ACCEPTED } from './ruling.js';
import { decideThreadCreate, decideThreadStatus } from './thread-policy.js';

export type { Actor, DecideOptions, MemberView, PolicyState, Ruling, ThreadView } from './policy-state.js';
export { checkpointTarget } from './checkpoint-policy.js';
export { decisionEvent } from './decision-policy.js';

/** Rules on `intent` by `actor` given `state`. Total and pure: same inputs, same ruling. */
export function decide(
  actor: Actor,
  state: PolicyState,
  intent: Intent,
  options: DecideOptions = {},
): Ruling {
  const approved = options.approved === true;
  switch (intent.type) {
    case 'thread.create':
      return decideThreadCreate(state, approved);
    case 'thread.addMember':
    case 'thread.removeMember':
      return decideThreadMember(actor.userId, state, intent);
    case 'conversation.open':
      return decideConversation(state);
    case 'thread.archive':
    case 'thread.restore':
      return decideThreadStatus(actor, state, intent, approved);
    case 'decision.propose':
      return decideProposal(state, approved);
    case 'decision.approve':
    case 'decision.resolve':
    case 'decision.defer':
    case 'decision.reopen':
      return decideDecisionEvent(actor, state, intent, approved);
    case 'checkpoint.approve':
    case 'checkpoint.reject':
      return decideCheckpoint(actor, state, intent);
    case 'member.invite':
    case 'member.setRole':
    case 'member.remove':
      return decideMember(actor, state, intent);
    case 'inbox.markRead':
    case 'inbox.markAllRead':
    case 'prefs.set':
      return ACCEPTED;
  }
}
