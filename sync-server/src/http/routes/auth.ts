import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { UserId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { AuthThrottle } from '../../auth/throttle.js';
import { normalizeEmail } from '../../workspaces/workspace-service.js';
import { clientAddress } from '../client-address.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { answer, bearer, errors, jsonRequest, mount, openApiApp } from '../openapi-route.js';
import { emailSchema, MAX_EMAIL_CHARS } from '../validate.js';
import { authSessionSchema, meSchema } from './auth-schemas.js';

/** Shortest password accepted at signup. */
const MIN_PASSWORD_CHARS = 8;
/** Longest password accepted: generous for passphrases, while bounding what one request makes us hash. */
const MAX_PASSWORD_CHARS = 1024;
const MAX_NAME_CHARS = 100;

export const signupSchema = z.object({
  email: emailSchema,
  password: z.string().min(MIN_PASSWORD_CHARS).max(MAX_PASSWORD_CHARS),
  name: z.string().trim().min(1).max(MAX_NAME_CHARS),
});

// Login does not check the email's format: anything unknown is simply `invalid-credentials`.
export const loginSchema = z.object({
  email: z.string().min(1).max(MAX_EMAIL_CHARS),
  password: z.string().min(1).max(MAX_PASSWORD_CHARS),
});

export const refreshSchema = z.object({ refreshToken: z.string().min(1).max(256) });

const tags = ['auth'];

/** `POST /auth/<path>` with `body`, public, answering `status` (a session, or nothing for 204). */
const authPost = <S extends z.ZodType>(path: string, summary: string, body: S) =>
  ({ method: 'post', path, summary, tags, request: { body: jsonRequest(body) } }) as const;

const signupRoute = createRoute({
  ...authPost('/auth/signup', 'Create an account (and a personal workspace)', signupSchema),
  responses: { 201: answer(authSessionSchema), ...errors },
});
const loginRoute = createRoute({
  ...authPost('/auth/login', 'Log in', loginSchema),
  responses: { 200: answer(authSessionSchema), ...errors },
});
const refreshRoute = createRoute({
  ...authPost('/auth/refresh', 'Rotate the refresh token for a new pair', refreshSchema),
  responses: { 200: answer(authSessionSchema), ...errors },
});
const logoutRoute = createRoute({
  ...authPost('/auth/logout', 'Revoke the session', refreshSchema),
  responses: { 204: { description: 'revoked' }, ...errors },
});
const meRoute = createRoute({
  method: 'get',
  path: '/me',
  summary: 'The caller',
  tags,
  security: bearer,
  responses: { 200: answer(meSchema), ...errors },
});

/**
 * `/auth/*` and `/me`, to be mounted under `/api`. Signup, login and refresh are throttled per
 * account and per client address before any work is done (429 `rate-limited`, `Retry-After`).
 */
export function authRoutes({
  auth,
  throttle,
  avatarOf,
}: {
  auth: AuthService;
  throttle: AuthThrottle;
  /** When the user's avatar was stored (null without one); absent when the server keeps no files. */
  avatarOf?: (userId: UserId) => number | null;
}) {
  const app = openApiApp<AuthedEnv>();
  mount(app, signupRoute, async (c) => {
    const input = c.req.valid('json');
    const pass = throttle.admit('signup', {
      account: normalizeEmail(input.email),
      address: clientAddress(c),
    });
    const session = await auth.signup(input);
    pass.succeeded();
    return c.json(session, 201);
  });
  mount(app, loginRoute, async (c) => {
    const input = c.req.valid('json');
    const pass = throttle.admit('login', {
      account: normalizeEmail(input.email),
      address: clientAddress(c),
    });
    const session = await auth.login(input);
    pass.succeeded();
    return c.json(session, 200);
  });
  mount(app, refreshRoute, async (c) => {
    const { refreshToken } = c.req.valid('json');
    const pass = throttle.admit('refresh', {
      account: auth.refreshTokenOwner(refreshToken),
      address: clientAddress(c),
    });
    const session = await auth.refresh(refreshToken);
    pass.succeeded();
    return c.json(session, 200);
  });
  // The refresh token is the credential here, so a client whose access token expired can still log out.
  mount(app, logoutRoute, (c) => {
    auth.logout(c.req.valid('json').refreshToken);
    return c.body(null, 204);
  });
  app.use('/me', requireAuth(auth));
  mount(app, meRoute, (c) => {
    const principal = c.get('principal');
    return c.json(
      {
        user: auth.getUser(principal.userId),
        via: principal.via,
        expiresAt: principal.expiresAt,
        avatarUpdatedAt: avatarOf?.(principal.userId) ?? null,
      },
      200,
    );
  });
  return app;
}
