import { Hono } from 'hono';
import { z } from 'zod';
import type { WorkspaceId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import { dashboard } from '../../projection/dashboard.js';
import type { Db } from '../../storage/db.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { idSchema as id, query } from '../validate.js';

export const dashboardQuerySchema = z.object({ workspaceId: id<WorkspaceId>() });

/** `/api/dashboard`: a workspace's figures at a glance, for its members. */
export function dashboardRoutes({
  db,
  auth,
  now = Date.now,
}: {
  db: Db;
  auth: AuthService;
  now?: () => number;
}) {
  return new Hono<AuthedEnv>().use('*', requireAuth(auth)).get('/', (c) => {
    const { workspaceId } = query(c, dashboardQuerySchema);
    return c.json(dashboard(db, c.get('principal').userId, workspaceId, now()));
  });
}
