import * as z from 'zod/mini';
import { NOTIFICATION_KINDS } from '../docs.js';
import type { NotificationId } from '../ids.js';
import { idOf, MAX_NOTIFICATION_IDS } from './common.js';

/** Marks the actor's own notifications read; ids that are not theirs (or unknown) are ignored. */
export const inboxMarkReadArgs = z.object({
  notificationIds: z.array(idOf<NotificationId>()).check(z.minLength(1), z.maxLength(MAX_NOTIFICATION_IDS)),
});

export const inboxMarkAllReadArgs = z.object({});

/**
 * Where a kind of notification goes: the inbox, email (when the server has SMTP), both, or
 * nowhere. Unset kinds follow {@link DEFAULT_DELIVERY}.
 */
export const DELIVERY_CHANNELS = ['in-app', 'email', 'both', 'none'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export type DeliveryPrefs = Partial<Record<(typeof NOTIFICATION_KINDS)[number], DeliveryChannel>>;

/** Checkpoints awaiting the user and warnings (reminders, escalations) are emailed; the rest stays in-app. */
export const DEFAULT_DELIVERY: Readonly<Record<(typeof NOTIFICATION_KINDS)[number], DeliveryChannel>> = {
  info: 'in-app',
  success: 'in-app',
  warning: 'both',
  error: 'in-app',
  checkpoint: 'both',
};

/** The digest's local hour and time zone of a user who never set them (the `prefs` defaults). */
export const DEFAULT_DIGEST_HOUR = 8;
export const DEFAULT_TIME_ZONE = 'UTC';

/** Longest time zone name accepted (the longest IANA names are about 30 characters). */
export const MAX_TIME_ZONE_CHARS = 64;

/** The canonical name of IANA time zone `name` (`europe/berlin` → `Europe/Berlin`), or null. */
export function canonicalTimeZone(name: string): string | null {
  if (name.length === 0 || name.length > MAX_TIME_ZONE_CHARS) return null;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * The actor's preferences; muted kinds are delivered nowhere (inbox nor email). `delivery`, when
 * given, replaces the per-kind channels; `digestHour` (0–23, local; null: no digest) and
 * `timeZone` (IANA) set the daily digest. Each is kept as it was when absent.
 */
export const prefsSetArgs = z.object({
  mutedKinds: z.pipe(
    z.array(z.enum(NOTIFICATION_KINDS)).check(z.maxLength(NOTIFICATION_KINDS.length)),
    z.transform((kinds) => [...new Set(kinds)].sort()),
  ),
  delivery: z.optional(z.partialRecord(z.enum(NOTIFICATION_KINDS), z.enum(DELIVERY_CHANNELS))),
  digestHour: z.optional(z.nullable(z.int().check(z.minimum(0), z.maximum(23)))),
  timeZone: z.optional(
    z.pipe(
      z
        .string()
        .check(
          z.refine(
            (name) => canonicalTimeZone(name) !== null,
            'timeZone must be an IANA time zone, e.g. Europe/Berlin',
          ),
        ),
      z.transform((name) => canonicalTimeZone(name) ?? name),
    ),
  ),
});
