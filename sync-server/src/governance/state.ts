/**
 * Loads what the policy needs to rule on one intent (`PolicyState`), and the workspace the intent
 * concerns (for the audit log). Runs inside the intent's transaction.
 */
import { eq } from 'drizzle-orm';
import { tables, type Intent, type PolicyState, type UserId, type WorkspaceId } from '@caucus/schema';
import type { Db } from '../storage/db.js';
import { loadCheckpoint, pendingCheckpointId } from './checkpoint-store.js';
import { loadDecision } from './decision-store.js';
import { idInUse } from './id-in-use.js';
import { loadConversationState, loadThreadMemberState, strangersOf } from './private-state.js';
import { membership, ownerCount, roleOf, threadOfTarget, threadRoleOf, threadView } from './reads.js';

const { users } = tables;

export interface LoadedState {
  state: PolicyState;
  workspaceId: WorkspaceId | null;
}

export function loadPolicyState(db: Db, actor: UserId, intent: Intent): LoadedState {
  switch (intent.type) {
    case 'thread.create': {
      const { workspaceId, threadId, memberIds = [] } = intent.args;
      return {
        workspaceId,
        state: {
          role: roleOf(db, actor, workspaceId),
          idTaken: idInUse(db, threadId),
          strangers: strangersOf(db, workspaceId, memberIds),
        },
      };
    }
    case 'thread.addMember':
    case 'thread.removeMember':
      return loadThreadMemberState(db, actor, intent);
    case 'conversation.open':
      return loadConversationState(db, actor, intent);
    case 'thread.archive':
    case 'thread.restore': {
      const thread = threadView(db, intent.args.threadId);
      if (!thread) return { workspaceId: null, state: { role: null, thread: null } };
      return {
        workspaceId: thread.workspaceId,
        state: {
          role: threadRoleOf(db, actor, thread),
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
        state: { role: threadRoleOf(db, actor, thread), thread, idTaken },
      };
    }
    case 'decision.approve':
    case 'decision.resolve':
    case 'decision.defer':
    case 'decision.reopen': {
      const decision = loadDecision(db, intent.args.decisionId);
      if (!decision) return { workspaceId: null, state: { role: null, decision: null } };
      const thread = threadView(db, decision.threadId);
      return {
        workspaceId: decision.workspaceId,
        state: {
          role: thread ? threadRoleOf(db, actor, thread) : null,
          decision,
          pendingCheckpoint: pendingCheckpointId(db, decision.id),
        },
      };
    }
    case 'checkpoint.approve':
    case 'checkpoint.reject': {
      const checkpoint = loadCheckpoint(db, intent.args.checkpointId);
      if (!checkpoint) return { workspaceId: null, state: { role: null, checkpoint: null } };
      const thread = threadOfTarget(db, checkpoint.target);
      return {
        workspaceId: checkpoint.workspaceId,
        state: { role: thread ? threadRoleOf(db, actor, thread) : null, checkpoint },
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
