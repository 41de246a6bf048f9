/**
 * Answers of the auth and token routes (the fields clients rely on; more may come).
 */
import { z } from 'zod';
import { id, time } from '../responses.js';

export const userSchema = z.looseObject({ id, email: z.string(), name: z.string(), createdAt: time });

export const authSessionSchema = z
  .looseObject({
    user: userSchema,
    accessToken: z.string(),
    refreshToken: z.string(),
  })
  .meta({ id: 'AuthSession' });

export const meSchema = z.looseObject({
  user: userSchema,
  via: z.enum(['session', 'api-token']),
  expiresAt: time.nullable(),
  /** When the caller's avatar was stored; null without one. */
  avatarUpdatedAt: time.nullable(),
});

const apiTokenSchema = z.looseObject({
  id,
  name: z.string(),
  createdAt: time,
  lastUsedAt: time.nullable(),
  expiresAt: time.nullable(),
});
export const newApiTokenSchema = z.looseObject({
  id,
  name: z.string(),
  token: z.string().describe('shown once'),
  createdAt: time,
  expiresAt: time.nullable(),
});
export const apiTokenListSchema = z.looseObject({ tokens: z.array(apiTokenSchema) });
