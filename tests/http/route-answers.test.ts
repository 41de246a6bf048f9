/**
 * Every route answers as the published document says: each operation of `/api/openapi.json` is
 * driven through a real server with a valid request, its status must be one the operation
 * declares (not just `default`), and a JSON body must satisfy the schema published for that
 * status (turned back into a validator with `z.fromJSONSchema`). A route added without a call here
 * fails the last check by name.
 */
import sharp from 'sharp';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import { createUpload } from '@caucus/client';
import type { UserId } from '@caucus/schema';
import { unsubscribeToken } from '../../sync-server/src/email/unsubscribe-token.js';
import { test } from '../support/e2e.js';
import { signup, type TestServer, type TestUser } from '../support/server.js';
import { pdfBytes, tusUpload } from '../support/uploads.js';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

/** The operations `call` drove, as `METHOD /template`. */
const exercised = new Set<string>();

/** The schema with every `$ref` to a component of `doc` replaced by the component (ours do not recurse). */
function inline(doc: Document, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => inline(doc, v));
  if (!value || typeof value !== 'object') return value;
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') return inline(doc, doc.components.schemas[ref.split('/').pop() ?? '']);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inline(doc, v)]));
}

/** The path template of `doc` that `path` is an instance of (`/api/threads/{id}` for `/api/threads/t1`). */
function templateOf(doc: Document, path: string): string {
  const bare = path.split('?')[0] ?? path;
  const found = Object.keys(doc.paths).find((template) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
  );
  if (!found) throw new Error(`${bare} is not in the document`);
  return found;
}

/**
 * `method path` on server `t` with `body` (JSON) as `user`: the answer must have status `status`,
 * declared for that operation in `doc`, and a JSON body its published schema accepts. Returns the
 * parsed body.
 */
async function call<T = Record<string, never>>(
  t: TestServer,
  doc: Document,
  status: number,
  method: string,
  path: string,
  options: { user?: TestUser; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.user) headers.authorization = `Bearer ${options.user.accessToken}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(t.url + path, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  const template = templateOf(doc, path);
  const key = `${method} ${template}`;
  expect({ key, status: res.status, text: res.status === status ? '' : text }).toEqual({
    key,
    status,
    text: '',
  });
  const declared = doc.paths[template]?.[method.toLowerCase()]?.responses[String(status)];
  expect(declared, `${key} declares ${status}`).toBeDefined();
  const schema = declared?.content?.['application/json']?.schema;
  const type = res.headers.get('content-type') ?? '';
  if (schema) {
    expect(type, key).toMatch(/^application\/json/);
    const body: unknown = JSON.parse(text);
    const result = z.fromJSONSchema(inline(doc, schema) as never).safeParse(body);
    expect(result.error?.issues ?? [], `${key} ${status}: ${text.slice(0, 400)}`).toEqual([]);
    exercised.add(key);
    return body as T;
  }
  // No JSON declared: no JSON body either (204, an image, a page, Prometheus text).
  expect(type.startsWith('application/json') && text !== '', key).toBe(false);
  exercised.add(key);
  return {} as T;
}

/**
 * `doc`: the document the file's server publishes (`/api/openapi.json`, fetched before the test);
 * `json(status, method, path, user?, body?)`: `call` on that server.
 */
const it = test
  .extend(
    'doc',
    { scope: 'file' },
    async ({ ts }) => (await (await fetch(`${ts.url}/api/openapi.json`)).json()) as Document,
  )
  .extend(
    'json',
    { scope: 'file' },
    ({ ts, doc }) =>
      <T>(status: number, method: string, path: string, user?: TestUser, body?: unknown) =>
        call<T>(ts, doc, status, method, path, {
          ...(user ? { user } : {}),
          ...(body !== undefined ? { body } : {}),
        }),
  );

it.override('serverOptions', { captureLogs: true });

describe('every route', () => {
  // Only the server from the fixture: Ada signs up in the test, as the first account (the admin).
  it('answers a valid request as its published schema says', async ({ ts: t, doc, json }) => {
    await json(200, 'GET', '/healthz');
    await json(200, 'GET', '/metrics');
    await json(200, 'GET', '/api/openapi.json');

    // Auth: the first account is the instance admin.
    const password = 'correct horse battery';
    const session = await json<{ accessToken: string; refreshToken: string; user: { id: string } }>(
      201,
      'POST',
      '/api/auth/signup',
      undefined,
      { email: 'ada@example.test', password, name: 'Ada' },
    );
    await json(200, 'POST', '/api/auth/login', undefined, { email: 'ada@example.test', password });
    const fresh = await json<{ refreshToken: string }>(200, 'POST', '/api/auth/refresh', undefined, {
      refreshToken: session.refreshToken,
    });
    await json(204, 'POST', '/api/auth/logout', undefined, { refreshToken: fresh.refreshToken });
    const login = await json<{ accessToken: string; refreshToken: string }>(
      200,
      'POST',
      '/api/auth/login',
      undefined,
      { email: 'ada@example.test', password },
    );
    const { workspaces } = await json<{ workspaces: Array<{ id: string }> }>(200, 'GET', '/api/workspaces', {
      accessToken: login.accessToken,
    } as TestUser);
    const ada: TestUser = {
      id: session.user.id,
      email: 'ada@example.test',
      name: 'Ada',
      accessToken: login.accessToken,
      refreshToken: login.refreshToken,
      workspaceId: workspaces[0]?.id ?? '',
    };
    await json(200, 'GET', '/api/me', ada);
    const token = await json<{ id: string }>(201, 'POST', '/api/tokens', ada, { name: 'script' });
    await json(200, 'GET', '/api/tokens', ada);
    await json(204, 'DELETE', `/api/tokens/${token.id}`, ada);

    // Workspaces and invitations: Bob accepts, someone declines, Cy signs up through one.
    const team = await json<{ id: string }>(201, 'POST', '/api/workspaces', ada, { name: 'Team' });
    await json(200, 'GET', `/api/workspaces/${team.id}`, ada);
    const bob = await signup(t.url, 'bob');
    const invite = async (email: string, role: string) => {
      await json(201, 'POST', `/api/workspaces/${team.id}/members`, ada, { email, role });
      const sent = t.invitations.findLast((i) => i.email === email);
      if (!sent) throw new Error(`no invitation for ${email}`);
      return sent.token;
    };
    const forBob = await invite(bob.email, 'editor');
    await json(200, 'POST', '/api/invitations/lookup', undefined, { token: forBob });
    await json(200, 'POST', '/api/invitations/accept', bob, { token: forBob });
    await json(204, 'POST', '/api/invitations/decline', undefined, {
      token: await invite('nobody@example.test', 'viewer'),
    });
    await json(201, 'POST', '/api/invitations/signup', undefined, {
      token: await invite('cy@example.test', 'viewer'),
      password,
      name: 'Cy',
    });

    // Threads, the read model and governance.
    const thread = await json<{ id: string }>(201, 'POST', '/api/threads', ada, {
      workspaceId: team.id,
      title: 'Release 2.0',
    });
    await json(200, 'GET', `/api/threads?workspaceId=${team.id}`, ada);
    await json(200, 'GET', `/api/threads?q=release`, ada);
    await json(200, 'GET', `/api/threads/${thread.id}`, ada);
    await json(200, 'GET', `/api/dashboard?workspaceId=${team.id}`, ada);
    const decisionId = `dec_${Date.now()}`;
    const [proposeId, resolveId] = [`int_p_${Date.now()}`, `int_r_${Date.now()}`];
    await json(200, 'POST', '/api/intents', bob, {
      intents: [
        {
          id: proposeId,
          type: 'decision.propose',
          args: { decisionId, threadId: thread.id, title: 'Ship it?', options: ['ship', 'wait'] },
        },
      ],
    });
    const asked = await json<{ results: Array<{ checkpointId?: string }> }>(
      200,
      'POST',
      '/api/intents',
      bob,
      { intents: [{ id: resolveId, type: 'decision.resolve', args: { decisionId, outcome: 'ship' } }] },
    );
    await json(200, 'GET', `/api/intents/${proposeId}`, bob);
    await json(200, 'GET', `/api/intents/${resolveId}`, bob);
    await json(200, 'GET', '/api/receipts/keys');
    await json(200, 'GET', `/api/decisions?workspaceId=${team.id}`, ada);
    await json(200, 'GET', `/api/decisions/${decisionId}`, ada);
    await json(200, 'GET', `/api/checkpoints/${asked.results[0]?.checkpointId}`, ada);
    await json(200, 'GET', '/api/inbox', ada);
    await json(200, 'GET', `/api/audit?workspaceId=${team.id}`, ada);

    // Instance administration: the job queue and notices.
    const { store } = t.server.jobs;
    const dead = async () => {
      const id = await store.enqueue({ queue: 'nowhere', payload: {}, maxAttempts: 1 });
      const [job] = await store.claim({ owner: 'test', limit: 1, leaseMs: 60_000, queues: ['nowhere'] });
      await store.fail(job!, 'refused', 0);
      return id;
    };
    const [retried, discarded] = [await dead(), await dead()];
    await json(200, 'GET', '/api/admin/jobs', ada);
    await json(200, 'POST', `/api/admin/jobs/${retried}/retry`, ada);
    await json(200, 'POST', `/api/admin/jobs/${discarded}/discard`, ada);
    const notice = await json<{ id: string }>(201, 'POST', '/api/admin/notices', ada, {
      title: 'Maintenance',
      body: 'Tonight',
    });
    await json(200, 'GET', '/api/admin/notices', ada);
    await json(200, 'GET', '/api/notices', ada);
    await json(200, 'DELETE', `/api/admin/notices/${notice.id}`, ada);

    // One-click unsubscribe, with the token an email carries.
    const link = `/api/unsubscribe?token=${unsubscribeToken(t.config.jwtSecret, ada.id as UserId, 'info')}`;
    await json(200, 'GET', link);
    await json(200, 'POST', link);

    // Files and avatars.
    const file = await tusUpload(`${t.url}/files/`, ada.accessToken, pdfBytes(2000), {
      filename: 'minutes.pdf',
      filetype: 'application/pdf',
      threadId: thread.id,
    });
    await json(200, 'GET', `/api/files?threadId=${thread.id}`, ada);
    await json(200, 'GET', '/api/files/stats', ada);
    await json(200, 'GET', `/api/files/${file.id}`, ada);
    const png = await sharp({
      create: { width: 400, height: 400, channels: 3, background: { r: 20, g: 120, b: 200 } },
    })
      .png()
      .toBuffer();
    await createUpload({
      url: t.url,
      token: ada.accessToken,
      purpose: 'avatar',
      file: png,
      name: 'me.png',
      type: 'image/png',
      retryDelaysMs: [],
    }).start();
    await json(200, 'GET', `/api/users/${ada.id}/avatar`, bob);
    await json(204, 'DELETE', '/api/me/avatar', ada);

    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.filter((op) => !exercised.has(op)).sort()).toEqual([]);
    expect(exercised.size).toBeGreaterThan(40);
  });
});
