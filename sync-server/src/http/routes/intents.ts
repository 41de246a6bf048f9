import { z } from 'zod';
import { MAX_INTENTS_PER_BATCH, type IntentId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { GovernanceService } from '../../governance/governance-service.js';
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
import { idSchema } from '../validate.js';
import { intentResultsSchema, storedIntentSchema } from './governance-schemas.js';

/** Each intent is validated on its own: a malformed one gets an `invalid-intent` verdict, not a 400. */
export const batchSchema = z.object({ intents: z.array(z.unknown()).min(1).max(MAX_INTENTS_PER_BATCH) });

const route = routesOf('governance');

const submitRoute = route(
  'post',
  '/',
  'Submit intents (adjudicated in order; business rejections are verdicts, not errors)',
  {
    request: { body: jsonRequest(batchSchema) },
    responses: { 200: answer(intentResultsSchema), ...throttledErrors },
  },
);
const getIntentRoute = route('get', '/{id}', 'An intent the caller submitted, with its receipts', {
  request: { params: z.object({ id: idSchema<IntentId>() }) },
  responses: { 200: answer(storedIntentSchema) },
});

/** `/api/intents`: submit a batch (adjudicated in order), read one back. */
export function intentRoutes({ auth, governance }: { auth: AuthService; governance: GovernanceService }) {
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, submitRoute, async (c) => {
    const results = await governance.submit(c.get('principal').userId, c.req.valid('json').intents);
    return c.json(documentedAs(intentResultsSchema, { results }), 200);
  });
  mount(app, getIntentRoute, (c) => {
    const intent = governance.getIntent(c.get('principal').userId, c.req.valid('param').id);
    return c.json(documentedAs(storedIntentSchema, intent), 200);
  });
  return app;
}
