import { Hono } from 'hono';
import { z } from 'zod';
import { ROLES, type WorkspaceId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { acceptedResult } from '../../governance/verdict-errors.js';
import type { WorkspaceService } from '../../workspaces/workspace-service.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { emailSchema, idParam, jsonBody } from '../validate.js';

export const createSchema = z.object({ name: z.string().trim().min(1).max(100) });
export const addMemberSchema = z.object({ email: emailSchema, role: z.enum(ROLES) });

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
  return (
    new Hono<AuthedEnv>()
      .use('*', requireAuth(auth))
      .post('/', async (c) => {
        const { name } = await jsonBody(c, createSchema);
        return c.json(workspaces.create(c.get('principal').userId, name), 201);
      })
      .get('/', (c) => c.json({ workspaces: workspaces.listForUser(c.get('principal').userId) }))
      .get('/:id', (c) => c.json(workspaces.get(idParam<WorkspaceId>(c, 'id'), c.get('principal').userId)))
      // A `member.invite` intent underneath (DESIGN §5); role changes reach open connections at once.
      .post('/:id/members', async (c) => {
        const workspaceId = idParam<WorkspaceId>(c, 'id');
        const { email, role } = await jsonBody(c, addMemberSchema);
        const verdict = await governance.perform(c.get('principal').userId, 'member.invite', {
          workspaceId,
          email,
          role,
        });
        return c.json(acceptedResult(verdict), 201);
      })
  );
}
