/**
 * Governed state as the client knows it (server state, read from the server-only documents), for
 * previewing queued intents with the shared policy. `undefined` means "not known here" (the
 * document is not loaded); `null` means "known not to exist". Private threads and conversations
 * come from the user's own catalog in their `inbox:` document (no shared catalog lists them).
 */
import type {
  CheckpointId,
  CheckpointState,
  DecisionId,
  DecisionState,
  MemberView,
  ThreadId,
  ThreadView,
  UserId,
  WorkspaceId,
} from '@caucus/schema';

export interface GovernedView {
  /** The members of a workspace with their roles. */
  members(workspaceId: WorkspaceId): MemberView[] | undefined;
  thread(threadId: ThreadId): ThreadView | null | undefined;
  decision(decisionId: DecisionId): DecisionState | null | undefined;
  /** The checkpoint waiting on a decision, when the decision document says. */
  pendingCheckpointOf(decisionId: DecisionId): CheckpointId | null | undefined;
  checkpoint(checkpointId: CheckpointId): CheckpointState | null | undefined;
  /** The members of a private thread the user is in (their own catalog lists them), sorted. */
  threadMembers(threadId: ThreadId): readonly UserId[] | undefined;
  /**
   * The direct conversation of exactly `members` (sorted, the user among them) in a workspace:
   * its thread, null when the user's catalog holds none, undefined when that catalog is not here.
   */
  conversation(workspaceId: WorkspaceId, members: readonly UserId[]): ThreadId | null | undefined;
}

/** Knows nothing: every intent previews as `unknown`. */
export const EMPTY_VIEW: GovernedView = {
  members: () => undefined,
  thread: () => undefined,
  decision: () => undefined,
  pendingCheckpointOf: () => undefined,
  checkpoint: () => undefined,
  threadMembers: () => undefined,
  conversation: () => undefined,
};

export function roleIn(view: GovernedView, workspaceId: WorkspaceId, userId: UserId) {
  const members = view.members(workspaceId);
  if (members === undefined) return undefined;
  return members.find((m) => m.userId === userId)?.role ?? null;
}
