import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiTokenId } from '@caucus/schema';
import type { AuthService } from '../../auth/auth-service.js';
import type { AuthThrottle } from '../../auth/throttle.js';
import { ApiError } from '../../errors.js';
import { clientAddress } from '../client-address.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { idParam, jsonBody } from '../validate.js';

/** Longest lifetime a caller may ask for; omit `expiresInDays` for a token that does not expire. */
const MAX_TOKEN_DAYS = 3650;

export const createSchema = z.object({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).optional(),
});

/** `/api/tokens`: named API tokens for headless scripts; creation is throttled per user and address. */
export function tokenRoutes({ auth, throttle }: { auth: AuthService; throttle: AuthThrottle }) {
  return new Hono<AuthedEnv>()
    .use('*', requireAuth(auth))
    .post('/', async (c) => {
      const principal = c.get('principal');
      // A leaked API token must not be able to mint successors that outlive its revocation.
      if (principal.via !== 'session') throw new ApiError('forbidden', 'log in to create API tokens');
      const { name, expiresInDays } = await jsonBody(c, createSchema);
      throttle.admit('token', { account: principal.userId, address: clientAddress(c) });
      return c.json(auth.createApiToken(principal.userId, name, expiresInDays), 201);
    })
    .get('/', (c) => c.json({ tokens: auth.listApiTokens(c.get('principal').userId) }))
    .delete('/:id', (c) => {
      auth.revokeApiToken(c.get('principal').userId, idParam<ApiTokenId>(c, 'id'));
      return c.body(null, 204);
    });
}
