import { Hono } from 'hono';
import { z } from 'zod';
import type { WorkspaceId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import { MAX_AUDIT_LIST } from '../../governance/audit.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { idSchema as id, query } from '../validate.js';

export const listSchema = z.object({
  workspaceId: id<WorkspaceId>(),
  /** Events after this sequence number (the last `seq` of the previous page). */
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIST).optional(),
});

/** `/api/audit`: a workspace's audit events in chain order; owners only. */
export function auditRoutes({ auth, governance }: { auth: AuthService; governance: GovernanceService }) {
  return new Hono<AuthedEnv>().use('*', requireAuth(auth)).get('/', (c) => {
    const { workspaceId, after, limit } = query(c, listSchema);
    const events = governance.audit(c.get('principal').userId, workspaceId, {
      ...(after !== undefined ? { after } : {}),
      ...(limit ? { limit } : {}),
    });
    return c.json({ events });
  });
}
