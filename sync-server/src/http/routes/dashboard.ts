import { z } from 'zod';
import type { WorkspaceId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import { dashboard } from '../../projection/dashboard.js';
import type { Db } from '../../storage/db.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { answer, mount, openApiApp, routesOf } from '../openapi-route.js';
import { idSchema as id } from '../validate.js';
import { dashboardSchema } from './thread-schemas.js';

export const dashboardQuerySchema = z.object({ workspaceId: id<WorkspaceId>() });

const route = routesOf('threads');

const dashboardRoute = route('get', '/', "A workspace's figures at a glance", {
  request: { query: dashboardQuerySchema },
  responses: { 200: answer(dashboardSchema) },
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
