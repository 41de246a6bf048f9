import { Hono } from 'hono';
import { z } from 'zod';
import type { AuthService } from '../../auth/auth-service.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { ApiError } from '../../errors.js';
import type { Job, JobStore } from '../../jobs/job-store.js';
import { isInstanceAdmin } from '../../jobs/instance-admins.js';
import type { Db } from '../../storage/db.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { adminNoticeRoutes } from './notices.js';

/** Failures listed by `GET /api/admin/jobs`, newest first. */
export const RECENT_JOB_FAILURES = 20;

/** A job id in a path: digits; anything else is a 404. */
export const jobIdPath = z.object({ id: z.string().regex(/^[1-9][0-9]{0,14}$/) });

function failureView(job: Job) {
  return {
    id: job.id,
    queue: job.queue,
    key: job.key,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    lastError: job.lastError,
    runAt: job.runAt,
    updatedAt: job.updatedAt,
  };
}

/** `/api/admin`: the instance's job queue and system notices, for instance admins only. */
export function adminRoutes({
  db,
  auth,
  jobs,
  governance,
  adminEmails,
  now = Date.now,
}: {
  db: Db;
  auth: AuthService;
  jobs: JobStore;
  governance: GovernanceService;
  adminEmails: readonly string[];
  now?: () => number;
}) {
  const jobId = (raw: string | undefined): number => {
    const parsed = jobIdPath.safeParse({ id: raw });
    if (!parsed.success) throw new ApiError('not-found', 'no such job');
    return Number(parsed.data.id);
  };
  const mend = (action: 'retry' | 'discard') => async (id: number) => {
    const done = action === 'retry' ? await jobs.retry(id) : await jobs.discard(id);
    if (done) return;
    const job = await jobs.get(id);
    if (!job) throw new ApiError('not-found', 'no such job');
    throw new ApiError(
      'conflict',
      `only a dead job can be ${action === 'retry' ? 'retried' : 'discarded'}; this one is ${job.state}`,
    );
  };
  return new Hono<AuthedEnv>()
    .use('*', requireAuth(auth))
    .use('*', async (c, next) => {
      if (!isInstanceAdmin(db, c.get('principal').userId, adminEmails))
        throw new ApiError('forbidden', 'only instance admins see the job queue and post notices');
      await next();
    })
    .get('/jobs', async (c) =>
      c.json({
        at: now(),
        queues: await jobs.counts(),
        recentFailures: (await jobs.recentFailures(RECENT_JOB_FAILURES)).map(failureView),
      }),
    )
    .post('/jobs/:id/retry', async (c) => {
      const id = jobId(c.req.param('id'));
      await mend('retry')(id);
      return c.json(failureView((await jobs.get(id)) as Job));
    })
    .post('/jobs/:id/discard', async (c) => {
      const id = jobId(c.req.param('id'));
      await mend('discard')(id);
      return c.json(failureView((await jobs.get(id)) as Job));
    })
    .route('/notices', adminNoticeRoutes({ governance }));
}
