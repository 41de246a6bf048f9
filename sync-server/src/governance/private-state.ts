/** What the policy needs for the intents of private threads and conversations (see `state.ts`). */
import { and, eq } from 'drizzle-orm';
import {
  conversationKey,
  conversationMembers,
  tables,
  type IntentOf,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { threadMembersOf, workspaceMembersAmong } from '../workspaces/thread-members.js';
import { membership, roleOf, threadRoleOf, threadView } from './reads.js';
import type { LoadedState } from './state.js';
import { idInUse } from './id-in-use.js';

const { threads } = tables;

/** Those of `userIds` who are not members of the workspace. */
export function strangersOf(db: Db, workspaceId: WorkspaceId, userIds: readonly UserId[]): UserId[] {
  const members = new Set(workspaceMembersAmong(db, workspaceId, userIds));
  return userIds.filter((id) => !members.has(id));
}

/** The thread of the conversation of exactly `members` in the workspace, if there is one. */
export function findConversation(
  db: Db,
  workspaceId: WorkspaceId,
  members: readonly UserId[],
): ThreadId | null {
  return (
    db
      .select({ id: threads.id })
      .from(threads)
      .where(and(eq(threads.workspaceId, workspaceId), eq(threads.conversationKey, conversationKey(members))))
      .get()?.id ?? null
  );
}

export function loadThreadMemberState(
  db: Db,
  actor: UserId,
  intent: IntentOf<'thread.addMember' | 'thread.removeMember'>,
): LoadedState {
  const thread = threadView(db, intent.args.threadId);
  if (!thread) return { workspaceId: null, state: { role: null, thread: null } };
  return {
    workspaceId: thread.workspaceId,
    state: {
      role: threadRoleOf(db, actor, thread),
      thread,
      threadMembers: threadMembersOf(db, thread.id),
      member: membership(db, thread.workspaceId, intent.args.userId),
    },
  };
}

export function loadConversationState(
  db: Db,
  actor: UserId,
  intent: IntentOf<'conversation.open'>,
): LoadedState {
  const { workspaceId, threadId, userIds } = intent.args;
  const role = roleOf(db, actor, workspaceId);
  return {
    workspaceId,
    state: {
      role,
      strangers: strangersOf(db, workspaceId, userIds),
      conversation:
        role === null ? null : findConversation(db, workspaceId, conversationMembers(actor, userIds)),
      idTaken: idInUse(db, threadId),
    },
  };
}
