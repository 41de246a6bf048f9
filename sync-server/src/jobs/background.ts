/**
 * The server's background work (docs/OPERATIONS.md, "Background jobs"): which queue each handler
 * works, and the recurring jobs every start makes sure exist. One list, so that a new kind of job is
 * one entry here, not a change to the server's composition.
 */
import type { ServerConfig } from '../config.js';
import { EMAIL_QUEUE, emailHandler } from '../email/email-job.js';
import { DIGEST_QUEUE, digestHandler, scheduleDigests } from '../governance/digests.js';
import type { GovernanceService } from '../governance/governance-service.js';
import { NOTICE_QUEUE, noticeHandler } from '../governance/notices.js';
import { REMINDER_QUEUE, reminderHandler } from '../governance/reminders.js';
import { RETENTION_QUEUE, retentionHandler, scheduleRetention } from '../governance/retention.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../storage/db.js';
import { DEFAULT_BACKOFF, JobRunner, type JobHandler } from './job-runner.js';
import type { SqliteJobStore } from './sqlite-job-store.js';
import {
  scheduleUploadExpiry,
  UPLOAD_EXPIRY_QUEUE,
  uploadExpiryEveryMs,
  uploadExpiryHandler,
} from '../uploads/expiry.js';
import type { UploadService } from '../uploads/upload-service.js';

export interface BackgroundDeps {
  config: ServerConfig;
  db: Db;
  store: SqliteJobStore;
  governance: GovernanceService;
  uploads: UploadService;
  metrics: Metrics;
  logger: Logger;
  /** The server's own URL, for links in emails when `CAUCUS_PUBLIC_URL` is not set. */
  url: string;
}

function handlers(deps: BackgroundDeps): Record<string, JobHandler> {
  const { config, db, store, governance, uploads, url } = deps;
  const { email } = config;
  return {
    [REMINDER_QUEUE]: reminderHandler(governance),
    [DIGEST_QUEUE]: digestHandler(governance),
    [NOTICE_QUEUE]: noticeHandler(governance),
    [RETENTION_QUEUE]: retentionHandler(governance, config.readNotificationRetentionMs, {
      store,
      keepMs: config.jobRetentionMs,
    }),
    [UPLOAD_EXPIRY_QUEUE]: uploadExpiryHandler(uploads),
    ...(email.smtpUrl
      ? {
          [EMAIL_QUEUE]: emailHandler(db, {
            smtpUrl: email.smtpUrl,
            from: email.from,
            publicUrl: email.publicUrl ?? url,
            secret: config.jwtSecret,
          }),
        }
      : {}),
  };
}

/** Makes sure every recurring job exists (idempotent: each has a fixed key). */
function scheduleRecurring(deps: BackgroundDeps, now: number): void {
  scheduleRetention(deps.store, now);
  scheduleDigests(deps.store, now);
  scheduleUploadExpiry(deps.store, now, uploadExpiryEveryMs(deps.config.uploadExpiryMs));
}

/** The runner of this process's queues, not started yet; the recurring jobs are scheduled. */
export function createBackgroundJobs(deps: BackgroundDeps): JobRunner {
  const { config } = deps;
  const runner = new JobRunner({
    store: deps.store,
    handlers: handlers(deps),
    concurrency: config.jobs.concurrency,
    leaseMs: config.jobs.leaseMs,
    pollMs: config.jobs.pollMs,
    backoff: { baseMs: config.jobs.backoffBaseMs, maxMs: DEFAULT_BACKOFF.maxMs },
    metrics: deps.metrics.jobs,
    logger: deps.logger,
  });
  scheduleRecurring(deps, Date.now());
  return runner;
}
