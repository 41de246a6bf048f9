/**
 * Daily digests (issue 13): one recurring job on the `digest` queue runs on the hour. Each turn
 * finds the users whose local hour (in their `timeZone`) is their `digestHour` — users who never
 * set preferences get theirs at 8 in UTC; `digestHour` null means none — and sends each one
 * notification (kind `info`) summing up the last 24 h of their workspaces (see
 * `digest-content.ts`). Nothing to say, nothing sent.
 *
 * The dedupe key is `digest:<local date>`, so a turn that runs twice (a retry, a crash after it
 * notified, two turns in the same hour) sends a user one digest a day. Digests are emailed by
 * default (with SMTP): unless the user set the `info` kind's channel (`in-app`, `none`) or muted
 * `info`, it goes to the inbox and by email.
 *
 * A turn's hour is the time it was due (`runAt`), not when it ran: a turn that runs late (a busy
 * runner) still serves its own hour, and consecutive turns cover consecutive hours. (A retry is due
 * when its backoff ends, usually within the same hour.) A turn more than an hour late (the server
 * was down) serves the hour it runs in; the hours missed in between send nothing.
 */
import { and, eq, exists, isNotNull, isNull, or, sql } from 'drizzle-orm';
import { DEFAULT_DIGEST_HOUR, DEFAULT_TIME_ZONE, tables, type UserId } from '@caucus/schema';
import type { JobHandler } from '../jobs/job-runner.js';
import type { Changes } from './changes.js';
import type { EffectContext } from './effect-context.js';
import { buildDigest, digestLink, digestText, isEmptyDigest } from './digest-content.js';
import type { JobScheduler } from './reminders.js';

const { memberships, prefs, users } = tables;

export const DIGEST_QUEUE = 'digest';
/** The one recurring job. */
export const DIGEST_JOB_KEY = 'digest:hourly';
const HOUR_MS = 3_600_000;
/** What a digest covers: the 24 h before its turn's hour. */
export const DIGEST_WINDOW_MS = 24 * HOUR_MS;
export const DIGEST_TITLE = 'Your daily digest';

/** Schedules the hourly job, first due at the next full hour (a no-op when it is already there). */
export function scheduleDigests(jobs: JobScheduler, now: number): void {
  jobs.enqueueNow({
    queue: DIGEST_QUEUE,
    key: DIGEST_JOB_KEY,
    payload: {},
    runAt: Math.ceil(now / HOUR_MS) * HOUR_MS,
    repeatEveryMs: HOUR_MS,
  });
}

/** A time as read on a clock in one zone. */
export interface LocalTime {
  /** `YYYY-MM-DD`. */
  date: string;
  /** 0–23. */
  hour: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** `at` in `timeZone`; a zone this runtime does not know (stored before an ICU update) reads as UTC. */
export function localTime(at: number, timeZone: string): LocalTime {
  let format: Intl.DateTimeFormat;
  try {
    format = formatFor(timeZone);
  } catch {
    format = formatFor(DEFAULT_TIME_ZONE);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/** A user whose digest is due in a turn, with their local date (the digest's dedupe key). */
export interface DueDigest {
  userId: UserId;
  date: string;
}

/** The users whose digest hour is the local hour at `hourStart` (members of some workspace only). */
export function dueDigests(ctx: EffectContext, hourStart: number): DueDigest[] {
  const rows = ctx.db
    .select({ userId: users.id, set: prefs.userId, digestHour: prefs.digestHour, timeZone: prefs.timeZone })
    .from(users)
    .leftJoin(prefs, eq(prefs.userId, users.id))
    .where(
      and(
        or(isNull(prefs.userId), isNotNull(prefs.digestHour)),
        exists(
          ctx.db
            .select({ one: sql`1` })
            .from(memberships)
            .where(eq(memberships.userId, users.id)),
        ),
      ),
    )
    .all();
  const due: DueDigest[] = [];
  for (const row of rows) {
    // No prefs row: the defaults. A row's digestHour is not null here (filtered above).
    const hour = row.set === null ? DEFAULT_DIGEST_HOUR : row.digestHour;
    const local = localTime(hourStart, row.timeZone ?? DEFAULT_TIME_ZONE);
    if (local.hour === hour) due.push({ userId: row.userId, date: local.date });
  }
  return due;
}

/** Sends one user's digest for the 24 h before `hourStart`, unless it has nothing to say; true if sent. */
export function sendDigest(ctx: EffectContext, due: DueDigest, hourStart: number, changes: Changes): boolean {
  const digest = buildDigest(ctx.db, due.userId, { from: hourStart - DIGEST_WINDOW_MS, to: hourStart });
  if (isEmptyDigest(digest)) return false;
  const delivered = ctx.notifier.deliver(
    [due.userId],
    {
      kind: 'info',
      title: DIGEST_TITLE,
      body: digestText(digest),
      link: digestLink(digest),
      dedupeKey: `digest:${due.date}`,
      emailByDefault: true,
    },
    changes,
  );
  return delivered.length > 0;
}

/** The start of the hour a turn serves: the one it was due in, unless it runs over an hour late. */
export function turnHour(runAt: number, now: number): number {
  const at = now - runAt < HOUR_MS ? runAt : now;
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

/**
 * The `digest` queue's handler: each due user's digest in a transaction of its own (a failure
 * half-way retries the turn; those already sent are not sent again, by the dedupe key).
 */
export function digestHandler(governance: {
  apply<T>(effect: (ctx: EffectContext, changes: Changes) => T): Promise<T>;
}): JobHandler {
  return async (job) => {
    const { hourStart, due } = await governance.apply((ctx) => {
      const hourStart = turnHour(job.runAt, ctx.now());
      return { hourStart, due: dueDigests(ctx, hourStart) };
    });
    for (const user of due)
      await governance.apply((ctx, changes) => sendDigest(ctx, user, hourStart, changes));
  };
}
