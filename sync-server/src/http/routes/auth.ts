import { z } from 'zod';
import type { UserId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { AuthThrottle } from '../../auth/throttle.js';
import { normalizeEmail } from '../../workspaces/workspace-service.js';
import { clientAddress } from '../client-address.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { answer, jsonRequest, mount, openApiApp, routesOf } from '../openapi-route.js';
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

const route = routesOf('auth', 'public');
const authedRoute = routesOf('auth');

const signupRoute = route('post', '/auth/signup', 'Create an account (and a personal workspace)', {
  request: { body: jsonRequest(signupSchema) },
  responses: { 201: answer(authSessionSchema) },
});
const loginRoute = route('post', '/auth/login', 'Log in', {
  request: { body: jsonRequest(loginSchema) },
  responses: { 200: answer(authSessionSchema) },
});
const refreshRoute = route('post', '/auth/refresh', 'Rotate the refresh token for a new pair', {
  request: { body: jsonRequest(refreshSchema) },
  responses: { 200: answer(authSessionSchema) },
});
const logoutRoute = route('post', '/auth/logout', 'Revoke the session', {
  request: { body: jsonRequest(refreshSchema) },
  responses: { 204: { description: 'revoked' } },
});
const meRoute = authedRoute('get', '/me', 'The caller', { responses: { 200: answer(meSchema) } });

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
