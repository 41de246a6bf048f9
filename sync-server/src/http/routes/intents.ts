import { Hono } from 'hono';
import { z } from 'zod';
import { MAX_INTENTS_PER_BATCH, type IntentId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { idParam, jsonBody } from '../validate.js';

/** Each intent is validated on its own: a malformed one gets an `invalid-intent` verdict, not a 400. */
export const batchSchema = z.object({ intents: z.array(z.unknown()).min(1).max(MAX_INTENTS_PER_BATCH) });

/** `/api/intents`: submit a batch (adjudicated in order), read one back. */
export function intentRoutes({ auth, governance }: { auth: AuthService; governance: GovernanceService }) {
  return new Hono<AuthedEnv>()
    .use('*', requireAuth(auth))
    .post('/', async (c) => {
      const { intents } = await jsonBody(c, batchSchema);
      return c.json({ results: await governance.submit(c.get('principal').userId, intents) });
    })
    .get('/:id', (c) => c.json(governance.getIntent(c.get('principal').userId, idParam<IntentId>(c, 'id'))));
}
