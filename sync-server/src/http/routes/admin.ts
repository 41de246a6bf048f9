import { z } from 'zod';
import type { AuthService } from '../../auth/auth-service.js';
import type { GovernanceService } from '../../governance/governance-service.js';
import { ApiError } from '../../errors.js';
import type { Job, JobStore } from '../../jobs/job-store.js';
import { isInstanceAdmin } from '../../jobs/instance-admins.js';
import type { Db } from '../../storage/db.js';
import { requireAuth, type AuthedEnv } from '../middleware.js';
import { answer, mount, openApiApp, routesOf } from '../openapi-route.js';
import { adminJobSchema, adminJobsSchema } from './admin-schemas.js';
import { adminNoticeRoutes } from './notices.js';

/** Failures listed by `GET /api/admin/jobs`, newest first. */
export const RECENT_JOB_FAILURES = 20;

/** A job id in a path: digits; anything else is a 404. */
export const jobIdPath = z.object({ id: z.string().regex(/^[1-9][0-9]{0,14}$/) });

const route = routesOf('operations');

const jobsRoute = route(
  'get',
  '/jobs',
  'Job counts per queue and state, the oldest waiting age, recent failures (instance admins)',
  { responses: { 200: answer(adminJobsSchema) } },
);
const mendRoute = (action: 'retry' | 'discard', summary: string) =>
  route('post', `/jobs/{id}/${action}`, summary, {
    request: { params: jobIdPath },
    responses: { 200: answer(adminJobSchema) },
  });
const retryRoute = mendRoute('retry', 'Runs a dead job again, its attempts starting over (instance admins)');
const discardRoute = mendRoute(
  'discard',
  'Gives a dead job up (cancelled, kept for the record) (instance admins)',
);

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
  const app = openApiApp<AuthedEnv>();
  app.use('*', requireAuth(auth));
  app.use('*', async (c, next) => {
    if (!isInstanceAdmin(db, c.get('principal').userId, adminEmails))
      throw new ApiError('forbidden', 'only instance admins see the job queue and post notices');
    await next();
  });
  mount(app, jobsRoute, async (c) =>
    c.json(
      {
        at: now(),
        queues: await jobs.counts(),
        recentFailures: (await jobs.recentFailures(RECENT_JOB_FAILURES)).map(failureView),
      },
      200,
    ),
  );
  const noSuchJob = { notFound: 'no such job' };
  for (const [route, action] of [
    [retryRoute, 'retry'],
    [discardRoute, 'discard'],
  ] as const) {
    mount(
      app,
      route,
      async (c) => {
        const id = Number(c.req.valid('param').id);
        await mend(action)(id);
        return c.json(failureView((await jobs.get(id)) as Job), 200);
      },
      noSuchJob,
    );
  }
  app.route('/notices', adminNoticeRoutes({ governance }));
  return app;
}
