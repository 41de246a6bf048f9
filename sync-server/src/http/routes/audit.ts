import { z } from 'zod';
import type { WorkspaceId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import { MAX_AUDIT_LIST } from '../../governance/audit.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { cursorParam, keysetPage, limitParam } from '../cursor.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { answer, mount, openApiApp, routesOf } from '../openapi-route.js';
import { idSchema as id, queryInt } from '../validate.js';
import { auditSchema } from './governance-schemas.js';

/** Where the next page starts: after this event of the chain. */
const auditCursorSchema = z.object({ seq: z.number().int().min(0) });

export const listSchema = z.object({
  workspaceId: id<WorkspaceId>(),
  /** Events after this sequence number (to follow the log from a known event); `cursor` pages. */
  after: queryInt(0).optional(),
  limit: limitParam(MAX_AUDIT_LIST).optional(),
  cursor: cursorParam(auditCursorSchema).optional(),
});

const route = routesOf('governance');

const auditRoute = route('get', '/', "A workspace's audit events (owners)", {
  request: { query: listSchema },
  responses: { 200: answer(auditSchema) },
});

/** `/api/audit`: a workspace's audit events in chain order; owners only. */
export function auditRoutes({ auth, governance }: { auth: AuthService; governance: GovernanceService }) {
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, auditRoute, (c) => {
    const { workspaceId, after, limit = MAX_AUDIT_LIST, cursor } = c.req.valid('query');
    const from = cursor?.seq ?? after;
    const page = keysetPage(
      limit,
      (n) =>
        governance.audit(c.get('principal').userId, workspaceId, {
          ...(from !== undefined ? { after: from } : {}),
          limit: n,
        }),
      (last) => ({ seq: last.seq }),
    );
    return c.json({ events: page.items, nextCursor: page.nextCursor }, 200);
  });
  return app;
}
