import { z } from 'zod';
import {
  AGING_BUCKETS,
  DECISION_STATUSES,
  type CheckpointId,
  type DecisionId,
  type WorkspaceId,
} from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { MAX_DECISION_LIST } from '../../governance/queries.js';
import { cursorParam, encodeCursor, limitParam } from '../cursor.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { answer, mount, openApiApp, routesOf } from '../openapi-route.js';
import { idSchema as id } from '../validate.js';
import { checkpointSchema, decisionDetailSchema, decisionPageSchema } from './governance-schemas.js';

/** Where the next page starts: after this decision in the list's order (newest update first). */
const decisionCursorSchema = z.object({ updatedAt: z.number(), id: id<DecisionId>() });

export const listSchema = z.object({
  workspaceId: id<WorkspaceId>(),
  status: z.enum(DECISION_STATUSES).optional(),
  aging: z.enum(AGING_BUCKETS).optional(),
  limit: limitParam(MAX_DECISION_LIST).optional(),
  cursor: cursorParam(decisionCursorSchema).optional(),
});

const route = routesOf('governance');

const listRoute = route('get', '/', 'Decisions of a workspace, by status and aging bucket', {
  request: { query: listSchema },
  responses: { 200: answer(decisionPageSchema) },
});
const getDecisionRoute = route('get', '/{id}', 'A decision with its checkpoints', {
  request: { params: z.object({ id: id<DecisionId>() }) },
  responses: { 200: answer(decisionDetailSchema) },
});
const getCheckpointRoute = route('get', '/{id}', 'A checkpoint', {
  request: { params: z.object({ id: id<CheckpointId>() }) },
  responses: { 200: answer(checkpointSchema) },
});

interface Deps {
  auth: AuthService;
  governance: GovernanceService;
}

/** `/api/decisions`: list (by status and aging) and read; changes go through `/api/intents`. */
export function decisionRoutes({ auth, governance }: Deps) {
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, listRoute, (c) => {
    const { workspaceId, status, aging, limit = MAX_DECISION_LIST, cursor } = c.req.valid('query');
    const userId = c.get('principal').userId;
    const input = { workspaceId, ...(status ? { status } : {}), ...(aging ? { aging } : {}) };
    const decisions = governance.listDecisions(userId, {
      ...input,
      limit,
      ...(cursor ? { after: cursor } : {}),
    });
    // A full page has a next one only if something follows its last decision.
    const last = decisions.at(-1);
    const after = last && { updatedAt: last.updatedAt, id: last.id };
    const more =
      after &&
      decisions.length === limit &&
      governance.listDecisions(userId, { ...input, limit: 1, after }).length > 0;
    return c.json({ decisions, nextCursor: more ? encodeCursor(after) : null }, 200);
  });
  mount(app, getDecisionRoute, (c) => {
    const decision = governance.getDecision(c.get('principal').userId, c.req.valid('param').id);
    return c.json(decision, 200);
  });
  return app;
}

/** `/api/checkpoints/:id`: what an approval request asks for, and where it stands. */
export function checkpointRoutes({ auth, governance }: Deps) {
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, getCheckpointRoute, (c) => {
    const checkpoint = governance.getCheckpoint(c.get('principal').userId, c.req.valid('param').id);
    return c.json(checkpoint, 200);
  });
  return app;
}
