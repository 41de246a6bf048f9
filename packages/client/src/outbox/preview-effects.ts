/**
 * The predicted effect of an intent the policy accepted, applied to the overlay so the intents
 * after it are ruled on over it: the same state transitions the server applies (`proposeDecision`,
 * `applyDecisionEvent`, `applyCheckpointEvent` from @caucus/schema), on the client's copy. Pure.
 */
import {
  applyCheckpointEvent,
  applyDecisionEvent,
  decisionEvent,
  isRejection,
  proposeDecision,
  type Intent,
  type UserId,
} from '@caucus/schema';
import type { Overlay } from './overlay.js';
import { addPrivateThread, changeMembers } from './preview-private.js';

/** Applies the effect of accepted `intent` (by `actor`, at `now`) to `view`. */
export function applyEffect(view: Overlay, actor: UserId, intent: Intent, now: number): void {
  switch (intent.type) {
    case 'thread.create':
      if (intent.args.visibility === 'private') {
        addPrivateThread(view, actor, {
          threadId: intent.args.threadId,
          workspaceId: intent.args.workspaceId,
          members: intent.args.memberIds ?? [],
          conversation: false,
        });
        return;
      }
      view.threads.set(intent.args.threadId, {
        id: intent.args.threadId,
        workspaceId: intent.args.workspaceId,
        status: 'active',
      });
      return;
    case 'thread.addMember':
    case 'thread.removeMember':
      changeMembers(view, intent);
      return;
    case 'conversation.open':
      // Applied where it is ruled on (the thread it names depends on the state it was ruled on).
      return;
    case 'thread.archive':
    case 'thread.restore': {
      const thread = view.thread(intent.args.threadId);
      if (thread)
        view.threads.set(thread.id, {
          ...thread,
          status: intent.type === 'thread.archive' ? 'archived' : 'active',
        });
      return;
    }
    case 'decision.propose': {
      const thread = view.thread(intent.args.threadId);
      if (!thread) return;
      const { decisionId, threadId, title, options, requiredApprovals, dueAt } = intent.args;
      const input = {
        id: decisionId,
        workspaceId: thread.workspaceId,
        threadId,
        title,
        options,
        requiredApprovals,
        dueAt,
      };
      view.decisions.set(decisionId, proposeDecision(input, actor, now));
      return;
    }
    case 'decision.approve':
    case 'decision.resolve':
    case 'decision.defer':
    case 'decision.reopen': {
      const decision = view.decision(intent.args.decisionId);
      if (!decision) return;
      const next = applyDecisionEvent(decision, decisionEvent(intent), actor, now);
      if (!isRejection(next)) view.decisions.set(next.id, next);
      return;
    }
    case 'checkpoint.approve':
    case 'checkpoint.reject': {
      const checkpoint = view.checkpoint(intent.args.checkpointId);
      if (!checkpoint) return;
      const event = intent.type === 'checkpoint.approve' ? 'approve' : 'reject';
      const next = applyCheckpointEvent(checkpoint, event, actor, now);
      if (!isRejection(next)) view.checkpoints.set(next.id, next);
      return;
    }
    case 'member.setRole':
    case 'member.remove': {
      const members = view.members(intent.args.workspaceId) ?? [];
      const { userId } = intent.args;
      view.memberships.set(
        intent.args.workspaceId,
        intent.type === 'member.remove'
          ? members.filter((m) => m.userId !== userId)
          : members.map((m) => (m.userId === userId ? { ...m, role: intent.args.role } : m)),
      );
      return;
    }
    case 'inbox.markRead':
      for (const id of intent.args.notificationIds) view.read.add(id);
      return;
    case 'inbox.markAllRead':
      view.allRead = true;
      return;
    case 'member.invite':
    case 'prefs.set':
      // The invitee's id is the server's to give; preferences have no view here.
      return;
  }
}
