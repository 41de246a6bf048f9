import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { readUnsubscribeToken } from '../../email/unsubscribe-token.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { query } from '../validate.js';

export const unsubscribeQuerySchema = z.object({ token: z.string().min(1).max(400) });

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
  return new Hono()
    .get('/', (c) => {
      const { token } = query(c, unsubscribeQuerySchema);
      read(token);
      return c.html(page(token));
    })
    .post('/', async (c) => {
      const { token } = query(c, unsubscribeQuerySchema);
      const { userId, kind } = read(token);
      await governance.apply((ctx, changes) => {
        const was = ctx.notifier.delivery(userId)[kind];
        // Email off: `both` → `in-app`; `email` and `none` → `none` (never turns in-app on).
        ctx.notifier.setChannel(userId, kind, was === 'email' || was === 'none' ? 'none' : 'in-app', changes);
      });
      return c.json({ unsubscribed: true, kind });
    });
}
