import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import type { ApiTokenId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { AuthThrottle } from '../../auth/throttle.js';
import { ApiError } from '../../errors.js';
import { clientAddress } from '../client-address.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { answer, jsonRequest, mount, openApiApp, routesOf } from '../openapi-route.js';
import { idSchema } from '../validate.js';
import { apiTokenListSchema, newApiTokenSchema } from './auth-schemas.js';

/** Longest lifetime a caller may ask for; omit `expiresInDays` for a token that does not expire. */
const MAX_TOKEN_DAYS = 3650;

export const createSchema = z.object({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).optional(),
});

// A leaked API token must not be able to mint successors that outlive its revocation.
const sessionOnly = createMiddleware<AuthedEnv>(async (c, next) => {
  if (c.get('principal').via !== 'session') throw new ApiError('forbidden', 'log in to create API tokens');
  await next();
});

const route = routesOf('auth');

const createTokenRoute = route('post', '/', 'Create an API token', {
  middleware: [sessionOnly] as const,
  request: { body: jsonRequest(createSchema) },
  responses: { 201: answer(newApiTokenSchema) },
});
const listTokensRoute = route('get', '/', "The caller's API tokens", {
  responses: { 200: answer(apiTokenListSchema) },
});
const revokeTokenRoute = route('delete', '/{id}', 'Revoke an API token', {
  request: { params: z.object({ id: idSchema<ApiTokenId>() }) },
  responses: { 204: { description: 'revoked' } },
});

/** `/api/tokens`: named API tokens for headless scripts; creation is throttled per user and address. */
export function tokenRoutes({ auth, throttle }: { auth: AuthService; throttle: AuthThrottle }) {
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  mount(app, createTokenRoute, (c) => {
    const { userId } = c.get('principal');
    const { name, expiresInDays } = c.req.valid('json');
    throttle.admit('token', { account: userId, address: clientAddress(c) });
    return c.json(auth.createApiToken(userId, name, expiresInDays), 201);
  });
  mount(app, listTokensRoute, (c) => c.json({ tokens: auth.listApiTokens(c.get('principal').userId) }, 200));
  mount(app, revokeTokenRoute, (c) => {
    auth.revokeApiToken(c.get('principal').userId, c.req.valid('param').id);
    return c.body(null, 204);
  });
  return app;
}
