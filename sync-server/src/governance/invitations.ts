/**
 * Invitations as governance effects: made by `member.invite`, answered by the invitee with the
 * token. Nobody joins a workspace without accepting; whoever signs up with an address first gets
 * nothing from it (only signing up through the token, which proves the address, joins). Every
 * function joins the caller's transaction and records what to publish in its {@link Changes}.
 */
import { and, eq } from 'drizzle-orm';
import {
  newId,
  POLICY_VERSION,
  tables,
  type InvitationId,
  type Role,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import { hashSecret, newSecret } from '../auth/tokens.js';
import { ApiError } from '../errors.js';
import { appendAudit } from './audit.js';
import type { Changes } from './changes.js';
import { userName, workspaceName } from './describe.js';
import type { EffectContext } from './effect-context.js';
import { setMembership } from './membership.js';
import { roleOf } from './reads.js';

const { invitations, users } = tables;

/** How long an invitation can be accepted. */
export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
/** Invitation tokens look like `inv_<43 base64url chars>`: recognisable in logs and secret scanners. */
const TOKEN_PREFIX = 'inv_';

type InvitationRow = typeof invitations.$inferSelect;

/** What the mail seam is given: everything a message to the address needs, the token included. */
export interface OutgoingInvitation {
  invitationId: InvitationId;
  email: string;
  /** Shown once: only its hash is stored. */
  token: string;
  /** The app path that opens it: `/invitations/<token>`. */
  link: string;
  workspaceId: WorkspaceId;
  workspaceName: string;
  inviterName: string;
  role: Role;
  expiresAt: number;
}

/** What the holder of a token may see of its invitation. */
export interface InvitationView {
  id: InvitationId;
  workspace: { id: WorkspaceId; name: string };
  invitedBy: { id: UserId; name: string };
  email: string;
  role: Role;
  expiresAt: number;
}

export function invitationLink(token: string): string {
  return `/invitations/${token}`;
}

/**
 * Makes an invitation of `email` to the workspace, replacing a pending one of the same address:
 * its token goes to the mail seam (after commit) and, when an account has that address, to its
 * inbox. The result is the same whether that account exists or not.
 */
export function createInvitation(
  ctx: EffectContext,
  actor: UserId,
  args: { workspaceId: WorkspaceId; email: string; role: Role },
  changes: Changes,
): { invitationId: InvitationId; expiresAt: number } {
  const { db } = ctx;
  const { workspaceId, email, role } = args;
  const now = ctx.now();
  db.update(invitations)
    .set({ status: 'superseded', answeredAt: now })
    .where(
      and(
        eq(invitations.workspaceId, workspaceId),
        eq(invitations.email, email),
        eq(invitations.status, 'pending'),
      ),
    )
    .run();
  const id = newId<InvitationId>(now);
  const token = TOKEN_PREFIX + newSecret();
  const expiresAt = now + INVITATION_TTL_MS;
  db.insert(invitations)
    .values({
      id,
      workspaceId,
      email,
      role,
      invitedBy: actor,
      tokenHash: hashSecret(token),
      status: 'pending',
      createdAt: now,
      expiresAt,
    })
    .run();
  const outgoing: OutgoingInvitation = {
    invitationId: id,
    email,
    token,
    link: invitationLink(token),
    workspaceId,
    workspaceName: workspaceName(db, workspaceId),
    inviterName: userName(db, actor),
    role,
    expiresAt,
  };
  changes.invitations.push(outgoing);
  const account = db.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
  if (account) {
    ctx.notifier.deliver(
      [account.id],
      {
        kind: 'info',
        title: `${outgoing.inviterName} invited you to join ${outgoing.workspaceName} as ${role}`,
        body: 'Open the invitation to accept or decline it.',
        link: outgoing.link,
        dedupeKey: `invitation:${id}`,
        // The inbox is the only way an invitation reaches an account until mail is configured.
        evenIfMuted: true,
      },
      changes,
    );
  }
  return { invitationId: id, expiresAt };
}

/**
 * The pending invitation the token opens: `not-found` for a token that never was one, `gone` for
 * one answered, replaced or expired — or made by someone who is no longer an owner there (it
 * holds again if they are made owner again).
 */
export function openInvitation(ctx: EffectContext, token: string): InvitationRow {
  const { db } = ctx;
  const row = db
    .select()
    .from(invitations)
    .where(eq(invitations.tokenHash, hashSecret(token)))
    .get();
  if (!row) throw new ApiError('not-found', 'no such invitation');
  if (row.status !== 'pending') throw gone(`was already ${row.status}`);
  if (row.expiresAt <= ctx.now()) throw gone('has expired; ask for a new one');
  if (roleOf(db, row.invitedBy, row.workspaceId) !== 'owner') {
    throw gone('can no longer be accepted: whoever made it is no longer an owner there');
  }
  return row;
}

export function invitationView(ctx: EffectContext, row: InvitationRow): InvitationView {
  return {
    id: row.id,
    workspace: { id: row.workspaceId, name: workspaceName(ctx.db, row.workspaceId) },
    invitedBy: { id: row.invitedBy, name: userName(ctx.db, row.invitedBy) },
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt,
  };
}

export interface AcceptedInvitation {
  workspaceId: WorkspaceId;
  /** The role the user now has there (an existing membership is kept as it is). */
  role: Role;
}

/**
 * The user accepts: they join with the invited role (a member already keeps theirs), the inviter
 * hears of it, and the audit log records it. Only the account with the invited address may accept
 * (`forbidden` for any other), so a forwarded or leaked link is no use to anyone else.
 */
export function acceptInvitation(
  ctx: EffectContext,
  token: string,
  user: { id: UserId; email: string },
  changes: Changes,
): AcceptedInvitation {
  const { db } = ctx;
  const row = openInvitation(ctx, token);
  if (row.email !== user.email) {
    throw new ApiError('forbidden', `this invitation is for ${row.email}; log in with that address`);
  }
  const now = ctx.now();
  db.update(invitations)
    .set({ status: 'accepted', answeredAt: now, answeredBy: user.id })
    .where(eq(invitations.id, row.id))
    .run();
  const current = roleOf(db, user.id, row.workspaceId);
  const role = current ?? row.role;
  if (current === null) setMembership(ctx, user.id, row.workspaceId, user.id, role, changes);
  const accepted: AcceptedInvitation = { workspaceId: row.workspaceId, role };
  appendAudit(db, {
    at: now,
    actor: user.id,
    workspaceId: row.workspaceId,
    intentId: null,
    type: 'invitation.accept',
    intent: JSON.stringify({ invitationId: row.id, invitedBy: row.invitedBy, role: row.role }),
    verdict: { status: 'accepted', result: { ...accepted, joined: current === null } },
    policyVersion: POLICY_VERSION,
  });
  ctx.notifier.deliver(
    [row.invitedBy],
    {
      kind: 'success',
      title: `${userName(db, user.id)} accepted your invitation to ${workspaceName(db, row.workspaceId)}`,
      link: `/workspaces/${row.workspaceId}`,
      dedupeKey: `invitation-answer:${row.id}`,
    },
    changes,
  );
  return accepted;
}

/** Declines: the token is enough, so an invitee without an account can say no too. */
export function declineInvitation(ctx: EffectContext, token: string, changes: Changes): void {
  const { db } = ctx;
  const row = openInvitation(ctx, token);
  db.update(invitations)
    .set({ status: 'declined', answeredAt: ctx.now() })
    .where(eq(invitations.id, row.id))
    .run();
  ctx.notifier.deliver(
    [row.invitedBy],
    {
      kind: 'info',
      title: `${row.email} declined your invitation to ${workspaceName(db, row.workspaceId)}`,
      link: `/workspaces/${row.workspaceId}`,
      dedupeKey: `invitation-answer:${row.id}`,
    },
    changes,
  );
}

function gone(why: string): ApiError {
  return new ApiError('gone', `this invitation ${why}`);
}
