import type { GovernanceService } from '../../governance/governance-service.js';
import { answer, mount, openApiApp, routesOf } from '../openapi-route.js';
import { receiptKeysDocSchema } from './governance-schemas.js';

const route = routesOf('governance', 'public');

const keysRoute = route(
  'get',
  '/keys',
  'The public keys that check verdict receipts, retired ones included (docs/RECEIPTS.md)',
  { responses: { 200: answer(receiptKeysDocSchema) } },
);

/**
 * `/api/receipts`: the public keys that check verdict receipts. Public on purpose: anyone holding a
 * receipt — a teammate, an auditor, a script with no account — must be able to check it.
 */
export function receiptRoutes({ governance }: { governance: GovernanceService }) {
  const app = openApiApp();
  mount(app, keysRoute, (c) => c.json({ keys: governance.receiptKeys() }, 200));
  return app;
}
