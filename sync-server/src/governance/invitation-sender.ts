import type { OutgoingInvitation } from './invitations.js';

/**
 * Delivers an invitation to its address: the seam where mail (SMTP, a later piece) plugs in. It is
 * called for every invitation once it is committed, whether an account has the address or not;
 * without one, only accounts that already exist see their invitations (in their inbox). A failure
 * is logged and the invitation stays valid.
 */
export interface InvitationSender {
  send(invitation: OutgoingInvitation): Promise<void>;
}
