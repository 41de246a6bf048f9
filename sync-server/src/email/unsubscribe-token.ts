/**
 * Signed one-click unsubscribe tokens (RFC 8058): `<userId>.<kind>.<hmac>`, the HMAC-SHA256 of
 * user and kind under a key derived from the server's secret. Anyone holding the link may turn that
 * kind's email off for that user — nothing more — so no login is needed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { NOTIFICATION_KINDS, type NotificationKind, type UserId } from '@caucus/schema';

function mac(secret: string, userId: string, kind: string): string {
  return createHmac('sha256', `caucus-unsubscribe:${secret}`)
    .update(`${userId}\n${kind}`)
    .digest('base64url');
}

export function unsubscribeToken(secret: string, userId: UserId, kind: NotificationKind): string {
  return `${userId}.${kind}.${mac(secret, userId, kind)}`;
}

/** The user and kind a token names, or null for anything not signed by this server. */
export function readUnsubscribeToken(
  secret: string,
  token: string,
): { userId: UserId; kind: NotificationKind } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [userId, kind, signature] = parts as [string, string, string];
  if (!(NOTIFICATION_KINDS as readonly string[]).includes(kind) || userId.length === 0) return null;
  const expected = Buffer.from(mac(secret, userId, kind));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { userId: userId as UserId, kind: kind as NotificationKind };
}
