/** Accepted thread intents: the rows, and what to announce once they commit. */
import { eq } from 'drizzle-orm';
import { tables, type IntentOf, type Json, type ThreadStatus, type UserId } from '@caucus/schema';
import { threadRow, type Thread } from '../workspaces/thread-service.js';
import { threadAudience } from '../workspaces/thread-members.js';
import type { Changes } from './changes.js';
import type { EffectContext } from './effect-context.js';
import { insertPrivateThread } from './private-thread-effects.js';
import { threadView } from './reads.js';

const { threads } = tables;

export function createThread(
  ctx: EffectContext,
  actor: UserId,
  intent: IntentOf<'thread.create'>,
  changes: Changes,
): { [key: string]: Json } {
  const now = ctx.now();
  const { threadId, workspaceId, title } = intent.args;
  const thread: Thread = {
    id: threadId,
    workspaceId,
    title,
    intent: intent.args.intent ?? null,
    status: 'active',
    visibility: intent.args.visibility ?? 'workspace',
    conversation: false,
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
  };
  if (thread.visibility === 'private') {
    insertPrivateThread(ctx, actor, thread, intent.args.memberIds ?? [], null, changes);
    return { threadId, visibility: 'private' };
  }
  ctx.db.insert(threads).values(threadRow(thread)).run();
  changes.threadsCreated.push({ thread, actorId: actor });
  return { threadId };
}

/** Archive or restore; the open connections of everyone who sees the thread are re-authorized. */
export function setThreadStatus(
  ctx: EffectContext,
  intent: IntentOf<'thread.archive' | 'thread.restore'>,
  changes: Changes,
): { [key: string]: Json } {
  const status: ThreadStatus = intent.type === 'thread.archive' ? 'archived' : 'active';
  const { threadId } = intent.args;
  ctx.db.update(threads).set({ status, updatedAt: ctx.now() }).where(eq(threads.id, threadId)).run();
  const thread = threadView(ctx.db, threadId);
  if (thread) {
    for (const userId of threadAudience(ctx.db, threadId)) changes.accessChanged.add(userId);
    changes.workspaces.add(thread.workspaceId);
  }
  return { threadId, status };
}
