import { createRoute } from '@hono/zod-openapi';
import type { GovernanceService } from '../../governance/governance-service.js';
import { answer, errors, mount, openApiApp } from '../openapi-route.js';
import { receiptKeysDocSchema } from './governance-schemas.js';

const keysRoute = createRoute({
  method: 'get',
  path: '/keys',
  summary: 'The public keys that check verdict receipts, retired ones included (docs/RECEIPTS.md)',
  tags: ['governance'],
  responses: { 200: answer(receiptKeysDocSchema), ...errors },
});

/**
 * `/api/receipts`: the public keys that check verdict receipts. Public on purpose: anyone holding a
 * receipt — a teammate, an auditor, a script with no account — must be able to check it.
 */
export function receiptRoutes({ governance }: { governance: GovernanceService }) {
  const app = openApiApp();
  mount(app, keysRoute, (c) => c.json({ keys: governance.receiptKeys() }, 200));
  return app;
}
