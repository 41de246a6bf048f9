import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_INTENTS_PER_BATCH, newId } from '@caucus/schema';
import { AuthService } from '../auth/auth-service.js';
import { loadConfig } from '../config.js';
import { GovernanceService } from '../governance/governance-service.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { openDb, type Db } from '../storage/db.js';
import { ThreadService } from '../workspaces/thread-service.js';
import { WorkspaceService } from '../workspaces/workspace-service.js';
import { createApp } from './app.js';

let dataDir: string;
let db: Db;
let app: Hono;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'caucus-gov-http-'));
  const config = loadConfig({ CAUCUS_JWT_SECRET: 'x'.repeat(40) }, { dataDir });
  db = openDb({ path: ':memory:' });
  const logger = createLogger('silent');
  const workspaces = new WorkspaceService({ db, logger });
  const threads = new ThreadService({ db, logger });
  const auth = new AuthService({ db, config, workspaces });
  const governance = new GovernanceService({
    db,
    workspaces,
    threads,
    logger,
    rate: { perSecond: 0.001, burst: 150 },
  });
  app = createApp({
    db,
    config,
    auth,
    workspaces,
    threads,
    governance,
    metrics: createMetrics(),
    logger,
    version: 't',
  });
});

afterEach(() => {
  db.$client.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: { code: string } };
}

async function call(method: string, path: string, token?: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await app.request(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Reply['body'] };
}

let n = 0;
async function signup() {
  const name = `u${++n}`;
  const r = await call('POST', '/api/auth/signup', undefined, {
    email: `${name}@example.com`,
    password: 'long enough',
    name,
  });
  const body = r.body as { user: { id: string; email: string }; accessToken: string };
  const list = await call('GET', '/api/workspaces', body.accessToken);
  const ws = (list.body.workspaces as Array<{ id: string }>)[0]?.id as string;
  return { id: body.user.id, email: body.user.email, token: body.accessToken, ws };
}

describe('governance over HTTP', () => {
  it('POST /api/intents: 200 with verdicts in order; GET /api/intents/:id for its actor only', async () => {
    const owner = await signup();
    const other = await signup();
    const threadId = newId();
    const id = newId();
    const r = await call('POST', '/api/intents', owner.token, {
      intents: [
        { id, type: 'thread.create', args: { threadId, workspaceId: owner.ws, title: 'T' } },
        { id: newId(), type: 'thread.create', args: { threadId, workspaceId: owner.ws, title: 'T' } },
        { id: 'x', type: 'nope' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.results).toMatchObject([
      { id, status: 'accepted', result: { threadId } },
      { status: 'rejected', code: 'id-taken' },
      { id: 'x', status: 'rejected', code: 'invalid-intent' },
    ]);
    const taken = (r.body.results as Array<Record<string, unknown>>)[1];
    expect([typeof taken?.reason, typeof taken?.remedy]).toEqual(['string', 'string']);
    expect((await call('GET', `/api/intents/${id}`, owner.token)).body).toMatchObject({
      id,
      type: 'thread.create',
      verdict: { status: 'accepted' },
    });
    expect((await call('GET', `/api/intents/${id}`, other.token)).status).toBe(404);
    expect((await call('POST', '/api/intents', undefined, { intents: [] })).status).toBe(401);
  });

  it('caps the batch, refuses bodies that are not a batch, and rate-limits with 429', async () => {
    const u = await signup();
    const markAll = () => ({ id: newId(), type: 'inbox.markAllRead', args: {} });
    const tooMany = Array.from({ length: MAX_INTENTS_PER_BATCH + 1 }, markAll);
    expect((await call('POST', '/api/intents', u.token, { intents: tooMany })).body.error?.code).toBe(
      'invalid-body',
    );
    expect((await call('POST', '/api/intents', u.token, { intent: markAll() })).status).toBe(400);
    const full = Array.from({ length: MAX_INTENTS_PER_BATCH }, markAll);
    expect((await call('POST', '/api/intents', u.token, { intents: full })).status).toBe(200);
    const limited = await call('POST', '/api/intents', u.token, { intents: full });
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe('rate-limited');
  });

  it('refuses deeply nested JSON at the edge with 400 (the audit of it used to overflow the stack: 500)', async () => {
    const u = await signup();
    const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const post = async (path: string, body: string) => {
      const res = await app.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
        body,
      });
      return { status: res.status, body: (await res.json()) as Reply['body'] };
    };
    // An invalid intent nested 20,000 deep: its audit event stringified the raw input.
    const intent = `{"id":"${newId()}","type":"thread.create","args":${deep(20_000)}}`;
    const refused = await post('/api/intents', `{"intents":[${intent}]}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error?.code).toBe('invalid-body');
    // Every JSON body goes through the same check, and brackets inside strings do not count.
    expect((await post('/api/workspaces', `{"name":"x","extra":${deep(40)}}`)).status).toBe(400);
    const named = await post('/api/workspaces', JSON.stringify({ name: '[{', note: '['.repeat(5_000) }));
    expect(named.status).toBe(201);
    // Nesting that real bodies could need still reaches validation: a verdict, not a refusal.
    const shallow = await post(
      '/api/intents',
      `{"intents":[{"id":"${newId()}","type":"x","args":${deep(20)}}]}`,
    );
    expect(shallow.status).toBe(200);
    expect(shallow.body.results).toMatchObject([{ status: 'rejected', code: 'invalid-intent' }]);
  });

  it('decisions, inbox and audit routes', async () => {
    const owner = await signup();
    const member = await signup();
    await call('POST', `/api/workspaces/${owner.ws}/members`, owner.token, {
      email: member.email,
      role: 'editor',
    });
    const invitation = (await call('GET', '/api/inbox', member.token)).body.notifications as Array<{
      link: string;
    }>;
    const token = invitation[0]?.link.replace('/invitations/', '');
    expect((await call('POST', '/api/invitations/accept', member.token, { token })).status).toBe(200);
    const thread = await call('POST', '/api/threads', member.token, { workspaceId: owner.ws, title: 'T' });
    expect(thread.status).toBe(201);
    const decisionId = newId();
    await call('POST', '/api/intents', member.token, {
      intents: [
        {
          id: newId(),
          type: 'decision.propose',
          args: { decisionId, threadId: thread.body.id, title: 'D', options: ['a', 'b'] },
        },
      ],
    });
    const list = await call(
      'GET',
      `/api/decisions?workspaceId=${owner.ws}&status=open&aging=day`,
      owner.token,
    );
    expect(list.body.decisions).toMatchObject([{ id: decisionId, aging: 'day', options: ['a', 'b'] }]);
    expect(
      (await call('GET', `/api/decisions?workspaceId=${owner.ws}&aging=ancient`, owner.token)).status,
    ).toBe(400);
    expect((await call('GET', `/api/decisions/${decisionId}`, member.token)).body).toMatchObject({
      id: decisionId,
      history: [{ action: 'proposed' }],
      checkpoints: [],
    });
    const inbox = await call('GET', '/api/inbox?unread=1', owner.token);
    expect(inbox.body.notifications).toMatchObject([
      { kind: 'info', title: 'New decision: “D”' },
      { kind: 'success', title: expect.stringMatching(/^u\d+ accepted your invitation to /) as string },
    ]);
    const audit = await call('GET', `/api/audit?workspaceId=${owner.ws}`, owner.token);
    expect((audit.body.events as Array<{ type: string }>).map((e) => e.type)).toEqual([
      'member.invite',
      'invitation.accept',
      'thread.create',
      'decision.propose',
    ]);
    expect((await call('GET', `/api/audit?workspaceId=${owner.ws}`, member.token)).status).toBe(403);
    expect((await call('GET', `/api/audit?workspaceId=${member.ws}`, owner.token)).status).toBe(404);
  });
});
