import { Hono } from 'hono';
import { z } from 'zod';
import type { AuthService } from '../../auth/auth-service.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { MAX_INBOX_LIST } from '../../governance/notifier.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { query } from '../validate.js';

export const listSchema = z.object({
  unread: z.enum(['0', '1', 'true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_INBOX_LIST).optional(),
});

/** `/api/inbox`: the caller's notifications, newest first; marking read goes through intents. */
export function inboxRoutes({ auth, governance }: { auth: AuthService; governance: GovernanceService }) {
  return new Hono<AuthedEnv>().use('*', requireAuth(auth)).get('/', (c) => {
    const { unread, limit } = query(c, listSchema);
    const notifications = governance.inbox(c.get('principal').userId, {
      unread: unread === '1' || unread === 'true',
      ...(limit ? { limit } : {}),
    });
    return c.json({ notifications });
  });
}
