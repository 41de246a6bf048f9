import { z } from 'zod';
import type { AuthService } from '../../auth/auth-service.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { MAX_INBOX_LIST } from '../../governance/notifier.js';
import { cursorParam, keysetPage, limitParam } from '../cursor.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { answer, documentedAs, mount, openApiApp, routesOf } from '../openapi-route.js';
import { inboxSchema } from './governance-schemas.js';

/** Where the next page starts: after this notification (newest first, then latest inserted). */
const inboxCursorSchema = z.object({ at: z.number(), seq: z.number().int() });

export const listSchema = z.object({
  unread: z.enum(['0', '1', 'true', 'false']).optional(),
  limit: limitParam(MAX_INBOX_LIST).optional(),
  cursor: cursorParam(inboxCursorSchema).optional(),
});

const route = routesOf('governance');

const inboxRoute = route('get', '/', "The caller's notifications, newest first", {
  request: { query: listSchema },
  responses: { 200: answer(inboxSchema) },
});

/** `/api/inbox`: the caller's notifications, newest first; marking read goes through intents. */
export function inboxRoutes({ auth, governance }: { auth: AuthService; governance: GovernanceService }) {
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, inboxRoute, (c) => {
    const { unread, limit = MAX_INBOX_LIST, cursor } = c.req.valid('query');
    const userId = c.get('principal').userId;
    const page = keysetPage(
      limit,
      (n) =>
        governance.inboxWithPositions(userId, {
          unread: unread === '1' || unread === 'true',
          limit: n,
          ...(cursor ? { after: cursor } : {}),
        }),
      (last) => last.position,
    );
    const notifications = page.items.map((n) => n.notification);
    return c.json(documentedAs(inboxSchema, { notifications, nextCursor: page.nextCursor }), 200);
  });
  return app;
}
