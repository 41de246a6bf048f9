import { Hono } from 'hono';
import type { GovernanceService } from '../../governance/governance-service.js';

/**
 * `/api/receipts`: the public keys that check verdict receipts. Public on purpose: anyone holding a
 * receipt — a teammate, an auditor, a script with no account — must be able to check it.
 */
export function receiptRoutes({ governance }: { governance: GovernanceService }) {
  return new Hono().get('/keys', (c) => c.json({ keys: governance.receiptKeys() }));
}
