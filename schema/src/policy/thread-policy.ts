/**
 * The policy of threads: creating one (private or not; see private-threads.ts for members and
 * conversations) and archiving or restoring one, which an editor requests and approvers gate.
 */
import type { IntentOf } from '../intents/intent.js';
import type { Actor, PolicyState, Ruling } from './policy-state.js';
import { checkStrangers } from './private-threads.js';
import { ID_TAKEN, reject } from './rejections.js';
import { ACCEPTED, authority, checkBasis, gate, notFound, rejected } from './ruling.js';
import { ARCHIVE_REQUIRED_APPROVALS } from './rules.js';

export function decideThreadCreate(state: PolicyState, approved: boolean): Ruling {
  const who = authority(state, 'thread.create', approved);
  if (typeof who !== 'string') return who;
  if (state.idTaken) return rejected(ID_TAKEN);
  return checkStrangers(state) ?? ACCEPTED;
}

export function decideThreadStatus(
  actor: Actor,
  state: PolicyState,
  intent: IntentOf<'thread.archive' | 'thread.restore'>,
  approved: boolean,
): Ruling {
  const thread = state.thread;
  if (!thread || (!approved && state.role === null)) return notFound('thread');
  const who = authority(state, intent.type, approved);
  if (typeof who !== 'string') return who;
  if (!approved) {
    const stale = checkBasis(intent, { status: thread.status }, `thread ${thread.id}`);
    if (stale) return stale;
  }
  const wanted = intent.type === 'thread.archive' ? 'active' : 'archived';
  if (thread.status !== wanted) {
    return rejected(
      reject(
        'invalid-transition',
        `the thread is already ${thread.status}`,
        'nothing to do: reload the thread to see its status',
      ),
    );
  }
  if (approved) return ACCEPTED;
  return gate(actor, state, who, { kind: 'thread', id: thread.id }, ARCHIVE_REQUIRED_APPROVALS);
}
