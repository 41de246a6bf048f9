import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { readUnsubscribeToken } from '../../email/unsubscribe-token.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { answer, mount, openApiApp, routesOf } from '../openapi-route.js';

export const unsubscribeQuerySchema = z.object({ token: z.string().min(1).max(400) });

const request = { query: unsubscribeQuerySchema };

const route = routesOf('governance', 'public');

const pageRoute = route(
  'get',
  '/',
  'A page with the one-click unsubscribe button of an email (changes nothing)',
  { request, responses: { 200: { description: 'an HTML page' } } },
);
const unsubscribeRoute = route(
  'post',
  '/',
  "One-click unsubscribe (RFC 8058): that kind's email off for the link's user, no login",
  {
    request,
    responses: {
      200: answer(z.object({ unsubscribed: z.literal(true), kind: z.string() })),
    },
  },
);

const page = (token: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Unsubscribe</title></head>
<body><form method="post" action="?token=${encodeURIComponent(token)}">
<p>Stop these emails from Caucus?</p><button type="submit">Unsubscribe</button>
</form></body></html>`;

/**
 * `/api/unsubscribe`: one-click unsubscribe (RFC 8058), no login. POST turns the token's kind of
 * email off (`both` → `in-app`, `email` → `none`, `none` stays); GET only shows a button that does (mail
 * scanners follow links, and must not unsubscribe anyone).
 */
export function unsubscribeRoutes({ governance, secret }: { governance: GovernanceService; secret: string }) {
  const read = (token: string) => {
    const named = readUnsubscribeToken(secret, token);
    if (!named) throw new ApiError('not-found', 'this unsubscribe link is not valid');
    return named;
  };
  const app = openApiApp();
  mount(app, pageRoute, (c) => {
    const { token } = c.req.valid('query');
    read(token);
    return c.html(page(token));
  });
  mount(app, unsubscribeRoute, async (c) => {
    const { token } = c.req.valid('query');
    const { userId, kind } = read(token);
    await governance.apply((ctx, changes) => {
      const was = ctx.notifier.delivery(userId)[kind];
      // Email off: `both` → `in-app`; `email` and `none` → `none` (never turns in-app on).
      ctx.notifier.setChannel(userId, kind, was === 'email' || was === 'none' ? 'none' : 'in-app', changes);
    });
    return c.json({ unsubscribed: true as const, kind }, 200);
  });
  return app;
}
