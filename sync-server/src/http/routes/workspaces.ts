import { Hono } from 'hono';
import { z } from 'zod';
import { ROLES, type WorkspaceId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { WorkspaceService } from '../../workspaces/workspace-service.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { emailSchema, idParam, jsonBody } from '../validate.js';

const createSchema = z.object({ name: z.string().trim().min(1).max(100) });
const addMemberSchema = z.object({ email: emailSchema, role: z.enum(ROLES) });

/** `/api/workspaces`. */
export function workspaceRoutes({ auth, workspaces }: { auth: AuthService; workspaces: WorkspaceService }) {
  return (
    new Hono<AuthedEnv>()
      .use('*', requireAuth(auth))
      .post('/', async (c) => {
        const { name } = await jsonBody(c, createSchema);
        return c.json(workspaces.create(c.get('principal').userId, name), 201);
      })
      .get('/', (c) => c.json({ workspaces: workspaces.listForUser(c.get('principal').userId) }))
      .get('/:id', (c) => c.json(workspaces.get(idParam<WorkspaceId>(c, 'id'), c.get('principal').userId)))
      // TODO(intents): route through a `member.invite` intent once the intent engine exists (DESIGN §5).
      .post('/:id/members', async (c) => {
        const workspaceId = idParam<WorkspaceId>(c, 'id');
        const input = await jsonBody(c, addMemberSchema);
        return c.json(workspaces.addMember(c.get('principal').userId, workspaceId, input), 201);
      })
  );
}
