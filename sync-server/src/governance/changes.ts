import type { DecisionId, UserId, WorkspaceId } from '@caucus/schema';
import type { ThreadCreated } from '../workspaces/thread-service.js';
import type { MembershipChange } from '../workspaces/workspace-service.js';
import type { OutgoingInvitation } from './invitations.js';

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
  /** Invitations made, for the mail seam once committed (nothing to publish). */
  readonly invitations: OutgoingInvitation[] = [];

  add(other: Changes): void {
    for (const id of other.decisions) this.decisions.add(id);
    for (const id of other.inboxes) this.inboxes.add(id);
    for (const id of other.workspaces) this.workspaces.add(id);
    for (const id of other.accessChanged) this.accessChanged.add(id);
    this.memberships.push(...other.memberships);
    this.threadsCreated.push(...other.threadsCreated);
    this.invitations.push(...other.invitations);
  }

  get empty(): boolean {
    return (
      this.decisions.size + this.inboxes.size + this.workspaces.size + this.accessChanged.size === 0 &&
      this.memberships.length + this.threadsCreated.length === 0
    );
  }
}
