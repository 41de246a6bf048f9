/**
 * `GET /api/admin/jobs` and retry/discard of dead jobs, on a real server: instance admins only
 * (the first account, or those of `CAUCUS_ADMIN_EMAILS`), counts per queue and state, the oldest
 * due job's age, recent failures with their errors; and the job metrics on `/metrics`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api, signup, startTestServer, type TestServer } from '../support/server.js';

interface JobsAnswer {
  at: number;
  queues: Array<{ queue: string; waiting: number; due: number; dead: number; oldestDueAgeMs: number }>;
  recentFailures: Array<{
    id: number;
    queue: string;
    state: string;
    attempts: number;
    lastError: string | null;
  }>;
}

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('GET /api/admin/jobs', () => {
  it('shows the first account the queues and failures, refuses everyone else, mends dead jobs', async () => {
    t = await startTestServer();
    const admin = await signup(t.url, 'first');
    const other = await signup(t.url, 'second');
    const { store } = t.server.jobs;
    const at = Date.now();
    // A queue this server's runner does not work: its jobs fail only where the test says.
    const deadId = await store.enqueue({ queue: 'nowhere', payload: {}, maxAttempts: 1 });
    const claim = () => store.claim({ owner: 'test', limit: 1, leaseMs: 60_000, queues: ['nowhere'] });
    const [dying] = await claim();
    expect(await store.fail(dying!, 'smtp refused', 0)).toBe('dead');
    await store.enqueue({ queue: 'reminders', payload: {}, runAt: at + 3_600_000 });
    await store.enqueue({ queue: 'nowhere', payload: {}, runAt: at - 5_000 });

    expect((await api(t.url, 'GET', '/api/admin/jobs')).status).toBe(401);
    const refused = await api<{ error: { code: string } }>(t.url, 'GET', '/api/admin/jobs', {
      token: other.accessToken,
    });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });

    const res = await api<JobsAnswer>(t.url, 'GET', '/api/admin/jobs', { token: admin.accessToken });
    expect(res.status).toBe(200);
    const nowhere = res.body.queues.find((q) => q.queue === 'nowhere');
    expect(nowhere).toMatchObject({ waiting: 1, due: 1, dead: 1 });
    expect(nowhere?.oldestDueAgeMs).toBeGreaterThanOrEqual(5_000);
    expect(res.body.queues.find((q) => q.queue === 'reminders')).toMatchObject({ waiting: 1, due: 0 });
    expect(res.body.recentFailures).toEqual([
      expect.objectContaining({ id: deadId, state: 'dead', attempts: 1, lastError: 'smtp refused' }),
    ]);

    const bad = await api(t.url, 'POST', '/api/admin/jobs/not-a-number/retry', { token: admin.accessToken });
    expect(bad.status).toBe(404);
    const missing = await api(t.url, 'POST', '/api/admin/jobs/999999/retry', { token: admin.accessToken });
    expect(missing.status).toBe(404);
    const retried = await api(t.url, 'POST', `/api/admin/jobs/${deadId}/retry`, { token: admin.accessToken });
    expect(retried).toMatchObject({ status: 200, body: { id: deadId, state: 'waiting', attempts: 0 } });
    const notDead = await api<{ error: { code: string } }>(
      t.url,
      'POST',
      `/api/admin/jobs/${deadId}/discard`,
      {
        token: admin.accessToken,
      },
    );
    expect(notDead).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(
      (await api(t.url, 'POST', `/api/admin/jobs/${deadId}/retry`, { token: other.accessToken })).status,
    ).toBe(403);
    const claimed = await store.claim({ owner: 'test', limit: 5, leaseMs: 60_000, queues: ['nowhere'] });
    const again = claimed.find((j) => j.id === deadId);
    expect(claimed).toHaveLength(2);
    expect(await store.fail(again!, 'smtp refused again', 0)).toBe('dead');
    const discarded = await api(t.url, 'POST', `/api/admin/jobs/${deadId}/discard`, {
      token: admin.accessToken,
    });
    expect(discarded).toMatchObject({ status: 200, body: { id: deadId, state: 'cancelled' } });

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain('caucus_job_attempts_total{queue="reminders"} 0');
    expect(metrics).toContain('caucus_jobs{queue="nowhere",state="cancelled"} 1');
    expect(metrics).toContain('caucus_jobs{queue="nowhere",state="running"} 1');
  });

  it('with CAUCUS_ADMIN_EMAILS, the listed addresses are the admins and the first account is not', async () => {
    t = await startTestServer();
    const first = await signup(t.url, 'owner-of-nothing');
    const listed = await signup(t.url, 'ops');
    await t.stop({ keepData: true });
    const dataDir = t.dataDir;
    t = await startTestServer({ dataDir, adminEmails: [listed.email] });
    const login = async (email: string) =>
      (
        await api<{ accessToken: string }>(t!.url, 'POST', '/api/auth/login', {
          body: { email, password: 'correct horse battery' },
        })
      ).body.accessToken;
    expect((await api(t.url, 'GET', '/api/admin/jobs', { token: await login(first.email) })).status).toBe(
      403,
    );
    expect((await api(t.url, 'GET', '/api/admin/jobs', { token: await login(listed.email) })).status).toBe(
      200,
    );
  });
});
