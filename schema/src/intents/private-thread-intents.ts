/**
 * Intents of private threads and direct conversations: who is in a private thread, and the one
 * conversation of a set of people.
 */
import * as z from 'zod/mini';
import type { ThreadId, UserId, WorkspaceId } from '../ids.js';
import { idOf } from './common.js';
import { userIdSet } from './thread-intents.js';

/** Most people a conversation may be opened with (the actor comes on top). */
export const MAX_CONVERSATION_USERS = 16;

/** `thread.addMember`: a member of the workspace joins a private thread (its members, editor+). */
export const threadAddMemberArgs = z.object({ threadId: idOf<ThreadId>(), userId: idOf<UserId>() });

/**
 * `thread.removeMember`: the thread's creator or an owner removes a member; anyone may remove
 * themselves (leave). A private thread keeps at least one member.
 */
export const threadRemoveMemberArgs = z.object({ threadId: idOf<ThreadId>(), userId: idOf<UserId>() });

/**
 * `conversation.open`: the direct conversation of the actor and `userIds` (members of
 * `workspaceId`). When that set of people already has one, the verdict names its thread
 * (`{ threadId, existed: true }`) and `threadId` here is unused; otherwise it is the new thread.
 */
export const conversationOpenArgs = z.object({
  threadId: idOf<ThreadId>(),
  workspaceId: idOf<WorkspaceId>(),
  userIds: userIdSet(1, MAX_CONVERSATION_USERS),
});

/**
 * What identifies a conversation within its workspace: its members, distinct and sorted, so any
 * order and any of them gives the same key.
 */
export function conversationKey(members: readonly UserId[]): string {
  return [...new Set(members)].sort().join(',');
}

/** The members of the conversation `actor` opens with `userIds`, sorted. */
export function conversationMembers(actor: UserId, userIds: readonly UserId[]): UserId[] {
  return [...new Set([actor, ...userIds])].sort();
}
