/**
 * Attacks on the edges, each a test (docs/SECURITY.md maps every promise to the test proving it).
 */
import { describe, expect } from 'vitest';
import { SignJWT } from 'jose';
import { CLOSE_CODES, decodeRefusal, newId } from '@caucus/schema';
import { it } from '../support/e2e.js';
import {
  api,
  createThread,
  invitationFromInbox,
  signup,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server.js';
import { nextClose, nextDenied, synced, until } from '../support/providers.js';
import { RawClient } from '../support/raw-client.js';
import { upgradeStatus } from '../support/upgrade.js';

const SECRET = new TextEncoder().encode('test-secret-'.padEnd(48, 'x'));

it.override('serverOptions', { captureLogs: true });

/** How `ts` answers `token` on the API and on an upgrade to the thread `threadId`. */
async function rejectedEverywhere(
  ts: TestServer,
  threadId: string,
  token: string,
): Promise<{ http: number; code: string; ws: number }> {
  const me = await api<{ error: { code: string } }>(ts.url, 'GET', '/api/me', { token });
  const ws = await upgradeStatus(`${ts.wsUrl}/thread:${threadId}?token=${encodeURIComponent(token)}`);
  return { http: me.status, code: me.body.error.code, ws };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('forged and expired tokens', () => {
  it('refuses a JWT signed with another secret', async ({ ts, owner, threadId }) => {
    const forged = await new SignJWT({ typ: 'access', name: 'owner', sid: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(owner.id)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-'.padEnd(48, 'y')));
    expect(await rejectedEverywhere(ts, threadId, forged)).toEqual({
      http: 401,
      code: 'unauthorized',
      ws: 401,
    });
  });

  it('refuses an alg: none JWT', async ({ ts, owner, threadId }) => {
    const now = Math.floor(Date.now() / 1000);
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: owner.id, typ: 'access', name: 'owner', iat: now, exp: now + 3600 })}.`;
    expect(await rejectedEverywhere(ts, threadId, none)).toEqual({
      http: 401,
      code: 'unauthorized',
      ws: 401,
    });
  });

  it('refuses an expired JWT signed with the real secret', async ({ ts, owner, threadId }) => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const me = await api<{ user: unknown }>(ts.url, 'GET', '/api/me', { token: owner.accessToken });
    expect(me.status).toBe(200);
    const expired = await new SignJWT({ typ: 'access', name: 'owner' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(owner.id)
      .setIssuedAt(past - 900)
      .setExpirationTime(past)
      .sign(SECRET);
    const result = await rejectedEverywhere(ts, threadId, expired);
    expect(result.http).toBe(401);
    expect(result.ws).toBe(401);
    expect(['token-expired', 'unauthorized']).toContain(result.code);
  });

  it('revokes the whole session when a refresh token is reused, and closes its sockets', async ({ ts }) => {
    const user = await signup(ts.url, 'reuser');
    const first = await api<{ accessToken: string; refreshToken: string }>(
      ts.url,
      'POST',
      '/api/auth/refresh',
      {
        body: { refreshToken: user.refreshToken },
      },
    );
    expect(first.status).toBe(200);
    const thread = await createThread(ts.url, { ...user, accessToken: first.body.accessToken });
    const socket = await RawClient.open(`${ts.wsUrl}/thread:${thread}?token=${first.body.accessToken}`);
    // The stolen, already-used token comes back: the family dies.
    const reuse = await api<{ error: { code: string } }>(ts.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('refresh-token-reused');
    expect(await socket.closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: 'token-revoked' });
    const successor = await api(ts.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    expect(successor.status).toBe(401);
    expect((await api(ts.url, 'GET', '/api/me', { token: first.body.accessToken })).status).toBe(401);
  });
});

/** The value of one Prometheus sample, e.g. `caucus_auth_failures_total{reason="invalid-token"}`. */
async function metric(ts: TestServer, sample: string): Promise<number> {
  const text = await (await fetch(`${ts.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  if (line === undefined) throw new Error(`no sample ${sample}`);
  return Number(line.slice(sample.length + 1));
}

describe('password guessing', () => {
  it('answers 429 with Retry-After once the account has failed 10 times, the right password too', async ({
    ts,
    owner,
  }) => {
    const victim = await signup(ts.url, 'guessed');
    const failures = 'caucus_auth_failures_total{reason="invalid-credentials"}';
    const accountHits = 'caucus_rate_limited_total{scope="auth-account"}';
    const [failedBefore, hitsBefore] = [await metric(ts, failures), await metric(ts, accountHits)];
    const statuses: number[] = [];
    let lastRetryAfter: string | null = null;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${ts.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: victim.email, password: `guess number ${i}` }),
      });
      statuses.push(res.status);
      if (res.status === 429) {
        lastRetryAfter = res.headers.get('retry-after');
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate-limited');
      } else await res.body?.cancel();
    }
    expect(statuses).toEqual([...Array<number>(10).fill(401), ...Array<number>(40).fill(429)]);
    // One attempt comes back every 15 min / 10 = 90 s.
    expect(Number(lastRetryAfter)).toBeGreaterThanOrEqual(80);
    expect(Number(lastRetryAfter)).toBeLessThanOrEqual(90);
    // Refusing the right password too is what makes the lock hold: answering it would let the
    // guessing go on at full speed, a 200 among the 429s telling when it succeeded. The lock is
    // short and per account; other accounts from the same address are not affected.
    const right = await api(ts.url, 'POST', '/api/auth/login', {
      body: { email: victim.email, password: 'correct horse battery' },
    });
    expect(right.status).toBe(429);
    const other = await api(ts.url, 'POST', '/api/auth/login', {
      body: { email: owner.email, password: 'correct horse battery' },
    });
    expect(other.status).toBe(200);
    expect((await metric(ts, failures)) - failedBefore).toBe(10);
    expect((await metric(ts, accountHits)) - hitsBefore).toBe(41);
  });

  it('answers GET /api/me at once during 60 parallel logins: token checks never queue behind hashing', async () => {
    // A server of its own whose budgets let 60 logins of one account through: this is about the
    // hashing, not the throttle.
    const crowded = await startTestServer({
      authThrottle: { login: { perAccount: 1_000, perAddress: 1_000 } },
    });
    try {
      const user = await signup(crowded.url, 'crowd');
      const started = performance.now();
      let pending = 60;
      const logins = Array.from({ length: 60 }, () =>
        api(crowded.url, 'POST', '/api/auth/login', {
          body: { email: user.email, password: 'correct horse battery' },
        }).finally(() => pending--),
      );
      // Token checks one after another for as long as the logins last.
      const probes: number[] = [];
      while (pending > 0) {
        const sent = performance.now();
        const me = await api(crowded.url, 'GET', '/api/me', { token: user.accessToken });
        expect(me.status).toBe(200);
        probes.push(performance.now() - sent);
      }
      expect((await Promise.all(logins)).map((r) => r.status)).toEqual(Array<number>(60).fill(200));
      const loginsMs = performance.now() - started;
      // Unbounded, scrypt filled libuv's four threads and a check's HMAC waited behind every scrypt
      // queued before it: most of the logins' time. Bounded, it waits for one at most. Measured
      // against the logins' own time, so a slow or busy machine slows both sides alike.
      expect(Math.max(...probes)).toBeLessThan(loginsMs / 4);
      expect(probes.length).toBeGreaterThanOrEqual(10);
    } finally {
      await crowded.stop();
    }
    // 60 hashes one or two at a time take a while on two busy cores.
  }, 120_000);
});

describe('minting credentials', () => {
  it('throttles signups per address, API tokens per account and bad refreshes per address', async () => {
    const tight = await startTestServer({
      authThrottle: {
        signup: { perAccount: 10, perAddress: 2 },
        token: { perAccount: 1, perAddress: 10 },
        refresh: { perAccount: 10, perAddress: 2 },
      },
    });
    const refused = async (res: Promise<Response>) => {
      const r = await res;
      const body = (await r.json()) as { error?: { code: string } };
      return { status: r.status, code: body.error?.code, retryAfter: Number(r.headers.get('retry-after')) };
    };
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${tight.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    try {
      const first = await signup(tight.url, 'minter');
      await signup(tight.url, 'minter');
      const third = await refused(
        post('/api/auth/signup', {
          email: 'third@example.test',
          password: 'correct horse battery',
          name: 'T',
        }),
      );
      expect(third).toMatchObject({ status: 429, code: 'rate-limited' });
      expect(third.retryAfter).toBeGreaterThan(0);

      expect((await post('/api/tokens', { name: 'one' }, first.accessToken)).status).toBe(201);
      expect(await refused(post('/api/tokens', { name: 'two' }, first.accessToken))).toMatchObject({
        status: 429,
        code: 'rate-limited',
      });

      for (let i = 0; i < 2; i++) {
        expect((await post('/api/auth/refresh', { refreshToken: `guess-${i}` })).status).toBe(401);
      }
      expect(await refused(post('/api/auth/refresh', { refreshToken: 'guess-2' }))).toMatchObject({
        status: 429,
        code: 'rate-limited',
      });
    } finally {
      await tight.stop();
    }
  });
});

describe('invitations', () => {
  const inviteAs = (ts: TestServer, who: TestUser, workspaceId: string, email: string, role = 'editor') =>
    api<Record<string, unknown>>(ts.url, 'POST', `/api/workspaces/${workspaceId}/members`, {
      token: who.accessToken,
      body: { email, role },
    });
  const workspacesOf = async (ts: TestServer, user: { accessToken: string }) =>
    (
      await api<{ workspaces: Array<{ id: string; role: string }> }>(ts.url, 'GET', '/api/workspaces', {
        token: user.accessToken,
      })
    ).body.workspaces;

  it('gives a pending invitation to nobody who merely signs up with the address first', async ({ ts }) => {
    const team = await signup(ts.url, 'inviter');
    const address = `target-${Date.now()}@example.test`;
    expect((await inviteAs(ts, team, team.workspaceId, address)).status).toBe(201);
    const squat = await api<{ accessToken: string; user: { id: string } }>(
      ts.url,
      'POST',
      '/api/auth/signup',
      {
        body: { email: address, password: 'correct horse battery', name: 'Squatter' },
      },
    );
    expect(squat.status).toBe(201);
    expect((await workspacesOf(ts, squat.body)).map((w) => w.id)).not.toContain(team.workspaceId);
    const inbox = await api<{ notifications: unknown[] }>(ts.url, 'GET', '/api/inbox', {
      token: squat.body.accessToken,
    });
    expect(inbox.body.notifications).toEqual([]);
    // The mailed token is no use to that account either: it was not proven to own the address.
    const mailed = ts.invitations.find((i) => i.email === address);
    expect(mailed).toBeDefined();
    const stolen = await api(ts.url, 'POST', '/api/invitations/signup', {
      body: { token: mailed?.token, password: 'correct horse battery', name: 'Again' },
    });
    expect(stolen.status).toBe(409);
  });

  it('joins an invitee who signs up through the mailed token, proving the address', async ({ ts }) => {
    const team = await signup(ts.url, 'inviter2');
    const address = `newcomer-${Date.now()}@example.test`;
    await inviteAs(ts, team, team.workspaceId, address, 'viewer');
    const token = ts.invitations.find((i) => i.email === address)?.token;
    const joined = await api<{ accessToken: string; user: { id: string; email: string } }>(
      ts.url,
      'POST',
      '/api/invitations/signup',
      { body: { token, password: 'correct horse battery', name: 'Newcomer' } },
    );
    expect(joined.status).toBe(201);
    expect(joined.body.user.email).toBe(address);
    expect(await workspacesOf(ts, joined.body)).toContainEqual(
      expect.objectContaining({ id: team.workspaceId, role: 'viewer' }),
    );
    const row = ts.server.db.$client
      .prepare('select email_verified_at as verified from users where id = ?')
      .get(joined.body.user.id) as { verified: number | null };
    expect(row.verified).toBeTypeOf('number');
    // Spent: the same link cannot make a second account or be accepted again.
    const again = await api<{ error: { code: string } }>(ts.url, 'POST', '/api/invitations/lookup', {
      body: { token },
    });
    expect([again.status, again.body.error.code]).toEqual([410, 'gone']);
  });

  it('never joins an existing user without consent, and answers as for an unknown address', async ({
    ts,
    viewer,
  }) => {
    const team = await signup(ts.url, 'inviter3');
    const existing = await signup(ts.url, 'wanted');
    const a = await inviteAs(ts, team, team.workspaceId, existing.email);
    const b = await inviteAs(ts, team, team.workspaceId, `nobody-${Date.now()}@example.test`);
    const shape = (r: typeof a) => ({
      status: r.status,
      keys: Object.keys(r.body).sort(),
      state: r.body.status,
    });
    expect(shape(a)).toEqual(shape(b));
    expect(a.body.status).toBe('invited');
    expect((await workspacesOf(ts, existing)).map((w) => w.id)).not.toContain(team.workspaceId);
    // The link in the existing account's inbox works for that account only.
    const token = await invitationFromInbox(ts.url, existing);
    const other = await api(ts.url, 'POST', '/api/invitations/accept', {
      token: viewer.accessToken,
      body: { token },
    });
    expect(other.status).toBe(403);
    const declined = await api(ts.url, 'POST', '/api/invitations/decline', { body: { token } });
    expect(declined.status).toBe(204);
    const late = await api(ts.url, 'POST', '/api/invitations/accept', {
      token: existing.accessToken,
      body: { token },
    });
    expect(late.status).toBe(410);
    expect((await workspacesOf(ts, existing)).map((w) => w.id)).not.toContain(team.workspaceId);
  });
});

describe('ids of things an outsider cannot see', () => {
  it("answers a thread.create with a foreign thread's or decision's id as any unusable id", async ({
    ts,
    owner,
    threadId,
  }) => {
    const outsider = await signup(ts.url, 'id-prober');
    const decisionId = newId();
    const proposed = await api<{ results: Array<{ status: string }> }>(ts.url, 'POST', '/api/intents', {
      token: owner.accessToken,
      body: {
        intents: [{ id: newId(), type: 'decision.propose', args: { decisionId, threadId, title: 'D' } }],
      },
    });
    expect(proposed.body.results[0]?.status).toBe('accepted');
    const ownThread = await createThread(ts.url, outsider);
    const create = async (id: string) => {
      const res = await api<{ results: Array<Record<string, unknown>> }>(ts.url, 'POST', '/api/intents', {
        token: outsider.accessToken,
        body: {
          intents: [
            {
              id: newId(),
              type: 'thread.create',
              args: { threadId: id, workspaceId: outsider.workspaceId, title: 'probe' },
            },
          ],
        },
      });
      // The id and the signed receipt differ per intent by design; the verdict itself must not.
      const { id: _intentId, receipt: _receipt, ...verdict } = res.body.results[0] ?? {};
      return verdict;
    };
    // The outsider's own thread, a thread and a decision of a workspace it is not in: one answer,
    // naming neither the kind nor the owner of what holds the id.
    const own = await create(ownThread);
    expect(own).toMatchObject({ status: 'rejected', code: 'id-taken' });
    expect(await create(threadId)).toEqual(own);
    expect(await create(decisionId)).toEqual(own);
    expect(JSON.stringify(own)).not.toMatch(/thread|decision|exist/i);
  });
});

describe('read-only means read-only', () => {
  it("refuses a viewer's offline edits sent in sync step 2 after reconnecting", async ({
    ts,
    owner,
    viewer,
    threadId,
    connect,
  }) => {
    const watcher = connect(owner);
    const v = connect(viewer);
    await Promise.all([synced(watcher), synced(v)]);
    v.provider.disconnect();
    v.doc.getText('body').insert(0, 'OFFLINE VIEWER EDIT ');
    const denied = nextDenied(v);
    v.provider.connect();
    expect(decodeRefusal(await denied)?.code).toBe('read-only');
    watcher.doc.getMap('meta').set('intent', 'marker after the viewer');
    await until(watcher.doc, () => watcher.doc.getMap('meta').get('intent') === 'marker after the viewer');
    expect(watcher.doc.getText('body').toJSON()).not.toContain('OFFLINE');
    const rows = ts.server.db.$client
      .prepare('select count(*) as n from doc_updates where doc = ? and actor = ?')
      .get(`thread:${threadId}`, viewer.id) as { n: number };
    expect(rows.n).toBe(0);
  });
});

describe('header bombs and logs', () => {
  it('answers oversized headers with 431 on HTTP and on the WebSocket upgrade', async ({
    ts,
    owner,
    threadId,
  }) => {
    const bomb = { 'x-bomb': 'b'.repeat(32 * 1024) };
    const http = await fetch(`${ts.url}/healthz`, { headers: bomb });
    expect(http.status).toBe(431);
    expect(await upgradeStatus(`${ts.wsUrl}/thread:${threadId}?token=${owner.accessToken}`, bomb)).toBe(431);
    expect((await fetch(`${ts.url}/healthz`)).status).toBe(200);
  });

  it('answers tus metadata bombs with a clear 4xx and stays healthy', async ({ ts, owner }) => {
    const b = (v: string) => Buffer.from(v).toString('base64');
    const create = (metadata: string) =>
      fetch(`${ts.url}/files/`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${owner.accessToken}`,
          'tus-resumable': '1.0.0',
          'upload-length': '5',
          'upload-metadata': metadata,
        },
      });
    // Over the header limit.
    expect((await create(`filename ${b('x'.repeat(40 * 1024))}`)).status).toBe(431);
    // Thousands of junk keys within the limit, and no filename: refused as bad metadata.
    const junk = Array.from({ length: 1500 }, (_, i) => `k${i} ${b('v')}`).join(',');
    expect((await create(junk)).status).toBe(400);
    // A malformed value (not base64 pairs) is refused too, never a 500.
    const malformed = await create(`filename ${'%%%'.repeat(100)}, threadId`);
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
    expect((await fetch(`${ts.url}/healthz`)).status).toBe(200);
  });

  it('never writes a token into a log line', async ({ ts, owner, connect }) => {
    const c = connect(owner);
    await synced(c);
    await api(ts.url, 'GET', '/api/me', { token: owner.accessToken });
    await api(ts.url, 'GET', `/api/threads?workspaceId=${owner.workspaceId}`, { token: owner.accessToken });
    await api(ts.url, 'POST', '/api/auth/login', {
      body: { email: owner.email, password: 'correct horse battery' },
    });
    // An invitee opening the link of an invitation: the app path holds its token.
    const invitee = await signup(ts.url, 'log-invitee');
    await api(ts.url, 'POST', `/api/workspaces/${owner.workspaceId}/members`, {
      token: owner.accessToken,
      body: { email: invitee.email, role: 'viewer' },
    });
    const invitation = await invitationFromInbox(ts.url, invitee);
    await fetch(`${ts.url}/invitations/${invitation}`);
    await api(ts.url, 'POST', '/api/invitations/lookup', { body: { token: invitation } });
    const closed = nextClose(c);
    c.provider.ws?.close();
    await closed;
    expect(ts.logs.length).toBeGreaterThan(3);
    expect(ts.logs.some((line) => line.includes('"/invitations/…"'))).toBe(true);
    for (const secret of [owner.accessToken, owner.refreshToken, 'correct horse battery', invitation]) {
      expect(ts.logs.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
