import * as z from 'zod/mini';
import { NOTIFICATION_KINDS } from '../docs.js';
import type { NotificationId } from '../ids.js';
import { idOf, MAX_NOTIFICATION_IDS } from './common.js';

/** Marks the actor's own notifications read; ids that are not theirs (or unknown) are ignored. */
export const inboxMarkReadArgs = z.object({
  notificationIds: z.array(idOf<NotificationId>()).check(z.minLength(1), z.maxLength(MAX_NOTIFICATION_IDS)),
});

export const inboxMarkAllReadArgs = z.object({});

/** The actor's preferences; muted kinds are not delivered to their inbox at all. */
export const prefsSetArgs = z.object({
  mutedKinds: z.pipe(
    z.array(z.enum(NOTIFICATION_KINDS)).check(z.maxLength(NOTIFICATION_KINDS.length)),
    z.transform((kinds) => [...new Set(kinds)].sort()),
  ),
});
