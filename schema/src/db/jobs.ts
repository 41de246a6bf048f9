/**
 * The durable job queue of the embedded mode (docs/OPERATIONS.md, "Background jobs"): one row per
 * job, in the same database as the state that causes it, so a job is enqueued in that state
 * change's transaction or not at all.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const JOB_STATES = ['waiting', 'running', 'done', 'dead', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    queue: text('queue').notNull(),
    /** At most one job per key (`reminder:<decisionId>:due`); the key also cancels it. */
    key: text('key'),
    payload: text('payload', { mode: 'json' }).notNull(),
    state: text('state').$type<JobState>().notNull(),
    /** When it may run next (a delayed job, a retry, a recurring job's next turn). */
    runAt: integer('run_at').notNull(),
    /** Runs started so far; each claim counts one, a claim lost to a crash included. */
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull(),
    /** Recurring jobs run again this long after each turn. */
    repeatEveryMs: integer('repeat_every_ms'),
    /** Who holds the running job and until when; past it, another runner may claim it again. */
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('jobs_key_unique').on(t.key),
    index('jobs_due').on(t.state, t.runAt),
    index('jobs_queue_state').on(t.queue, t.state),
  ],
);
