/**
 * The optimistic state: server state plus the pending intents, each ruled on by the shared policy
 * (`decide` from @caucus/schema, the code the server runs) in queue order, each accepted one's
 * effect applied before the next is ruled on — so an offline user sees the verdict the server will
 * most likely give, and a chain (propose, then approve, then resolve) previews as a chain. Pure.
 */
import {
  applyCheckpointEvent,
  applyDecisionEvent,
  decide,
  decisionEvent,
  isRejection,
  proposeDecision,
  type CheckpointId,
  type CheckpointState,
  type DecisionId,
  type DecisionState,
  type Intent,
  type MemberView,
  type NotificationId,
  type PolicyState,
  type ThreadId,
  type ThreadView,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { roleIn, type GovernedView } from './governed-view.js';
import {
  addPrivateThread,
  changeMembers,
  conversationSlot,
  conversationState,
  predictedConversation,
  threadMemberState,
} from './preview-private.js';

export type Prediction =
  /** `result`: for `conversation.open`, the thread it names (an existing conversation, or its own). */
  | { status: 'accepted'; result?: { threadId: ThreadId; existed: boolean } }
  | { status: 'rejected'; code: string; reason: string; remedy: string }
  | { status: 'awaiting-approval' }
  /** The client does not hold the state the policy needs (a document not loaded here). */
  | { status: 'unknown'; missing: string };

export interface Optimistic {
  predictions: Map<string, Prediction>;
  /** The changed entities only; read through {@link Overlay.decision} etc. for the merged view. */
  overlay: Overlay;
}

/** Server state with the predicted effects of the pending intents on top. */
export class Overlay implements GovernedView {
  readonly decisions = new Map<DecisionId, DecisionState>();
  readonly threads = new Map<ThreadId, ThreadView>();
  readonly memberships = new Map<WorkspaceId, MemberView[]>();
  readonly checkpoints = new Map<CheckpointId, CheckpointState>();
  /** Targets a predicted checkpoint now waits on (`decision:<id>`, `thread:<id>`). */
  readonly waiting = new Set<string>();
  readonly read = new Set<NotificationId>();
  /** Predicted members of private threads. */
  readonly threadMemberships = new Map<ThreadId, UserId[]>();
  /** Predicted conversations, by {@link conversationSlot}. */
  readonly conversations = new Map<string, ThreadId>();
  allRead = false;

  constructor(readonly base: GovernedView) {}

  members(id: WorkspaceId) {
    return this.memberships.get(id) ?? this.base.members(id);
  }
  thread(id: ThreadId) {
    return this.threads.get(id) ?? this.base.thread(id);
  }
  decision(id: DecisionId) {
    return this.decisions.get(id) ?? this.base.decision(id);
  }
  pendingCheckpointOf(id: DecisionId) {
    return this.waiting.has(`decision:${id}`)
      ? ('(queued)' as CheckpointId)
      : this.base.pendingCheckpointOf(id);
  }
  checkpoint(id: CheckpointId) {
    return this.checkpoints.get(id) ?? this.base.checkpoint(id);
  }
  threadMembers(id: ThreadId) {
    return this.threadMemberships.get(id) ?? this.base.threadMembers(id);
  }
  conversation(workspaceId: WorkspaceId, members: readonly UserId[]) {
    return (
      this.conversations.get(conversationSlot(workspaceId, members)) ??
      this.base.conversation(workspaceId, members)
    );
  }
}

/** Rules on `pending` (oldest first) as `actor` over `view`, at time `now`. */
export function preview(
  actor: UserId,
  view: GovernedView,
  pending: readonly Intent[],
  now: number,
): Optimistic {
  const overlay = new Overlay(view);
  const predictions = new Map<string, Prediction>();
  for (const intent of pending) {
    const state = policyState(actor, overlay, intent);
    if (typeof state === 'string') {
      predictions.set(intent.id, { status: 'unknown', missing: state });
      continue;
    }
    const ruling = decide({ userId: actor }, state, intent);
    switch (ruling.status) {
      case 'accepted':
        if (intent.type === 'conversation.open') {
          const result = predictedConversation(state, intent);
          predictions.set(intent.id, { status: 'accepted', result });
          if (!result.existed)
            addPrivateThread(overlay, actor, {
              threadId: result.threadId,
              workspaceId: intent.args.workspaceId,
              members: intent.args.userIds,
              conversation: true,
            });
          break;
        }
        predictions.set(intent.id, { status: 'accepted' });
        applyEffect(overlay, actor, intent, now);
        break;
      case 'escalate':
        predictions.set(intent.id, { status: 'awaiting-approval' });
        overlay.waiting.add(`${ruling.target.kind}:${ruling.target.id}`);
        break;
      case 'rejected': {
        const { code, reason, remedy } = ruling;
        predictions.set(intent.id, { status: 'rejected', code, reason, remedy });
        break;
      }
    }
  }
  return { predictions, overlay };
}

/** What the policy needs for `intent`, or the name of what the client does not know. */
function policyState(actor: UserId, view: Overlay, intent: Intent): PolicyState | string {
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

function applyEffect(view: Overlay, actor: UserId, intent: Intent, now: number): void {
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
