/**
 * The policy of workspace membership: owners invite, change roles and remove; anyone may leave;
 * a workspace keeps at least one owner.
 */
import type { IntentOf } from '../intents/intent.js';
import type { Actor, PolicyState, Ruling } from './policy-state.js';
import { reject } from './rejections.js';
import { ACCEPTED, authorize, checkBasis, notFound, rejected } from './ruling.js';

export function decideMember(
  actor: Actor,
  state: PolicyState,
  intent: IntentOf<'member.invite' | 'member.setRole' | 'member.remove'>,
): Ruling {
  if (state.role === null) return notFound('workspace');
  const leaving = intent.type === 'member.remove' && intent.args.userId === actor.userId;
  if (!leaving) {
    const who = authorize(state.role, intent.type);
    if (typeof who !== 'string') return who;
  }
  const member = state.member ?? null;
  if (intent.type === 'member.invite') {
    // An invitation changes nobody's membership until the invitee accepts it.
    if (!member) return ACCEPTED;
    return rejected(
      reject(
        'already-member',
        `that address belongs to ${/^[aeiou]/.test(member.role) ? 'an' : 'a'} ${member.role} of this workspace`,
        'change their role with member.setRole instead',
      ),
    );
  }
  if (!member) return notFound('member');
  const stale = checkBasis(intent, { status: member.role }, `the membership of ${member.userId}`);
  if (stale) return stale;
  const newRole = intent.type === 'member.remove' ? null : intent.args.role;
  if (member.role === 'owner' && newRole !== 'owner' && (state.ownerCount ?? 0) <= 1) {
    return rejected(
      reject('last-owner', 'a workspace needs at least one owner', 'make someone else an owner first'),
    );
  }
  return ACCEPTED;
}
