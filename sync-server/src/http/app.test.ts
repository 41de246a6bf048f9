import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiErrorCode } from '@caucus/schema';
import { AuthService } from '../auth/auth-service.js';
import { loadConfig, type ServerConfig } from '../config.js';
import { GovernanceService } from '../governance/governance-service.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { openDb, type Db } from '../storage/db.js';
import { ThreadService, type ThreadCreated } from '../workspaces/thread-service.js';
import { WorkspaceService } from '../workspaces/workspace-service.js';
import { API_BODY_LIMIT_BYTES, createApp } from './app.js';

const ACCESS_TTL_SECONDS = 60;

let dataDir: string;
let db: Db;
let config: ServerConfig;
let clock: number;
let logs: string[];
let threadsCreated: ThreadCreated[];
let app: Hono;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'caucus-http-'));
  config = loadConfig(
    { CAUCUS_JWT_SECRET: 'x'.repeat(40) },
    // No app build here (webDir without index.html): `/` is the landing page.
    { dataDir, webDir: dataDir, accessTokenTtlSeconds: ACCESS_TTL_SECONDS },
  );
  db = openDb({ path: ':memory:' });
  clock = Date.UTC(2030, 0, 1);
  const now = () => clock;
  logs = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(line) });
  const workspaces = new WorkspaceService({ db, now, logger });
  const threads = new ThreadService({ db, logger });
  threadsCreated = [];
  threads.onThreadCreated((e) => threadsCreated.push(e));
  const metrics = createMetrics();
  const auth = new AuthService({ db, config, now, workspaces, metrics });
  // One clock for every service, so invitations expire on the same time line as the rest.
  const governance = new GovernanceService({ db, workspaces, threads, logger, now });
  app = createApp({
    db,
    config,
    auth,
    workspaces,
    threads,
    governance,
    metrics,
    logger,
    version: '1.2.3-test',
  });
});

afterEach(() => {
  if (db.$client.open) db.$client.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: Reply['body'] = {};
  if (res.headers.get('content-type')?.includes('application/json'))
    parsed = JSON.parse(text) as Reply['body'];
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** The token of the newest invitation in the user's inbox (its link is `/invitations/<token>`). */
async function invitationToken(accessToken: string): Promise<string> {
  const inbox = await call('GET', '/api/inbox', { token: accessToken });
  const notes = inbox.body.notifications as Array<{ link: string }>;
  const link = notes.find((n) => n.link.startsWith('/invitations/'))?.link;
  if (!link) throw new Error('no invitation in the inbox');
  return link.slice('/invitations/'.length);
}

/** Invites `member` as `role` and accepts as them. */
async function joinAs(
  ownerToken: string,
  ws: string,
  member: { accessToken: string; user: { email: string } },
  role: string,
): Promise<void> {
  const invited = await call('POST', `/api/workspaces/${ws}/members`, {
    token: ownerToken,
    body: { email: member.user.email, role },
  });
  if (invited.status !== 201) throw new Error(`invite: ${invited.text}`);
  const token = await invitationToken(member.accessToken);
  const accepted = await call('POST', '/api/invitations/accept', {
    token: member.accessToken,
    body: { token },
  });
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.text}`);
}

function errorOf(reply: Reply): { code?: unknown; message?: unknown } {
  return reply.body.error ?? {};
}

function expectError(reply: Reply, status: number, code: ApiErrorCode): void {
  expect(reply.status, reply.text).toBe(status);
  expect(Object.keys(reply.body)).toEqual(['error']);
  expect(Object.keys(errorOf(reply)).sort()).toEqual(['code', 'message']);
  expect(errorOf(reply).code).toBe(code);
  expect(errorOf(reply).message).toBeTypeOf('string');
  expect(reply.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

let userCounter = 0;
async function signup(name = `user${++userCounter}`, email = `${name}@example.com`) {
  const reply = await call('POST', '/api/auth/signup', { body: { email, password: 'long enough', name } });
  expect(reply.status, reply.text).toBe(201);
  return reply.body as {
    user: { id: string; email: string; name: string };
    accessToken: string;
    refreshToken: string;
  };
}

describe('service endpoints', () => {
  it('GET /healthz', async () => {
    const reply = await call('GET', '/healthz');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok', version: '1.2.3-test' });
  });

  it('GET /metrics serves Prometheus text', async () => {
    const reply = await call('GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('text/plain');
    expect(reply.text).toContain('caucus_connections');
  });

  it('counts auth failures by reason and throttle hits by scope, every label from zero', async () => {
    const sample = async (name: string) => {
      const text = (await call('GET', '/metrics')).text;
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.slice(name.length + 1));
    };
    for (const reason of ['invalid-credentials', 'invalid-token', 'token-expired', 'refresh-token-reused']) {
      expect(await sample(`caucus_auth_failures_total{reason="${reason}"}`)).toBe(0);
    }
    for (const scope of ['auth-account', 'auth-address']) {
      expect(await sample(`caucus_rate_limited_total{scope="${scope}"}`)).toBe(0);
    }
    expect((await call('GET', '/api/me', { token: 'forged' })).status).toBe(401);
    await call('POST', '/api/auth/login', { body: { email: 'who@example.com', password: 'nope' } });
    expect(await sample('caucus_auth_failures_total{reason="invalid-token"}')).toBe(1);
    expect(await sample('caucus_auth_failures_total{reason="invalid-credentials"}')).toBe(1);
  });

  it('GET / is a small HTML page', async () => {
    const reply = await call('GET', '/');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('text/html');
    expect(reply.text).toContain('Caucus is running');
    expect(reply.text).toContain('1.2.3-test');
    expect(reply.text).toContain('/healthz');
  });

  it('unknown routes are 404 JSON', async () => {
    expectError(await call('GET', '/nope'), 404, 'not-found');
    expectError(await call('GET', '/api/nope'), 404, 'not-found');
  });

  it('logs one line per request with the path but never the query string', async () => {
    await call('GET', '/api/threads?workspaceId=abc&token=very-secret-value');
    const lines = logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/api/threads', status: 401 });
    expect(lines[0]?.durationMs).toBeTypeOf('number');
    expect(logs.join('\n')).not.toContain('very-secret-value');
  });
});

describe('auth', () => {
  it('signup → 201 with user and tokens; /api/me answers with the user', async () => {
    const session = await signup('ada', 'Ada@Example.com');
    expect(session.user).toMatchObject({ email: 'ada@example.com', name: 'ada' });
    expect(session.accessToken).toBeTypeOf('string');
    expect(session.refreshToken).toBeTypeOf('string');
    const me = await call('GET', '/api/me', { token: session.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user: { ...session.user },
      via: 'session',
      expiresAt: clock + ACCESS_TTL_SECONDS * 1000,
      avatarUpdatedAt: null,
    });
    expect(me.headers.get('cache-control')).toBe('no-store');
  });

  it('login → 200; wrong password and unknown email are the same 401', async () => {
    const { user } = await signup('grace');
    const ok = await call('POST', '/api/auth/login', {
      body: { email: 'GRACE@example.com', password: 'long enough' },
    });
    expect(ok.status).toBe(200);
    expect((ok.body.user as { id: string }).id).toBe(user.id);
    const wrong = await call('POST', '/api/auth/login', {
      body: { email: 'grace@example.com', password: 'nope' },
    });
    const unknown = await call('POST', '/api/auth/login', {
      body: { email: 'who@example.com', password: 'nope' },
    });
    expectError(wrong, 401, 'invalid-credentials');
    expectError(unknown, 401, 'invalid-credentials');
    expect(wrong.body).toEqual(unknown.body);
  });

  it('duplicate email → 409 email-taken', async () => {
    await signup('linus');
    const again = await call('POST', '/api/auth/signup', {
      body: { email: 'LINUS@example.com', password: 'long enough', name: 'Other' },
    });
    expectError(again, 409, 'email-taken');
  });

  it('validates signup bodies with a readable issue list', async () => {
    const reply = await call('POST', '/api/auth/signup', {
      body: { email: 'not-an-email', password: 'short' },
    });
    expectError(reply, 400, 'invalid-body');
    const message = String(errorOf(reply).message);
    expect(message).toContain('email');
    expect(message).toContain('password');
    expect(message).toContain('name');
  });

  it('weak password → 400 weak-password, saying why', async () => {
    for (const password of ['12345678', 'password']) {
      const reply = await call('POST', '/api/auth/signup', {
        body: { email: 'weak@example.com', password, name: 'Weak' },
      });
      expectError(reply, 400, 'weak-password');
      expect(String(errorOf(reply).message)).toMatch(/stronger password: .*used password/);
    }
    expect(
      (
        await call('POST', '/api/auth/signup', {
          body: { email: 'weak@example.com', password: 'long enough', name: 'Weak' },
        })
      ).status,
    ).toBe(201);
  });

  it('refresh rotates; reusing a refresh token revokes the family', async () => {
    const first = await signup();
    const rotated = await call('POST', '/api/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(first.refreshToken);
    expect((await call('GET', '/api/me', { token: rotated.body.accessToken as string })).status).toBe(200);

    const reused = await call('POST', '/api/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expectError(reused, 401, 'refresh-token-reused');
    const successor = await call('POST', '/api/auth/refresh', {
      body: { refreshToken: rotated.body.refreshToken },
    });
    expectError(successor, 401, 'refresh-token-reused');
    expectError(
      await call('GET', '/api/me', { token: rotated.body.accessToken as string }),
      401,
      'unauthorized',
    );
  });

  it('logout → 204 and really logs out', async () => {
    const session = await signup();
    const out = await call('POST', '/api/auth/logout', { body: { refreshToken: session.refreshToken } });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    expectError(await call('GET', '/api/me', { token: session.accessToken }), 401, 'unauthorized');
    expectError(
      await call('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } }),
      401,
      'refresh-token-reused',
    );
  });

  it('an expired access token → 401 token-expired', async () => {
    const session = await signup();
    clock += ACCESS_TTL_SECONDS * 1000;
    expectError(await call('GET', '/api/me', { token: session.accessToken }), 401, 'token-expired');
  });

  it('refuses missing, forged and alg:none tokens', async () => {
    const session = await signup();
    expectError(await call('GET', '/api/me'), 401, 'unauthorized');
    expectError(
      await call('GET', '/api/me', { headers: { authorization: session.accessToken } }),
      401,
      'unauthorized',
    );
    const me = await call('GET', '/api/me', { token: session.accessToken });
    const iat = Math.floor(clock / 1000);
    const claims = { sid: 'a-session', name: 'x', typ: 'access', sub: session.user.id, iat, exp: iat + 60 };
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('z'.repeat(40)));
    expectError(await call('GET', '/api/me', { token: forged }), 401, 'unauthorized');
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    expectError(await call('GET', '/api/me', { token: none }), 401, 'unauthorized');
    expect(me.status).toBe(200);
  });
});

describe('API tokens', () => {
  it('create (201, shown once) → use → list → revoke (204) → refused', async () => {
    const session = await signup();
    const created = await call('POST', '/api/tokens', {
      token: session.accessToken,
      body: { name: 'importer' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'importer', expiresAt: null });
    const apiToken = created.body.token as string;
    expect(apiToken).toMatch(/^cau_/);

    const me = await call('GET', '/api/me', { token: apiToken });
    expect(me.body).toMatchObject({ user: { id: session.user.id }, via: 'api-token', expiresAt: null });
    const listed = await call('GET', '/api/tokens', { token: apiToken });
    expect(listed.body.tokens).toEqual([expect.objectContaining({ id: created.body.id, name: 'importer' })]);
    expect(listed.text).not.toContain(apiToken);

    // An API token cannot mint more API tokens.
    expectError(
      await call('POST', '/api/tokens', { token: apiToken, body: { name: 'x' } }),
      403,
      'forbidden',
    );

    const deleted = await call('DELETE', `/api/tokens/${String(created.body.id)}`, {
      token: session.accessToken,
    });
    expect(deleted.status).toBe(204);
    expectError(await call('GET', '/api/me', { token: apiToken }), 401, 'unauthorized');
    expectError(
      await call('DELETE', '/api/tokens/unknown-id', { token: session.accessToken }),
      404,
      'not-found',
    );
  });

  it('validates expiresInDays', async () => {
    const session = await signup();
    const bad = await call('POST', '/api/tokens', {
      token: session.accessToken,
      body: { name: 'x', expiresInDays: 0 },
    });
    expectError(bad, 400, 'invalid-body');
    const ok = await call('POST', '/api/tokens', {
      token: session.accessToken,
      body: { name: 'x', expiresInDays: 7 },
    });
    expect(ok.body.expiresAt).toBe(clock + 7 * 86_400_000);
  });
});

describe('workspaces', () => {
  it('create → 201, list with roles, get with members', async () => {
    const ada = await signup('ada');
    const created = await call('POST', '/api/workspaces', {
      token: ada.accessToken,
      body: { name: ' Engines ' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Engines', personal: false, role: 'owner' });
    const id = created.body.id as string;

    const list = await call('GET', '/api/workspaces', { token: ada.accessToken });
    expect(list.body.workspaces).toEqual([
      expect.objectContaining({ name: "ada's workspace", personal: true, role: 'owner' }),
      expect.objectContaining({ id, name: 'Engines', role: 'owner' }),
    ]);

    const got = await call('GET', `/api/workspaces/${id}`, { token: ada.accessToken });
    expect(got.status).toBe(200);
    expect(got.body.members).toEqual([
      { userId: ada.user.id, name: 'ada', email: 'ada@example.com', role: 'owner', joinedAt: clock },
    ]);

    const outsider = await signup('eve');
    expectError(
      await call('GET', `/api/workspaces/${id}`, { token: outsider.accessToken }),
      404,
      'not-found',
    );
    expectError(
      await call('GET', '/api/workspaces/does-not-exist', { token: ada.accessToken }),
      404,
      'not-found',
    );
    expectError(await call('GET', '/api/workspaces/bad%20id!', { token: ada.accessToken }), 404, 'not-found');
  });

  it('invites alike whether the account exists; only the invited account joins, by accepting', async () => {
    const owner = await signup('owner');
    const bob = await signup('bob');
    const ws = (await call('POST', '/api/workspaces', { token: owner.accessToken, body: { name: 'Team' } }))
      .body.id as string;

    const invite = (email: string, role: string) =>
      call('POST', `/api/workspaces/${ws}/members`, { token: owner.accessToken, body: { email, role } });
    const existing = await invite('BOB@example.com', 'viewer');
    const unknown = await invite('carol@example.com', 'viewer');
    expect(existing.status).toBe(201);
    expect(unknown.status).toBe(201);
    expect(existing.body).toMatchObject({
      workspaceId: ws,
      email: 'bob@example.com',
      role: 'viewer',
      status: 'invited',
    });
    // Nothing in the answer tells whether an account has the address.
    const shape = (r: Reply) => Object.keys(r.body).sort();
    expect(shape(existing)).toEqual(shape(unknown));
    expect(unknown.body.status).toBe('invited');
    // Nobody joined without consent.
    const listOf = async (token: string) =>
      (await call('GET', '/api/workspaces', { token })).body.workspaces as Array<{
        id: string;
        role: string;
      }>;
    expect((await listOf(bob.accessToken)).map((w) => w.id)).not.toContain(ws);
    const detail = await call('GET', `/api/workspaces/${ws}`, { token: owner.accessToken });
    expect(detail.body.invitations).toEqual([
      expect.objectContaining({ email: 'bob@example.com', role: 'viewer' }),
      expect.objectContaining({ email: 'carol@example.com', role: 'viewer' }),
    ]);

    // Bob finds it in his inbox and accepts.
    const token = await invitationToken(bob.accessToken);
    const looked = await call('POST', '/api/invitations/lookup', { body: { token } });
    expect(looked.body).toMatchObject({
      workspace: { id: ws, name: 'Team' },
      email: 'bob@example.com',
      role: 'viewer',
    });
    const accepted = await call('POST', '/api/invitations/accept', {
      token: bob.accessToken,
      body: { token },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ workspaceId: ws, role: 'viewer' });
    expect(await listOf(bob.accessToken)).toContainEqual(expect.objectContaining({ id: ws, role: 'viewer' }));

    // Whoever signs up with Carol's address first gets nothing from her invitation.
    const squatter = await signup('carol');
    expect((await listOf(squatter.accessToken)).map((w) => w.id)).not.toContain(ws);
    expect((await call('GET', '/api/inbox', { token: squatter.accessToken })).body.notifications).toEqual([]);
  });

  it('only owners add members: others get 403, non-members 404', async () => {
    const owner = await signup();
    const editor = await signup();
    const outsider = await signup();
    const ws = (await call('POST', '/api/workspaces', { token: owner.accessToken, body: { name: 'Team' } }))
      .body.id as string;
    await joinAs(owner.accessToken, ws, editor, 'editor');
    const body = { email: 'someone@example.com', role: 'viewer' };
    expectError(
      await call('POST', `/api/workspaces/${ws}/members`, { token: editor.accessToken, body }),
      403,
      'forbidden',
    );
    expectError(
      await call('POST', `/api/workspaces/${ws}/members`, { token: outsider.accessToken, body }),
      404,
      'not-found',
    );
    expectError(
      await call('POST', `/api/workspaces/${ws}/members`, {
        token: owner.accessToken,
        body: { ...body, role: 'boss' },
      }),
      400,
      'invalid-body',
    );
  });

  it('refuses to invite a member (409), the owner included: roles change with member.setRole', async () => {
    const owner = await signup();
    const ws = (await call('POST', '/api/workspaces', { token: owner.accessToken, body: { name: 'Team' } }))
      .body.id as string;
    const demote = await call('POST', `/api/workspaces/${ws}/members`, {
      token: owner.accessToken,
      body: { email: owner.user.email, role: 'viewer' },
    });
    expectError(demote, 409, 'conflict');
    expect(String(errorOf(demote).message)).toContain('owner of this workspace');
  });
});

describe('threads', () => {
  async function teamWithRoles() {
    const owner = await signup();
    const editor = await signup();
    const viewer = await signup();
    const outsider = await signup();
    const ws = (await call('POST', '/api/workspaces', { token: owner.accessToken, body: { name: 'Team' } }))
      .body.id as string;
    for (const [member, role] of [
      [editor, 'editor'],
      [viewer, 'viewer'],
    ] as const) {
      await joinAs(owner.accessToken, ws, member, role);
    }
    return { ws, owner, editor, viewer, outsider };
  }

  it('create (201) → list → get, and announces the new thread', async () => {
    const { ws, editor, viewer } = await teamWithRoles();
    const created = await call('POST', '/api/threads', {
      token: editor.accessToken,
      body: { workspaceId: ws, title: 'Budget 2031', intent: 'agree on the budget' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      workspaceId: ws,
      title: 'Budget 2031',
      intent: 'agree on the budget',
      status: 'active',
      createdBy: editor.user.id,
    });
    const id = created.body.id as string;
    expect(threadsCreated).toEqual([{ thread: created.body, actorId: editor.user.id }]);

    const list = await call('GET', `/api/threads?workspaceId=${ws}`, { token: viewer.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.threads).toMatchObject([created.body]);
    expect(list.body.nextCursor).toBeNull();
    const active = await call('GET', `/api/threads?workspaceId=${ws}&status=active`, {
      token: viewer.accessToken,
    });
    expect(active.body.threads).toHaveLength(1);
    const archived = await call('GET', `/api/threads?workspaceId=${ws}&status=archived`, {
      token: viewer.accessToken,
    });
    expect(archived.body.threads).toEqual([]);
    // Full-text search needs the projection, which this HTTP-only app does not run: see
    // projection/thread-queries.test.ts and tests/read-model.
    const missed = await call('GET', `/api/threads?workspaceId=${ws}&q=100%25`, {
      token: viewer.accessToken,
    });
    expect(missed.body.threads).toEqual([]);

    const got = await call('GET', `/api/threads/${id}`, { token: viewer.accessToken });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ ...created.body, body: '', messages: [], attachments: [] });
  });

  it('viewers get 403, non-members 404', async () => {
    const { ws, owner, viewer, outsider } = await teamWithRoles();
    const body = { workspaceId: ws, title: 'T' };
    expectError(await call('POST', '/api/threads', { token: viewer.accessToken, body }), 403, 'forbidden');
    expectError(await call('POST', '/api/threads', { token: outsider.accessToken, body }), 404, 'not-found');
    const id = (await call('POST', '/api/threads', { token: owner.accessToken, body })).body.id as string;
    expectError(await call('GET', `/api/threads/${id}`, { token: outsider.accessToken }), 404, 'not-found');
    expectError(
      await call('GET', `/api/threads?workspaceId=${ws}`, { token: outsider.accessToken }),
      404,
      'not-found',
    );
    // Without a workspace: every workspace of the caller.
    const all = await call('GET', '/api/threads', { token: owner.accessToken });
    expect(all.body.threads).toMatchObject([{ id }]);
    expectError(
      await call('GET', '/api/threads?cursor=nope', { token: owner.accessToken }),
      400,
      'invalid-body',
    );
  });

  it('accepts a client-made id once (409 after) and refuses malformed ids', async () => {
    const { ws, editor } = await teamWithRoles();
    const threadId = '0190aaaa-bbbb-7ccc-8ddd-eeeeffff0000';
    const body = { workspaceId: ws, title: 'Offline', threadId };
    const first = await call('POST', '/api/threads', { token: editor.accessToken, body });
    expect(first.status).toBe(201);
    expect(first.body.id).toBe(threadId);
    expectError(await call('POST', '/api/threads', { token: editor.accessToken, body }), 409, 'conflict');
    expectError(
      await call('POST', '/api/threads', {
        token: editor.accessToken,
        body: { ...body, threadId: '../etc' },
      }),
      400,
      'invalid-body',
    );
  });
});

describe('request bodies and errors', () => {
  it('malformed or missing JSON → 400 invalid-body', async () => {
    const session = await signup();
    expectError(
      await call('POST', '/api/workspaces', {
        token: session.accessToken,
        raw: '{"name": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'invalid-body',
    );
    expectError(await call('POST', '/api/workspaces', { token: session.accessToken }), 400, 'invalid-body');
    expectError(await call('POST', '/api/auth/login', { raw: 'email=a&password=b' }), 400, 'invalid-body');
    expectError(
      await call('POST', '/api/workspaces', { token: session.accessToken, body: [1, 2] }),
      400,
      'invalid-body',
    );
  });

  it('bodies over 64 KiB → 413, with or without Content-Length', async () => {
    const big = JSON.stringify({
      email: 'a@example.com',
      password: 'x'.repeat(API_BODY_LIMIT_BYTES),
      name: 'A',
    });
    expectError(
      await call('POST', '/api/auth/signup', {
        raw: big,
        headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
      }),
      413,
      'payload-too-large',
    );
    expectError(await call('POST', '/api/auth/signup', { raw: big }), 413, 'payload-too-large');
  });

  it('an unexpected failure is a generic 500 with no stack, and is logged', async () => {
    const session = await signup();
    db.$client.close();
    const reply = await call('GET', '/api/workspaces', { token: session.accessToken });
    expectError(reply, 500, 'internal');
    expect(errorOf(reply).message).toBe('internal server error');
    expect(reply.text).not.toContain('database');
    expect(logs.some((l) => l.includes('unhandled error'))).toBe(true);
  });
});
