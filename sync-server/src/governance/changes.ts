import type { CheckpointState, DecisionId, Json, UserId, WorkspaceId } from '@caucus/schema';
import type { ThreadCreated } from '../workspaces/thread-service.js';
import type { MembershipChange } from '../workspaces/workspace-service.js';

/** A checkpoint that closed, and the final verdict of the intent that waited in it. */
export interface CheckpointOutcome {
  /** As closed: `executed`, `failed` or `rejected`. */
  checkpoint: CheckpointState;
  verdict:
    | { status: 'accepted'; result: { [key: string]: Json } }
    | { status: 'rejected'; code: string; reason: string; remedy: string };
}

/**
 * What a committed governance transaction changed beyond its rows: the documents to publish and the
 * events to announce. Collected inside the transaction, acted on only after it commits.
 */
export class Changes {
  readonly decisions = new Set<DecisionId>();
  readonly inboxes = new Set<UserId>();
  readonly workspaces = new Set<WorkspaceId>();
  readonly memberships: MembershipChange[] = [];
  readonly threadsCreated: ThreadCreated[] = [];
  /** Users whose document access changed without a membership change (a thread archived). */
  readonly accessChanged = new Set<UserId>();
  /** Checkpoints closed by the intent; the engine receipts their outcomes before it commits. */
  readonly checkpointOutcomes: CheckpointOutcome[] = [];

  add(other: Changes): void {
    for (const id of other.decisions) this.decisions.add(id);
    for (const id of other.inboxes) this.inboxes.add(id);
    for (const id of other.workspaces) this.workspaces.add(id);
    for (const id of other.accessChanged) this.accessChanged.add(id);
    this.memberships.push(...other.memberships);
    this.threadsCreated.push(...other.threadsCreated);
    this.checkpointOutcomes.push(...other.checkpointOutcomes);
  }

  get empty(): boolean {
    return (
      this.decisions.size + this.inboxes.size + this.workspaces.size + this.accessChanged.size === 0 &&
      this.memberships.length + this.threadsCreated.length === 0
    );
  }
}
