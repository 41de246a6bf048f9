/**
 * Loads what the policy needs to rule on one intent (`PolicyState`), and the workspace the intent
 * concerns (for the audit log). Runs inside the intent's transaction.
 */
import { and, count, eq } from 'drizzle-orm';
import {
  roleAtLeast,
  tables,
  type DecisionId,
  type Intent,
  type MemberView,
  type PolicyState,
  type Role,
  type ThreadId,
  type ThreadView,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { loadCheckpoint, pendingCheckpointId } from './checkpoint-store.js';
import { loadDecision } from './decision-store.js';

const { decisions, memberships, threads, users } = tables;

export interface LoadedState {
  state: PolicyState;
  workspaceId: WorkspaceId | null;
}

export function roleOf(db: Db, userId: UserId, workspaceId: WorkspaceId): Role | null {
  return (
    db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
      .get()?.role ?? null
  );
}

export function threadView(db: Db, id: ThreadId): ThreadView | null {
  return (
    db
      .select({ id: threads.id, workspaceId: threads.workspaceId, status: threads.status })
      .from(threads)
      .where(eq(threads.id, id))
      .get() ?? null
  );
}

/**
 * Whether a thread or a decision already has `id`, in any workspace. Both kinds are checked for
 * either create, so the refusal cannot tell which kind — or whose — the id is.
 */
function idInUse(db: Db, id: string): boolean {
  const thread = db
    .select({ id: threads.id })
    .from(threads)
    .where(eq(threads.id, id as ThreadId))
    .get();
  if (thread) return true;
  const decision = db
    .select({ id: decisions.id })
    .from(decisions)
    .where(eq(decisions.id, id as DecisionId))
    .get();
  return decision !== undefined;
}

function ownerCount(db: Db, workspaceId: WorkspaceId): number {
  return (
    db
      .select({ n: count() })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'owner')))
      .get()?.n ?? 0
  );
}

function membership(db: Db, workspaceId: WorkspaceId, userId: UserId): MemberView | null {
  const role = roleOf(db, userId, workspaceId);
  return role === null ? null : { userId, role };
}

export function loadPolicyState(db: Db, actor: UserId, intent: Intent): LoadedState {
  switch (intent.type) {
    case 'thread.create': {
      const { workspaceId, threadId } = intent.args;
      return {
        workspaceId,
        state: { role: roleOf(db, actor, workspaceId), idTaken: idInUse(db, threadId) },
      };
    }
    case 'thread.archive':
    case 'thread.restore': {
      const thread = threadView(db, intent.args.threadId);
      if (!thread) return { workspaceId: null, state: { role: null, thread: null } };
      return {
        workspaceId: thread.workspaceId,
        state: {
          role: roleOf(db, actor, thread.workspaceId),
          thread,
          pendingCheckpoint: pendingCheckpointId(db, thread.id),
        },
      };
    }
    case 'decision.propose': {
      const thread = threadView(db, intent.args.threadId);
      const idTaken = idInUse(db, intent.args.decisionId);
      if (!thread) return { workspaceId: null, state: { role: null, thread: null, idTaken } };
      return {
        workspaceId: thread.workspaceId,
        state: { role: roleOf(db, actor, thread.workspaceId), thread, idTaken },
      };
    }
    case 'decision.approve':
    case 'decision.resolve':
    case 'decision.defer':
    case 'decision.reopen': {
      const decision = loadDecision(db, intent.args.decisionId);
      if (!decision) return { workspaceId: null, state: { role: null, decision: null } };
      return {
        workspaceId: decision.workspaceId,
        state: {
          role: roleOf(db, actor, decision.workspaceId),
          decision,
          pendingCheckpoint: pendingCheckpointId(db, decision.id),
        },
      };
    }
    case 'checkpoint.approve':
    case 'checkpoint.reject': {
      const checkpoint = loadCheckpoint(db, intent.args.checkpointId);
      if (!checkpoint) return { workspaceId: null, state: { role: null, checkpoint: null } };
      return {
        workspaceId: checkpoint.workspaceId,
        state: { role: roleOf(db, actor, checkpoint.workspaceId), checkpoint },
      };
    }
    case 'member.invite': {
      const { workspaceId, email } = intent.args;
      const user = db.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
      return {
        workspaceId,
        state: {
          role: roleOf(db, actor, workspaceId),
          member: user ? membership(db, workspaceId, user.id) : null,
          ownerCount: ownerCount(db, workspaceId),
        },
      };
    }
    case 'member.setRole':
    case 'member.remove': {
      const { workspaceId, userId } = intent.args;
      return {
        workspaceId,
        state: {
          role: roleOf(db, actor, workspaceId),
          member: membership(db, workspaceId, userId),
          ownerCount: ownerCount(db, workspaceId),
        },
      };
    }
    case 'inbox.markRead':
    case 'inbox.markAllRead':
    case 'prefs.set':
      return { workspaceId: null, state: { role: null } };
  }
}

/** Members of a workspace with at least `minRole`. */
export function membersOf(db: Db, workspaceId: WorkspaceId, minRole: Role = 'viewer'): UserId[] {
  return db
    .select({ userId: memberships.userId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.workspaceId, workspaceId))
    .all()
    .filter((m) => roleAtLeast(m.role, minRole))
    .map((m) => m.userId);
}
