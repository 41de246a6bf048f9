/**
 * The policy of private threads and direct conversations (called by `decide`).
 *
 * - A private thread is seen by its members only. Everyone else — owners of the workspace too —
 *   gets `not-found` for it and for everything in it (decisions, checkpoints), exactly as for an
 *   id that does not exist: nothing tells them it is there.
 * - Roles still hold inside: a member's role in the thread is their workspace role (a viewer reads).
 * - `thread.addMember`: any member of the thread with the editor role or more adds a member of the
 *   workspace. Not in a direct conversation: its members are who it is with.
 * - `thread.removeMember`: the thread's creator (editor or more) or an owner who is a member removes
 *   anyone; any member removes themselves (leaves). In a conversation one can only leave. A private
 *   thread keeps at least one member.
 * - `conversation.open`: when the set of people already has a conversation, anyone of them (any
 *   role) gets it back; opening a new one creates a thread, so it needs the editor role.
 */
import type { ThreadId, UserId } from '../ids.js';
import type { IntentOf } from '../intents/intent.js';
import type { ThreadVisibility } from '../intents/thread-intents.js';
import { roleAtLeast, type Role } from '../roles.js';
import type { PolicyState, Ruling } from './policy-state.js';
import { ID_TAKEN, reject } from './rejections.js';

/** The role `actor` has in a thread: the workspace role, or none in a private thread they are not in. */
export function roleInThread(
  workspaceRole: Role | null,
  visibility: ThreadVisibility,
  members: readonly UserId[],
  actor: UserId,
): Role | null {
  if (workspaceRole === null) return null;
  return visibility === 'workspace' || members.includes(actor) ? workspaceRole : null;
}

const ACCEPTED: Ruling = { status: 'accepted' };

function rejected(...args: Parameters<typeof reject>): Ruling {
  return { status: 'rejected', ...reject(...args) };
}

function notFound(what: string): Ruling {
  return rejected('not-found', `${what} not found`, 'check the id, or ask one of its members to add you');
}

/** `thread.create` of a private thread, `conversation.open`: everyone named must be in the workspace. */
export function checkStrangers(state: PolicyState): Ruling | null {
  const strangers = state.strangers ?? [];
  if (strangers.length === 0) return null;
  return rejected(
    'invalid-args',
    `not members of this workspace: ${strangers.join(', ')}`,
    'add them to the workspace first, or leave them out',
  );
}

/** `thread.addMember`, `thread.removeMember`. `state.role` is the actor's role in the thread. */
export function decideThreadMember(
  actor: UserId,
  state: PolicyState,
  intent: IntentOf<'thread.addMember' | 'thread.removeMember'>,
): Ruling {
  const thread = state.thread;
  if (!thread || state.role === null) return notFound('thread');
  const role = state.role;
  if ((thread.visibility ?? 'workspace') === 'workspace') {
    return rejected(
      'invalid-args',
      'this thread is open to every member of its workspace; only private threads have members',
      'create a private thread with the people you want',
    );
  }
  const members = state.threadMembers ?? [];
  const target = intent.args.userId;
  const conversation = thread.conversation === true;

  if (intent.type === 'thread.addMember') {
    if (conversation) {
      return rejected(
        'invalid-transition',
        'a conversation’s members are who it is with',
        'open a conversation with everyone instead',
      );
    }
    if (!roleAtLeast(role, 'editor')) {
      return rejected('forbidden', `${role}s cannot add members`, 'ask an editor in the thread to add them');
    }
    if (!state.member) return notFound('member of this workspace');
    if (members.includes(target)) {
      return rejected('invalid-transition', 'they are already a member', 'nothing to do');
    }
    return ACCEPTED;
  }

  if (!members.includes(target)) return notFound('member of this thread');
  const leaving = target === actor;
  if (!leaving) {
    if (conversation) {
      return rejected(
        'forbidden',
        'nobody can be removed from a conversation; they may leave it',
        'open a conversation without them instead',
      );
    }
    const creator = thread.createdBy === actor && roleAtLeast(role, 'editor');
    if (!creator && role !== 'owner') {
      return rejected(
        'forbidden',
        'only the thread’s creator or an owner may remove its members',
        'ask them, or leave the thread yourself',
      );
    }
  }
  if (members.length <= 1) {
    return rejected(
      'last-member',
      'a private thread keeps at least one member',
      'add someone else first, or archive the thread',
    );
  }
  return ACCEPTED;
}

/** `conversation.open`; `state.role` is the actor's role in the workspace. */
export function decideConversation(state: PolicyState): Ruling {
  if (state.role === null) return notFound('workspace');
  const strangers = checkStrangers(state);
  if (strangers) return strangers;
  // The same people already talk: give that conversation back (the actor is one of them).
  if (state.conversation) return ACCEPTED;
  if (!roleAtLeast(state.role, 'editor')) {
    return rejected(
      'forbidden',
      `${state.role}s cannot start conversations`,
      'ask one of them (an editor) to open it; you will be able to read it',
    );
  }
  if (state.idTaken) return { status: 'rejected', ...ID_TAKEN };
  return ACCEPTED;
}

/** What `conversation.open` did: the conversation's thread, and whether it was there already. */
export function conversationThread(
  state: Pick<PolicyState, 'conversation'>,
  intent: IntentOf<'conversation.open'>,
): { threadId: ThreadId; existed: boolean } {
  return state.conversation
    ? { threadId: state.conversation, existed: true }
    : { threadId: intent.args.threadId, existed: false };
}
