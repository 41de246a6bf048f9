/** Accepted member intents: invitations and memberships, announced once committed. */
import { and, eq } from 'drizzle-orm';
import { tables, type IntentOf, type Json, type Role, type UserId, type WorkspaceId } from '@caucus/schema';
import type { Changes } from './changes.js';
import { workspaceName } from './describe.js';
import type { EffectContext } from './effect-context.js';
import { leaveWorkspaceThreads } from './private-thread-effects.js';
import { createInvitation } from './invitations.js';
import { roleOf } from './state.js';

const { memberships } = tables;

/** Gives `userId` the role (joining or changing), announcing and telling them when it changed. */
export function setMembership(
  ctx: EffectContext,
  actor: UserId,
  workspaceId: WorkspaceId,
  userId: UserId,
  role: Role,
  changes: Changes,
): void {
  const { db } = ctx;
  const current = roleOf(db, userId, workspaceId);
  if (current === role) return;
  db.insert(memberships)
    .values({ workspaceId, userId, role, createdAt: ctx.now() })
    .onConflictDoUpdate({ target: [memberships.workspaceId, memberships.userId], set: { role } })
    .run();
  changes.memberships.push({ workspaceId, userId, role });
  changes.workspaces.add(workspaceId);
  if (userId === actor) return;
  const name = workspaceName(db, workspaceId);
  ctx.notifier.deliver(
    [userId],
    {
      kind: 'info',
      title: current === null ? `You joined ${name} as ${role}` : `Your role in ${name} is now ${role}`,
      link: `/workspaces/${workspaceId}`,
    },
    changes,
  );
}

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
