/**
 * Joining a workspace or changing one's role there: what an accepted `member.setRole` and an
 * accepted invitation both do, announced once committed.
 */
import { tables, type Role, type UserId, type WorkspaceId } from '@caucus/schema';
import type { Changes } from './changes.js';
import { workspaceName } from './describe.js';
import type { EffectContext } from './effect-context.js';
import { roleOf } from './reads.js';

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
