/**
 * What the shared policy needs to rule on one pending intent, read from the overlay (server state
 * plus the intents before it) — or, where the client does not hold that state (a document not
 * loaded here), the name of what is missing, so the preview says `unknown` instead of guessing.
 */
import type { CheckpointId, Intent, PolicyState, UserId, WorkspaceId } from '@caucus/schema';
import { roleIn } from './governed-view.js';
import type { Overlay } from './overlay.js';
import { conversationState, threadMemberState } from './preview-private.js';

/** What the policy needs for `intent`, or the name of what the client does not know. */
export function policyState(actor: UserId, view: Overlay, intent: Intent): PolicyState | string {
  const role = (workspaceId: WorkspaceId) => roleIn(view, workspaceId, actor);
  switch (intent.type) {
    case 'thread.create': {
      const r = role(intent.args.workspaceId);
      if (r === undefined) return `workspace:${intent.args.workspaceId}`;
      const members = view.members(intent.args.workspaceId) ?? [];
      const strangers = (intent.args.memberIds ?? []).filter((id) => !members.some((m) => m.userId === id));
      return { role: r, idTaken: Boolean(view.thread(intent.args.threadId)), strangers };
    }
    // Private threads and conversations: from the user's own catalog (`inbox:<me>`).
    case 'thread.addMember':
    case 'thread.removeMember':
      return threadMemberState(actor, view, intent);
    case 'conversation.open':
      return conversationState(actor, view, intent);
    case 'thread.archive':
    case 'thread.restore':
    case 'decision.propose': {
      const thread = view.thread(intent.args.threadId);
      if (thread === undefined) return `thread:${intent.args.threadId}`;
      if (thread === null) return { role: null, thread: null };
      const r = role(thread.workspaceId);
      if (r === undefined) return `workspace:${thread.workspaceId}`;
      if (intent.type === 'decision.propose') {
        return { role: r, thread, idTaken: Boolean(view.decision(intent.args.decisionId)) };
      }
      const waiting = view.waiting.has(`thread:${thread.id}`) ? ('(queued)' as CheckpointId) : null;
      return { role: r, thread, pendingCheckpoint: waiting };
    }
    case 'decision.approve':
    case 'decision.resolve':
    case 'decision.defer':
    case 'decision.reopen': {
      const decision = view.decision(intent.args.decisionId);
      if (decision === undefined) return `decision:${intent.args.decisionId}`;
      if (decision === null) return { role: null, decision: null };
      const r = role(decision.workspaceId);
      if (r === undefined) return `workspace:${decision.workspaceId}`;
      return { role: r, decision, pendingCheckpoint: view.pendingCheckpointOf(decision.id) ?? null };
    }
    case 'checkpoint.approve':
    case 'checkpoint.reject': {
      const checkpoint = view.checkpoint(intent.args.checkpointId);
      if (checkpoint === undefined) return `checkpoint ${intent.args.checkpointId}`;
      if (checkpoint === null) return { role: null, checkpoint: null };
      const r = role(checkpoint.workspaceId);
      if (r === undefined) return `workspace:${checkpoint.workspaceId}`;
      return { role: r, checkpoint };
    }
    case 'member.invite':
    case 'member.setRole':
    case 'member.remove': {
      const members = view.members(intent.args.workspaceId);
      if (members === undefined) return `workspace:${intent.args.workspaceId}`;
      const me = members.find((m) => m.userId === actor)?.role ?? null;
      const member =
        intent.type === 'member.invite'
          ? null
          : (members.find((m) => m.userId === intent.args.userId) ?? null);
      return { role: me, member, ownerCount: members.filter((m) => m.role === 'owner').length };
    }
    case 'inbox.markRead':
    case 'inbox.markAllRead':
    case 'prefs.set':
      return { role: null };
  }
}
