import type { UserId } from '@caucus/schema';
import type { GovernanceService } from './governance-service.js';
import {
  acceptInvitation,
  declineInvitation,
  invitationView,
  openInvitation,
  type AcceptedInvitation,
  type InvitationView,
} from './invitations.js';

/** The invitee's side of invitations, each answer one governance transaction. */
export class InvitationService {
  constructor(private readonly governance: GovernanceService) {}

  /** What the token's invitation is about; `not-found` or `gone` when it cannot be accepted. */
  lookup(token: string): Promise<InvitationView> {
    return this.governance.apply((ctx) => invitationView(ctx, openInvitation(ctx, token)));
  }

  /** The signed-in user accepts; only the account with the invited address may. */
  accept(token: string, user: { id: UserId; email: string }): Promise<AcceptedInvitation> {
    return this.governance.apply((ctx, changes) => acceptInvitation(ctx, token, user, changes));
  }

  decline(token: string): Promise<void> {
    return this.governance.apply((ctx, changes) => declineInvitation(ctx, token, changes));
  }

  /**
   * For signup through the invitation: accepts it inside the signup's transaction (its address is
   * the new user's, proven by the token) and publishes once that has committed.
   */
  acceptAtSignup(token: string): (user: { id: UserId; email: string }) => () => Promise<void> {
    return (user) =>
      this.governance.join((ctx, changes) => acceptInvitation(ctx, token, user, changes)).committed;
  }
}
