/** Words for people: what an intent asks for, and where it points, for notifications. */
import { eq } from 'drizzle-orm';
import {
  tables,
  type CheckpointId,
  type DecisionId,
  type Intent,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { Db } from '../storage/db.js';

const { checkpoints, decisions, threads, users, workspaces } = tables;

/** Titles are quoted, and cut so one notification line stays readable. */
const QUOTE_CHARS = 80;

export function quote(text: string): string {
  return `“${text.length <= QUOTE_CHARS ? text : `${text.slice(0, QUOTE_CHARS - 1)}…`}”`;
}

export function userName(db: Db, id: UserId): string {
  return db.select({ name: users.name }).from(users).where(eq(users.id, id)).get()?.name ?? 'someone';
}

export function workspaceName(db: Db, id: WorkspaceId): string {
  return db.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, id)).get()?.name ?? id;
}

/** A thread's title (unquoted); its id when there is no such thread. */
export function threadTitleOf(db: Db, id: ThreadId): string {
  return db.select({ title: threads.title }).from(threads).where(eq(threads.id, id)).get()?.title ?? id;
}

/**
 * Names things for someone who may not see them: by id, never by a title read from the rows (the
 * actor of a `not-found` rejection must not learn a private thread's title from its notification).
 */
type Naming = 'titles' | 'ids';

function threadTitle(db: Db, id: ThreadId, naming: Naming): string {
  return naming === 'ids' ? id : quote(threadTitleOf(db, id));
}

function decisionTitle(db: Db, id: DecisionId, naming: Naming): string {
  if (naming === 'ids') return `decision ${id}`;
  return quote(
    db.select({ title: decisions.title }).from(decisions).where(eq(decisions.id, id)).get()?.title ?? id,
  );
}

function checkpointAction(db: Db, id: CheckpointId, naming: Naming): string {
  if (naming === 'ids') return `checkpoint ${id}`;
  const row = db.select({ action: checkpoints.action }).from(checkpoints).where(eq(checkpoints.id, id)).get();
  return row ? `the request to ${describeIntent(db, row.action)}` : `checkpoint ${id}`;
}

/**
 * "resolve “Budget” as “yes”": what the intent asks for, as a verb phrase. With `ids`, what it
 * names is named by id only (see {@link Naming}).
 */
export function describeIntent(db: Db, intent: Intent, naming: Naming = 'titles'): string {
  switch (intent.type) {
    case 'thread.create':
      return `create the thread ${quote(intent.args.title)}`;
    case 'thread.archive':
      return `archive the thread ${threadTitle(db, intent.args.threadId, naming)}`;
    case 'thread.restore':
      return `restore the thread ${threadTitle(db, intent.args.threadId, naming)}`;
    case 'thread.addMember':
      return `add ${userName(db, intent.args.userId)} to the thread ${threadTitle(db, intent.args.threadId, naming)}`;
    case 'thread.removeMember':
      return `remove ${userName(db, intent.args.userId)} from the thread ${threadTitle(db, intent.args.threadId, naming)}`;
    case 'conversation.open':
      return `open a conversation with ${intent.args.userIds.map((id) => userName(db, id)).join(', ')}`;
    case 'decision.propose':
      return `propose the decision ${quote(intent.args.title)}`;
    case 'decision.approve':
      return `approve ${decisionTitle(db, intent.args.decisionId, naming)}`;
    case 'decision.resolve':
      return `resolve ${decisionTitle(db, intent.args.decisionId, naming)} as ${quote(intent.args.outcome)}`;
    case 'decision.defer':
      return `defer ${decisionTitle(db, intent.args.decisionId, naming)}`;
    case 'decision.reopen':
      return `reopen ${decisionTitle(db, intent.args.decisionId, naming)}`;
    case 'checkpoint.approve':
      return `approve ${checkpointAction(db, intent.args.checkpointId, naming)}`;
    case 'checkpoint.reject':
      return `reject ${checkpointAction(db, intent.args.checkpointId, naming)}`;
    case 'member.invite':
      return `add ${intent.args.email} as ${intent.args.role}`;
    case 'member.setRole':
      return `make ${userName(db, intent.args.userId)} ${intent.args.role}`;
    case 'member.remove':
      return `remove ${userName(db, intent.args.userId)}`;
    case 'inbox.markRead':
    case 'inbox.markAllRead':
      return 'mark notifications read';
    case 'prefs.set':
      return 'change notification preferences';
  }
}

/** The app path an intent is about. */
export function linkFor(intent: Intent): string {
  switch (intent.type) {
    case 'thread.create':
    case 'thread.archive':
    case 'thread.restore':
    case 'thread.addMember':
    case 'thread.removeMember':
    case 'conversation.open':
      return `/threads/${intent.args.threadId}`;
    case 'decision.propose':
    case 'decision.approve':
    case 'decision.resolve':
    case 'decision.defer':
    case 'decision.reopen':
      return `/decisions/${intent.args.decisionId}`;
    case 'checkpoint.approve':
    case 'checkpoint.reject':
      return `/checkpoints/${intent.args.checkpointId}`;
    case 'member.invite':
    case 'member.setRole':
    case 'member.remove':
      return `/workspaces/${intent.args.workspaceId}`;
    case 'inbox.markRead':
    case 'inbox.markAllRead':
    case 'prefs.set':
      return '/inbox';
  }
}
