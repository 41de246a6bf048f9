/**
 * Accepted intents of private threads and conversations: the thread and its members, what their
 * open connections and inboxes must learn, and the notifications. Runs inside the intent's
 * transaction. (The catalogs in the members' inboxes follow through the read model.)
 */
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import {
  conversationKey,
  conversationMembers,
  tables,
  type IntentOf,
  type Json,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { threadRow, type Thread } from '../workspaces/thread-service.js';
import { threadAudience } from '../workspaces/thread-members.js';
import type { Changes } from './changes.js';
import { quote, threadTitleOf, userName } from './describe.js';
import type { EffectContext } from './effect-context.js';
import { findConversation } from './private-state.js';
import { threadView } from './reads.js';

const { threadMembers, threads } = tables;

function tellAdded(
  ctx: EffectContext,
  actor: UserId,
  threadId: ThreadId,
  userIds: UserId[],
  changes: Changes,
) {
  ctx.notifier.deliver(
    userIds.filter((id) => id !== actor),
    {
      kind: 'info',
      title: `${userName(ctx.db, actor)} added you to ${quote(threadTitleOf(ctx.db, threadId))}`,
      link: `/threads/${threadId}`,
      about: threadId,
    },
    changes,
  );
}

/** Inserts a private thread with its members (the creator always one); `key` for a conversation. */
export function insertPrivateThread(
  ctx: EffectContext,
  actor: UserId,
  thread: Thread,
  memberIds: readonly UserId[],
  key: string | null,
  changes: Changes,
): void {
  const { db } = ctx;
  db.insert(threads).values(threadRow(thread, key)).run();
  const members = [...new Set([actor, ...memberIds])];
  db.insert(threadMembers)
    .values(
      members.map((userId) => ({ threadId: thread.id, userId, addedBy: actor, addedAt: thread.createdAt })),
    )
    .run();
  changes.threadsCreated.push({ thread, actorId: actor });
  tellAdded(ctx, actor, thread.id, members, changes);
}

export function addThreadMember(
  ctx: EffectContext,
  actor: UserId,
  intent: IntentOf<'thread.addMember'>,
  changes: Changes,
): { [key: string]: Json } {
  const { threadId, userId } = intent.args;
  ctx.db.insert(threadMembers).values({ threadId, userId, addedBy: actor, addedAt: ctx.now() }).run();
  // Their connections were refused until now; their inbox gains the thread's open decisions.
  changes.accessChanged.add(userId);
  changes.inboxes.add(userId);
  tellAdded(ctx, actor, threadId, [userId], changes);
  return { threadId, userId, added: true };
}

export function removeThreadMember(
  ctx: EffectContext,
  actor: UserId,
  intent: IntentOf<'thread.removeMember'>,
  changes: Changes,
): { [key: string]: Json } {
  const { db } = ctx;
  const { threadId, userId } = intent.args;
  db.delete(threadMembers)
    .where(and(eq(threadMembers.threadId, threadId), eq(threadMembers.userId, userId)))
    .run();
  // A conversation is its set of people: with one gone it is a private thread of the others.
  db.update(threads).set({ conversationKey: null }).where(eq(threads.id, threadId)).run();
  changes.accessChanged.add(userId);
  changes.inboxes.add(userId);
  if (userId !== actor) {
    // Not `about` the thread: they no longer see it, and this only names what they saw.
    ctx.notifier.deliver(
      [userId],
      {
        kind: 'warning',
        title: `${userName(db, actor)} removed you from ${quote(threadTitleOf(db, threadId))}`,
        link: '/',
      },
      changes,
    );
  }
  return { threadId, userId, removed: true };
}

/** Longest generated conversation title (the members' names). */
const MAX_CONVERSATION_TITLE_CHARS = 500;

export function openConversation(
  ctx: EffectContext,
  actor: UserId,
  intent: IntentOf<'conversation.open'>,
  changes: Changes,
): { [key: string]: Json } {
  const { db } = ctx;
  const { threadId, workspaceId, userIds } = intent.args;
  const members = conversationMembers(actor, userIds);
  const existing = findConversation(db, workspaceId, members);
  if (existing) return { threadId: existing, existed: true };
  const now = ctx.now();
  const title = members
    .map((id) => userName(db, id))
    .sort((a, b) => a.localeCompare(b))
    .join(', ')
    .slice(0, MAX_CONVERSATION_TITLE_CHARS);
  const thread: Thread = {
    id: threadId,
    workspaceId,
    title,
    intent: null,
    status: 'active',
    visibility: 'private',
    conversation: true,
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
  };
  insertPrivateThread(ctx, actor, thread, members, conversationKey(members), changes);
  return { threadId, existed: false };
}

/**
 * `member.remove`: someone leaving a workspace leaves its private threads too (a re-invitation
 * does not give them back); the conversations they were in no longer name those threads.
 */
export function leaveWorkspaceThreads(
  ctx: EffectContext,
  workspaceId: WorkspaceId,
  userId: UserId,
  changes: Changes,
): void {
  const { db } = ctx;
  const ids = db
    .select({ id: threadMembers.threadId })
    .from(threadMembers)
    .innerJoin(threads, eq(threads.id, threadMembers.threadId))
    .where(and(eq(threads.workspaceId, workspaceId), eq(threadMembers.userId, userId)))
    .all()
    .map((row) => row.id);
  if (ids.length === 0) return;
  db.delete(threadMembers)
    .where(and(eq(threadMembers.userId, userId), inArray(threadMembers.threadId, ids)))
    .run();
  db.update(threads)
    .set({ conversationKey: null })
    .where(and(inArray(threads.id, ids), isNotNull(threads.conversationKey)))
    .run();
  changes.inboxes.add(userId);
}

/**
 * A decision of `threadId` changed: the lists that show open decisions are republished — the
 * workspace document's, or, for a private thread, those in its members' inboxes.
 */
export function decisionListsChanged(db: Db, threadId: ThreadId, changes: Changes): void {
  const thread = threadView(db, threadId);
  if (!thread) return;
  if (thread.visibility !== 'private') {
    changes.workspaces.add(thread.workspaceId);
    return;
  }
  for (const userId of threadAudience(db, threadId)) changes.inboxes.add(userId);
}
