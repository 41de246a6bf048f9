import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { ID_PATTERN, type ApiTokenId, type SessionId, type UserId } from '@caucus/schema';

/** The only algorithm access tokens are signed or accepted with; pinning it refuses `alg: none` and friends. */
const ACCESS_TOKEN_ALG = 'HS256';
/** The `typ` claim of access tokens, so no other JWT signed with the same secret passes as one. */
const ACCESS_TOKEN_TYP = 'access';
/** Random bytes in a refresh token or an API token secret. */
const SECRET_BYTES = 32;
/** API tokens look like `cau_<id>_<secret>`: recognisable in logs and secret scanners, and looked up by id. */
const API_TOKEN_PREFIX = 'cau_';

export interface AccessTokenInput {
  userId: UserId;
  sessionId: SessionId;
  name: string;
}

export interface AccessClaims extends AccessTokenInput {
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export type AccessTokenCheck =
  { ok: true; claims: AccessClaims } | { ok: false; reason: 'expired' | 'invalid' };

const claimsSchema = z.object({
  sub: z.string().regex(ID_PATTERN),
  sid: z.string().regex(ID_PATTERN),
  name: z.string(),
  typ: z.literal(ACCESS_TOKEN_TYP),
  iat: z.number(),
  exp: z.number(),
});

/** The HMAC key for access tokens, made once from the configured secret. */
export function accessTokenKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signAccessToken(
  key: Uint8Array,
  input: AccessTokenInput,
  nowMs: number,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + ttlSeconds;
  const token = await new SignJWT({ sid: input.sessionId, name: input.name, typ: ACCESS_TOKEN_TYP })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: 'JWT' })
    .setSubject(input.userId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
  return { token, expiresAt: exp * 1000 };
}

/** Checks signature, algorithm, expiry and claim shapes. Never throws for a bad token. */
export async function verifyAccessToken(
  key: Uint8Array,
  token: string,
  nowMs: number,
): Promise<AccessTokenCheck> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ACCESS_TOKEN_ALG],
      currentDate: new Date(nowMs),
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return { ok: false, reason: 'invalid' };
    const { sub, sid, name, exp } = claims.data;
    return {
      ok: true,
      claims: { userId: sub as UserId, sessionId: sid as SessionId, name, expiresAt: exp * 1000 },
    };
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
    if (err instanceof joseErrors.JOSEError) return { ok: false, reason: 'invalid' };
    throw err;
  }
}

/** A new opaque secret: 32 random bytes, base64url. */
export function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** What is stored instead of a secret: a leaked database row cannot be replayed as a token. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function formatApiToken(id: ApiTokenId, secret: string): string {
  return `${API_TOKEN_PREFIX}${id}_${secret}`;
}

export function looksLikeApiToken(token: string): boolean {
  return token.startsWith(API_TOKEN_PREFIX);
}

/**
 * Splits `cau_<id>_<secret>`. Ids never contain `_` (uuidv7), while base64url secrets may, so the
 * first `_` after the prefix ends the id.
 */
export function parseApiToken(token: string): { id: ApiTokenId; secret: string } | null {
  if (!looksLikeApiToken(token)) return null;
  const rest = token.slice(API_TOKEN_PREFIX.length);
  const sep = rest.indexOf('_');
  if (sep <= 0) return null;
  const id = rest.slice(0, sep);
  const secret = rest.slice(sep + 1);
  if (!ID_PATTERN.test(id) || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return null;
  return { id: id as ApiTokenId, secret };
}
