/**
 * Expiry of unfinished uploads as a recurring job on the durable queue: the job is there from the
 * start (and in `GET /api/admin/jobs`), its run removes an unfinished upload whose expiry passed
 * and keeps a finished one, and a start with another expiry gives it the new period.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { eq } from 'drizzle-orm';
import { tables, type UploadId } from '@caucus/schema';
import { it } from '../support/e2e.js';
import { api, createThread, signup, startTestServer, type TestServer } from '../support/server.js';
import { createUploadRaw, pdfBytes, tusRequest } from '../support/uploads.js';

const EXPIRY_MS = 300;
const KEY = 'uploads-expiry:unfinished';

/**
 * Server settings: the upload expiry, and a runner that, after its first look at start, looks again
 * only when the test says.
 */
const options = (uploadExpiryMs: number) => ({ uploads: { uploadExpiryMs }, jobs: { pollMs: 3_600_000 } });

it.override('serverOptions', options(EXPIRY_MS));

/** A server of the test's own, for the test that starts a second one on the first's data dir. */
const start = (uploadExpiryMs: number, dataDir?: string) =>
  startTestServer({ ...options(uploadExpiryMs), ...(dataDir ? { dataDir } : {}) });

const expiryJob = (server: TestServer) =>
  server.server.db.select().from(tables.jobs).where(eq(tables.jobs.key, KEY)).get();

describe('the uploads-expiry job', () => {
  it('removes unfinished uploads once expired, keeps finished ones, and shows in the queue', async ({
    ts,
  }) => {
    const { runner } = ts.server.jobs;
    // The recurring jobs that were due at start have run.
    await runner.runDue();
    const admin = await signup(ts.url, 'expiry-admin');
    const thread = await createThread(ts.url, admin);
    const meta = { filename: 'report.pdf', filetype: 'application/pdf', threadId: thread };
    const unfinished = await createUploadRaw(ts.url, admin.accessToken, meta, 100, pdfBytes(50));
    const finished = await createUploadRaw(ts.url, admin.accessToken, meta, 100, pdfBytes(100));
    expect([unfinished.status, finished.status]).toEqual([201, 201]);
    const idOf = (url: string | null) => new URL(url ?? '').pathname.split('/').pop() ?? '';
    const [id, finishedId] = [idOf(unfinished.uploadUrl), idOf(finished.uploadUrl)];
    const dir = join(ts.dataDir, 'uploads');
    expect(readdirSync(dir)).toContain(id);

    const job = expiryJob(ts);
    expect(job).toMatchObject({ queue: 'uploads-expiry', state: 'waiting', repeatEveryMs: EXPIRY_MS });
    const report = await api<{ queues: Array<{ queue: string; waiting: number }> }>(
      ts.url,
      'GET',
      '/api/admin/jobs',
      { token: admin.accessToken },
    );
    expect(report.status).toBe(200);
    expect(report.body.queues).toContainEqual(
      expect.objectContaining({ queue: 'uploads-expiry', waiting: 1 }),
    );

    // Expiry is a matter of the clock: wait until the upload's deadline (and so the job's next
    // turn, which comes at most one period after its last run) has passed, then run what is due.
    const row = ts.server.db
      .select()
      .from(tables.uploads)
      .where(eq(tables.uploads.id, id as UploadId))
      .get();
    const expiresAt = row?.expiresAt ?? Infinity;
    const deadline = Math.max(expiresAt, job?.runAt ?? 0) + 1;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
    expect(await runner.runDue()).toBeGreaterThanOrEqual(1);

    expect(readdirSync(dir)).not.toContain(id);
    expect(readdirSync(dir)).not.toContain(`${id}.json`);
    const head = await tusRequest(unfinished.uploadUrl ?? '', 'HEAD', { token: admin.accessToken });
    expect(head.status).toBe(404);
    expect(readdirSync(dir)).toContain(finishedId);
    const download = await tusRequest(finished.uploadUrl ?? '', 'GET', { token: admin.accessToken });
    expect(download.status).toBe(200);
    // It ran as the job, which waits for its next turn.
    const after = expiryJob(ts);
    expect(after).toMatchObject({ id: job?.id, state: 'waiting', attempts: 0, lastError: null });
    expect(after?.runAt).toBeGreaterThan(job?.runAt ?? Infinity);
    expect(await ts.server.metrics.registry.getSingleMetricAsString('caucus_uploads_total')).toMatch(
      /outcome="expired"} 1$/m,
    );
  });

  it('takes the period of the expiry the server starts with (at most 15 minutes)', async ({
    onTestFinished,
  }) => {
    let ts = await start(EXPIRY_MS);
    onTestFinished(() => ts.stop());
    const dataDir = ts.dataDir;
    expect(expiryJob(ts)?.repeatEveryMs).toBe(EXPIRY_MS);
    await ts.stop({ keepData: true });
    ts = await start(24 * 3_600_000, dataDir);
    const jobs = ts.server.db.select().from(tables.jobs).where(eq(tables.jobs.queue, 'uploads-expiry')).all();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ key: KEY, repeatEveryMs: 15 * 60_000 });
  });
});
