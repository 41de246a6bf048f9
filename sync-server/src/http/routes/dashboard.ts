import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { WorkspaceId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import { dashboard } from '../../projection/dashboard.js';
import type { Db } from '../../storage/db.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { answer, bearer, errors, mount, openApiApp } from '../openapi-route.js';
import { idSchema as id } from '../validate.js';
import { dashboardSchema } from './thread-schemas.js';

export const dashboardQuerySchema = z.object({ workspaceId: id<WorkspaceId>() });

const dashboardRoute = createRoute({
  method: 'get',
  path: '/',
  summary: "A workspace's figures at a glance",
  tags: ['threads'],
  security: bearer,
  request: { query: dashboardQuerySchema },
  responses: { 200: answer(dashboardSchema), ...errors },
});

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
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, dashboardRoute, (c) =>
    c.json(dashboard(db, c.get('principal').userId, c.req.valid('query').workspaceId, now()), 200),
  );
  return app;
}
