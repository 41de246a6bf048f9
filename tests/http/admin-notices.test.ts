/**
 * System notices on a real server: instance admins post, list and withdraw them at
 * `/api/admin/notices` (everyone else gets 403), bad input gets a clear 4xx, a current notice is in
 * `GET /api/notices` of the users it is for and lands in their inboxes through the queue, and a
 * withdrawn one leaves both. The tests share the file's server; the first two store no notice.
 * (Timing with a settable clock: sync-server/src/governance/notices.test.ts.)
 */
import { describe, expect, vi } from 'vitest';
import { it } from '../support/e2e.js';
import { api, type TestServer, type TestUser } from '../support/server.js';

interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string;
  workspaceId: string | null;
  startsAt: number;
  endsAt: number | null;
  deliveredAt: number | null;
  withdrawnAt: number | null;
}
interface ErrorBody {
  error: { code: string; message: string };
}

const current = async (ts: TestServer, user: TestUser) =>
  (
    await api<{ notices: Notice[] }>(ts.url, 'GET', '/api/notices', { token: user.accessToken })
  ).body.notices.map((n) => n.title);

const inboxTitles = async (ts: TestServer, user: TestUser) =>
  (
    await api<{ notifications: Array<{ kind: string; title: string }> }>(ts.url, 'GET', '/api/inbox', {
      token: user.accessToken,
    })
  ).body.notifications.map((n) => `${n.kind}: ${n.title}`);

describe('/api/admin/notices', () => {
  // The owner, whom the fixture signs up before any other account, is the instance admin.
  it('is for instance admins only', async ({ ts, owner: _admin, outsider: other }) => {
    const body = { kind: 'info', title: 'Hello', body: '' };
    expect((await api(ts.url, 'POST', '/api/admin/notices', { body })).status).toBe(401);
    for (const [method, path] of [
      ['POST', '/api/admin/notices'],
      ['GET', '/api/admin/notices'],
      ['DELETE', '/api/admin/notices/abc'],
    ] as const) {
      const res = await api<ErrorBody>(ts.url, method, path, {
        token: other.accessToken,
        ...(method === 'POST' ? { body } : {}),
      });
      expect(res, `${method} ${path}`).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    }
    expect(await current(ts, other)).toEqual([]);
  });

  it('refuses bad notices with a clear code, storing none', async ({ ts, owner: admin }) => {
    const post = (body: unknown) =>
      api<ErrorBody>(ts.url, 'POST', '/api/admin/notices', { token: admin.accessToken, body });
    const ok = { kind: 'warning', title: 'Maintenance', body: 'Tonight.' };
    const now = Date.now();
    const cases: Array<[unknown, number, string, RegExp]> = [
      [{ ...ok, title: 'x'.repeat(201) }, 400, 'invalid-body', /^title: /],
      [{ ...ok, title: '  ' }, 400, 'invalid-body', /^title: /],
      [{ ...ok, body: 'x'.repeat(2001) }, 400, 'invalid-body', /^body: /],
      [{ ...ok, kind: 'panic' }, 400, 'invalid-body', /^kind: /],
      [{ ...ok, startsAt: 'tomorrow' }, 400, 'invalid-body', /^startsAt: /],
      [{ ...ok, extra: 1 }, 400, 'invalid-body', /extra/],
      [{ ...ok, startsAt: now + 60_000, endsAt: now + 60_000 }, 400, 'invalid-body', /endsAt: must be after/],
      [{ ...ok, workspaceId: 'no-such-workspace' }, 404, 'not-found', /workspace/],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await post(body);
      expect(res, JSON.stringify(body).slice(0, 80)).toMatchObject({ status, body: { error: { code } } });
      expect(res.body.error.message).toMatch(message);
    }
    expect((await post('not json')).status).toBe(400);
    const list = await api<{ notices: Notice[] }>(ts.url, 'GET', '/api/admin/notices', {
      token: admin.accessToken,
    });
    expect(list).toEqual({ status: 200, body: { notices: [] } });
  });

  it('posts, delivers through the queue, lists and withdraws', async ({
    ts,
    owner: admin,
    editor: member,
    outsider,
  }) => {
    const post = (body: unknown) =>
      api<Notice>(ts.url, 'POST', '/api/admin/notices', { token: admin.accessToken, body });

    const everyone = await post({ kind: 'error', title: 'Incident', body: 'Sync is slow.' });
    expect(everyone).toMatchObject({
      status: 201,
      body: { kind: 'error', title: 'Incident', workspaceId: null, endsAt: null, withdrawnAt: null },
    });
    const team = await post({ kind: 'info', title: 'Team notice', body: '', workspaceId: admin.workspaceId });
    expect(team.status).toBe(201);
    const later = await post({ kind: 'warning', title: 'Later', body: '', startsAt: Date.now() + 3_600_000 });
    expect(later.status).toBe(201);

    expect(await current(ts, member)).toEqual(['Team notice', 'Incident']);
    expect(await current(ts, outsider)).toEqual(['Incident']);
    await ts.server.jobs.runner.runDue();
    await vi.waitFor(async () => {
      expect(await inboxTitles(ts, outsider)).toContain('error: Incident');
      expect(await inboxTitles(ts, member)).toEqual(
        expect.arrayContaining(['error: Incident', 'info: Team notice']),
      );
    });
    expect(await inboxTitles(ts, outsider)).not.toContain('info: Team notice');

    const withdraw = (id: string) =>
      api<Notice>(ts.url, 'DELETE', `/api/admin/notices/${id}`, { token: admin.accessToken });
    const gone = await withdraw(everyone.body.id);
    expect(gone.status).toBe(200);
    expect(gone.body.withdrawnAt).toEqual(expect.any(Number));
    expect((await withdraw(later.body.id)).status).toBe(200);
    expect(await current(ts, outsider)).toEqual([]);
    expect(await current(ts, member)).toEqual(['Team notice']);
    expect((await withdraw('no-such-notice')).status).toBe(404);

    const listed = await api<{ notices: Notice[] }>(ts.url, 'GET', '/api/admin/notices', {
      token: admin.accessToken,
    });
    expect(listed.body.notices.map((n) => [n.title, n.deliveredAt !== null, n.withdrawnAt !== null])).toEqual(
      [
        ['Later', false, true],
        ['Team notice', true, false],
        ['Incident', true, true],
      ],
    );
    const job = await ts.server.jobs.store.counts();
    expect(job.find((q) => q.queue === 'notice')).toMatchObject({ done: 2, cancelled: 1, waiting: 0 });
  });
});
