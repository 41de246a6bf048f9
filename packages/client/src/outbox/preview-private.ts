/**
 * Previews of the intents of private threads and direct conversations (`thread.create` with
 * `visibility: 'private'`, `thread.addMember`, `thread.removeMember`, `conversation.open`), over
 * the user's own catalog of the private threads they are in. Pure; called by `preview`.
 */
import {
  conversationKey,
  conversationMembers,
  conversationThread,
  roleInThread,
  type IntentOf,
  type PolicyState,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { roleIn, type GovernedView } from './governed-view.js';
import type { Overlay } from './overlay.js';

/** Where an overlay keeps a predicted conversation: the workspace and the sorted members. */
export function conversationSlot(workspaceId: WorkspaceId, members: readonly UserId[]): string {
  return `${workspaceId} ${conversationKey(members)}`;
}

type MemberIntent = IntentOf<'thread.addMember' | 'thread.removeMember'>;

/** What the policy needs for `thread.addMember` / `thread.removeMember`, or what is not known here. */
export function threadMemberState(
  actor: UserId,
  view: GovernedView,
  intent: MemberIntent,
): PolicyState | string {
  const { threadId, userId } = intent.args;
  const thread = view.thread(threadId);
  if (thread === undefined) return `thread:${threadId}`;
  if (thread === null) return { role: null, thread: null };
  const role = roleIn(view, thread.workspaceId, actor);
  if (role === undefined) return `workspace:${thread.workspaceId}`;
  const visibility = thread.visibility ?? 'workspace';
  const members = visibility === 'private' ? view.threadMembers(threadId) : [];
  if (members === undefined) return `members of thread:${threadId}`;
  // Only the creator (and owners) remove others, and catalogs do not say who created a thread.
  const removesOther = intent.type === 'thread.removeMember' && userId !== actor;
  if (removesOther && role !== 'owner' && !thread.conversation && thread.createdBy === undefined)
    return `the creator of thread:${threadId}`;
  const member = view.members(thread.workspaceId)?.find((m) => m.userId === userId) ?? null;
  return {
    role: roleInThread(role, visibility, members, actor),
    thread,
    threadMembers: members,
    member,
  };
}

/** What the policy needs for `conversation.open`, or what is not known here. */
export function conversationState(
  actor: UserId,
  view: GovernedView,
  intent: IntentOf<'conversation.open'>,
): PolicyState | string {
  const { workspaceId, threadId, userIds } = intent.args;
  const role = roleIn(view, workspaceId, actor);
  if (role === undefined) return `workspace:${workspaceId}`;
  const members = view.members(workspaceId) ?? [];
  const strangers = userIds.filter((id) => !members.some((m) => m.userId === id));
  const conversation =
    role === null ? null : view.conversation(workspaceId, conversationMembers(actor, userIds));
  if (conversation === undefined) return `conversations of workspace:${workspaceId}`;
  return { role, strangers, conversation, idTaken: Boolean(view.thread(threadId)) };
}

/** The thread an accepted `conversation.open` names: the existing conversation, or its own new one. */
export function predictedConversation(
  state: PolicyState,
  intent: IntentOf<'conversation.open'>,
): { threadId: ThreadId; existed: boolean } {
  return conversationThread({ conversation: state.conversation ?? null }, intent);
}

/** A private `thread.create` or a new conversation: the thread and its members join the overlay. */
export function addPrivateThread(
  view: Overlay,
  actor: UserId,
  thread: { threadId: ThreadId; workspaceId: WorkspaceId; members: readonly UserId[]; conversation: boolean },
): void {
  const members = conversationMembers(actor, thread.members);
  view.threads.set(thread.threadId, {
    id: thread.threadId,
    workspaceId: thread.workspaceId,
    status: 'active',
    visibility: 'private',
    createdBy: actor,
    conversation: thread.conversation,
  });
  view.threadMemberships.set(thread.threadId, members);
  if (thread.conversation)
    view.conversations.set(conversationSlot(thread.workspaceId, members), thread.threadId);
}

/** An accepted `thread.addMember` / `thread.removeMember`: the thread's predicted members. */
export function changeMembers(view: Overlay, intent: MemberIntent): void {
  const { threadId, userId } = intent.args;
  const members = view.threadMembers(threadId) ?? [];
  view.threadMemberships.set(
    threadId,
    intent.type === 'thread.addMember'
      ? [...new Set([...members, userId])].sort()
      : members.filter((id) => id !== userId),
  );
}
