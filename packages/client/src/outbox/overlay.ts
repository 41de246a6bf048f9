/**
 * The overlay a preview builds: the synced server state (a {@link GovernedView}) with the predicted
 * effects of the pending intents on top, read through the same interface the policy reads the
 * server state through. It holds only what changed; every read falls through to the base.
 */
import type {
  CheckpointId,
  CheckpointState,
  DecisionId,
  DecisionState,
  MemberView,
  NotificationId,
  ThreadId,
  ThreadView,
  UserId,
  WorkspaceId,
} from '@caucus/schema';
import type { GovernedView } from './governed-view.js';
import { conversationSlot } from './preview-private.js';

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
