/** Accepted member intents: invitations and memberships, announced once committed. */
import { and, eq } from 'drizzle-orm';
import { tables, type IntentOf, type Json, type UserId } from '@caucus/schema';
import type { Changes } from './changes.js';
import { workspaceName } from './describe.js';
import type { EffectContext } from './effect-context.js';
import { leaveWorkspaceThreads } from './private-thread-effects.js';
import { createInvitation } from './invitations.js';
import { setMembership } from './membership.js';

const { memberships } = tables;

/**
 * An invitation, never a membership: the same result whether an account with the address exists
 * or not, so the inviter learns nothing about who has an account.
 */
export function inviteMember(
  ctx: EffectContext,
  actor: UserId,
  intent: IntentOf<'member.invite'>,
  changes: Changes,
): { [key: string]: Json } {
  const { workspaceId, email, role } = intent.args;
  const { invitationId, expiresAt } = createInvitation(ctx, actor, { workspaceId, email, role }, changes);
  return { workspaceId, email, role, status: 'invited', invitationId, expiresAt };
}

export function setMemberRole(
  ctx: EffectContext,
  actor: UserId,
  intent: IntentOf<'member.setRole'>,
  changes: Changes,
): { [key: string]: Json } {
  const { workspaceId, userId, role } = intent.args;
  setMembership(ctx, actor, workspaceId, userId, role, changes);
  return { workspaceId, userId, role };
}

export function removeMember(
  ctx: EffectContext,
  actor: UserId,
  intent: IntentOf<'member.remove'>,
  changes: Changes,
): { [key: string]: Json } {
  const { db } = ctx;
  const { workspaceId, userId } = intent.args;
  db.delete(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
    .run();
  leaveWorkspaceThreads(ctx, workspaceId, userId, changes);
  changes.memberships.push({ workspaceId, userId, role: null });
  changes.workspaces.add(workspaceId);
  if (userId !== actor) {
    ctx.notifier.deliver(
      [userId],
      { kind: 'warning', title: `You were removed from ${workspaceName(db, workspaceId)}`, link: '/' },
      changes,
    );
  }
  return { workspaceId, userId, removed: true };
}
