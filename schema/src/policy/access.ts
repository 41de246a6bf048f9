/**
 * The document access rule: what a user may do with a document (`write`, `read` or `none`),
 * given the facts the server reads about it. Pure, next to the role rules: the server evaluates
 * it at every sync upgrade and on every role or thread-membership change, a client may evaluate it
 * on what its documents say.
 *
 * - A thread: editors and up write, viewers read; an archived thread is frozen (everyone reads,
 *   owners too, until it is restored); a private thread is `none` for everyone but its members,
 *   owners of the workspace included.
 * - A decision: server-written; every member of its workspace reads it, or only the thread's
 *   members when it was proposed in a private thread.
 * - An inbox: server-written; its owner reads it, nobody else sees it.
 * - The workspace catalog: server-written; every member reads it.
 */
import type { ThreadStatus } from '../db/tables.js';
import type { ThreadVisibility } from '../intents/thread-intents.js';
import { roleAtLeast, type Access, type Role } from '../roles.js';

/** What the rule needs to know about the user and a thread (or a decision's thread). */
export interface ThreadAccessFacts {
  /** The user's role in the thread's workspace; null when not a member. */
  role: Role | null;
  visibility: ThreadVisibility;
  /** The user is one of the thread's own members (what a private thread is seen by). */
  inThread: boolean;
  status: ThreadStatus;
}

/** The facts for `ref`, by its kind; null when the thread or decision does not exist. */
export type AccessFacts =
  | { kind: 'thread'; thread: ThreadAccessFacts | null }
  | { kind: 'decision'; thread: Omit<ThreadAccessFacts, 'status'> | null }
  /** The inbox is the user's own. */
  | { kind: 'inbox'; own: boolean }
  | { kind: 'workspace'; role: Role | null };

/** What the user the facts were read for may do with the document. */
export function documentAccess(facts: AccessFacts): Access {
  switch (facts.kind) {
    case 'thread': {
      const t = facts.thread;
      if (!t?.role || (t.visibility === 'private' && !t.inThread)) return 'none';
      if (t.status === 'archived') return 'read';
      return roleAtLeast(t.role, 'editor') ? 'write' : 'read';
    }
    case 'decision': {
      const t = facts.thread;
      return t?.role && (t.visibility === 'workspace' || t.inThread) ? 'read' : 'none';
    }
    case 'inbox':
      return facts.own ? 'read' : 'none';
    case 'workspace':
      return facts.role ? 'read' : 'none';
  }
}
