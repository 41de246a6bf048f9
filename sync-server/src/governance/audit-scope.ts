/**
 * Which private thread an audit event concerns, if any. Owners read their workspace's audit log,
 * but an event about a private thread — its creation, its members, its status, the decisions and
 * checkpoints in it, even a rejected attempt to create one — is listed only to owners who are
 * members of that thread: to everyone else the thread does not exist, and neither do its events.
 */
import type { Intent, ThreadId, Verdict } from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { loadCheckpoint } from './checkpoint-store.js';
import { loadDecision } from './decision-store.js';
import { threadOfTarget, threadView } from './reads.js';

/** The thread `intent` names or works in (for `conversation.open`, the one it gave back). */
function threadNamed(db: Db, intent: Intent, verdict: Verdict): ThreadId | null {
  switch (intent.type) {
    case 'thread.create':
    case 'thread.archive':
    case 'thread.restore':
    case 'thread.addMember':
    case 'thread.removeMember':
    case 'decision.propose':
      return intent.args.threadId;
    case 'conversation.open': {
      const given = verdict.status === 'accepted' ? verdict.result.threadId : undefined;
      return typeof given === 'string' ? (given as ThreadId) : intent.args.threadId;
    }
    case 'decision.approve':
    case 'decision.resolve':
    case 'decision.defer':
    case 'decision.reopen':
      return loadDecision(db, intent.args.decisionId)?.threadId ?? null;
    case 'checkpoint.approve':
    case 'checkpoint.reject': {
      const checkpoint = loadCheckpoint(db, intent.args.checkpointId);
      return checkpoint ? (threadOfTarget(db, checkpoint.target)?.id ?? null) : null;
    }
    case 'member.invite':
    case 'member.setRole':
    case 'member.remove':
    case 'inbox.markRead':
    case 'inbox.markAllRead':
    case 'prefs.set':
      return null;
  }
}

/** The private thread the event of `intent` concerns; call after its effects, in its transaction. */
export function privateThreadOf(db: Db, intent: Intent, verdict: Verdict): ThreadId | null {
  const id = threadNamed(db, intent, verdict);
  if (id === null) return null;
  const thread = threadView(db, id);
  if (thread) return thread.visibility === 'private' ? id : null;
  // A private thread that was never made (a rejected creation) is seen by no owner either.
  const wouldBePrivate =
    intent.type === 'conversation.open' ||
    (intent.type === 'thread.create' && intent.args.visibility === 'private');
  return wouldBePrivate ? id : null;
}
