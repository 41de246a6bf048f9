import * as z from 'zod/mini';
import { ID_PATTERN } from '../ids.js';

/** Most intents one `POST /api/intents` may carry; an offline outbox sends more in several batches. */
export const MAX_INTENTS_PER_BATCH = 100;
/** Longest title, thread intent or decision outcome, in UTF-16 code units. */
export const MAX_TEXT_CHARS = 20_000;
/** Longest decision option label. */
export const MAX_OPTION_CHARS = 500;
/** Most options a decision may offer. */
export const MAX_OPTIONS = 20;
/** Most distinct approvers a decision may require. */
export const MAX_REQUIRED_APPROVALS = 10;
/** Longest reason given when deferring a decision or rejecting a checkpoint. */
export const MAX_REASON_CHARS = 2_000;
/** Most notification ids one `inbox.markRead` may name. */
export const MAX_NOTIFICATION_IDS = 500;
/** RFC 5321's limit on a forward path. */
export const MAX_EMAIL_CHARS = 254;

/** An opaque id of kind `T` (the pattern is all that is checked). */
export const idOf = <T extends string>() =>
  z.pipe(
    z.string().check(z.regex(ID_PATTERN, 'letters, digits, "-" and "_" only, 1 to 64 of them')),
    z.transform((s) => s as T),
  );

export const trimmedText = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/** Text that may be empty once trimmed, at most `max` code units. */
export const optionalText = (max: number) => z.string().check(z.trim(), z.maxLength(max));

/** Milliseconds since the epoch. */
export const timestampMs = z.int().check(z.minimum(0), z.maximum(8_640_000_000_000_000));
