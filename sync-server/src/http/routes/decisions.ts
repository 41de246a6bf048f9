import { Hono } from 'hono';
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
import { idParam, idSchema as id, query } from '../validate.js';

/** Where the next page starts: after this decision in the list's order (newest update first). */
const decisionCursorSchema = z.object({ updatedAt: z.number(), id: id<DecisionId>() });

export const listSchema = z.object({
  workspaceId: id<WorkspaceId>(),
  status: z.enum(DECISION_STATUSES).optional(),
  aging: z.enum(AGING_BUCKETS).optional(),
  limit: limitParam(MAX_DECISION_LIST).optional(),
  cursor: cursorParam(decisionCursorSchema).optional(),
});

interface Deps {
  auth: AuthService;
  governance: GovernanceService;
}

/** `/api/decisions`: list (by status and aging) and read; changes go through `/api/intents`. */
export function decisionRoutes({ auth, governance }: Deps) {
  return new Hono<AuthedEnv>()
    .use('*', requireAuth(auth))
    .get('/', (c) => {
      const { workspaceId, status, aging, limit = MAX_DECISION_LIST, cursor } = query(c, listSchema);
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
      return c.json({ decisions, nextCursor: more ? encodeCursor(after) : null });
    })
    .get('/:id', (c) =>
      c.json(governance.getDecision(c.get('principal').userId, idParam<DecisionId>(c, 'id'))),
    );
}

/** `/api/checkpoints/:id`: what an approval request asks for, and where it stands. */
export function checkpointRoutes({ auth, governance }: Deps) {
  return new Hono<AuthedEnv>()
    .use('*', requireAuth(auth))
    .get('/:id', (c) =>
      c.json(governance.getCheckpoint(c.get('principal').userId, idParam<CheckpointId>(c, 'id'))),
    );
}
