import { z } from 'zod';
import { ROLES, type WorkspaceId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { acceptedResult } from '../../governance/verdict-errors.js';
import type { WorkspaceService } from '../../workspaces/workspace-service.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import {
  answer,
  documentedAs,
  jsonRequest,
  mount,
  openApiApp,
  routesOf,
  throttledErrors,
} from '../openapi-route.js';
import { emailSchema, idSchema } from '../validate.js';
import {
  addMemberResultSchema,
  workspaceDetailSchema,
  workspaceListSchema,
  workspaceSchema,
} from './workspace-schemas.js';

export const createSchema = z.object({ name: z.string().trim().min(1).max(100) });
export const addMemberSchema = z.object({ email: emailSchema, role: z.enum(ROLES) });

const params = z.object({ id: idSchema<WorkspaceId>() });

const route = routesOf('workspaces');

const createWorkspaceRoute = route('post', '/', 'Create a workspace', {
  request: { body: jsonRequest(createSchema) },
  responses: { 201: answer(workspaceSchema) },
});
const listRoute = route('get', '/', "The caller's workspaces", {
  responses: { 200: answer(workspaceListSchema) },
});
const getRoute = route('get', '/{id}', 'A workspace with its members', {
  request: { params },
  responses: { 200: answer(workspaceDetailSchema) },
});
const inviteRoute = route(
  'post',
  '/{id}/members',
  'Invite someone by email (owners; a `member.invite` intent): they join once they accept',
  {
    request: { params, body: jsonRequest(addMemberSchema) },
    responses: { 201: answer(addMemberResultSchema), ...throttledErrors },
  },
);

/** `/api/workspaces`. */
export function workspaceRoutes({
  auth,
  workspaces,
  governance,
}: {
  auth: AuthService;
  workspaces: WorkspaceService;
  governance: GovernanceService;
}) {
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, createWorkspaceRoute, (c) =>
    c.json(workspaces.create(c.get('principal').userId, c.req.valid('json').name), 201),
  );
  mount(app, listRoute, (c) =>
    c.json({ workspaces: workspaces.listForUser(c.get('principal').userId) }, 200),
  );
  mount(app, getRoute, (c) =>
    c.json(
      documentedAs(workspaceDetailSchema, workspaces.get(c.req.valid('param').id, c.get('principal').userId)),
      200,
    ),
  );
  // A `member.invite` intent underneath (DESIGN §5); role changes reach open connections at once.
  mount(app, inviteRoute, async (c) => {
    const { email, role } = c.req.valid('json');
    const verdict = await governance.perform(c.get('principal').userId, 'member.invite', {
      workspaceId: c.req.valid('param').id,
      email,
      role,
    });
    return c.json(documentedAs(addMemberResultSchema, acceptedResult(verdict)), 201);
  });
  return app;
}
