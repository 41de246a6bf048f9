import { createMiddleware } from 'hono/factory';
import type { AuthService, Principal } from '../auth/auth-service.js';
import { ApiError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Context variables of routes behind {@link requireAuth}. */
export interface AuthedEnv {
  Variables: { principal: Principal };
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Requires `Authorization: Bearer <access token | API token>` and puts the Principal in `c.var.principal`. */
export function requireAuth(auth: AuthService) {
  return createMiddleware<AuthedEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (token === undefined) throw new ApiError('unauthorized', 'an Authorization: Bearer token is required');
    c.set('principal', await auth.authenticate(token));
    await next();
  });
}

/** App paths that carry a secret: an invitation's link is `/invitations/<token>`. */
const SECRET_PATH = /^(\/invitations\/)[^/]+/;

/**
 * One log line per request. The path only: query strings may carry tokens (`?token=` on sync
 * URLs), and headers are never logged here; the token of an invitation link is cut out.
 */
export function requestLog(logger: Logger) {
  return createMiddleware(async (c, next) => {
    const started = performance.now();
    await next();
    logger.info(
      {
        method: c.req.method,
        path: c.req.path.replace(SECRET_PATH, '$1…'),
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      },
      'request',
    );
  });
}

/**
 * API responses may carry tokens or private data: no shared or browser cache keeps them. A route
 * that says `private` itself (an avatar, cached by the browser alone) keeps its own.
 */
export const noStore = createMiddleware(async (c, next) => {
  await next();
  if (!c.res.headers.get('Cache-Control')?.startsWith('private')) c.header('Cache-Control', 'no-store');
});
