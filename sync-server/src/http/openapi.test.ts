import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from '../auth/auth-service.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { openDb, type Db } from '../storage/db.js';
import { listSchema as filesQuery } from '../uploads/file-api-routes.js';
import { ThreadService } from '../workspaces/thread-service.js';
import { WorkspaceService } from '../workspaces/workspace-service.js';
import { createApp } from './app.js';
import { dashboardSchema, threadDetailSchema, threadPageSchema } from './routes/thread-schemas.js';
import { signupSchema } from './routes/auth.js';
import { dashboardQuerySchema } from './routes/dashboard.js';
import { listSchema as decisionsQuery } from './routes/decisions.js';
import { listThreadsSchema } from './routes/threads.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

let dataDir: string;
let db: Db;
let app: OpenAPIHono;

function makeApp(env: Record<string, string> = {}): OpenAPIHono {
  const config = loadConfig({ CAUCUS_JWT_SECRET: 'x'.repeat(40), ...env }, { dataDir });
  const logger = createLogger('silent');
  const workspaces = new WorkspaceService({ db, logger });
  const threads = new ThreadService({ db, logger });
  const auth = new AuthService({ db, config, workspaces });
  // The file routes only need to be mounted to be listed.
  const uploads = { service: {} as never, avatars: {} as never, tus: {} as never };
  return createApp({
    db,
    config,
    auth,
    workspaces,
    threads,
    metrics: createMetrics(),
    logger,
    version: '9.9.9',
    uploads,
  }) as unknown as OpenAPIHono; // it is one: the document is made from its registry
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'caucus-openapi-'));
  db = openDb({ path: ':memory:' });
  app = makeApp();
});

/** The app's OpenAPI document, as served. */
async function documentOf(app: OpenAPIHono) {
  return (await (await app.request('/api/openapi.json')).json()) as { paths: Record<string, object> };
}

/** What `METHOD path` declares as its request (the schemas its validators use). */
function declaredRequest(app: OpenAPIHono, method: string, path: string) {
  for (const def of app.openAPIRegistry.definitions)
    if (def.type === 'route' && def.route.method === method && def.route.path === path)
      return def.route.request;
  return undefined;
}

afterEach(() => {
  db.$client.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `METHOD /path/{param}` of every route the app serves under /api (middleware excluded). */
function servedRoutes(app: OpenAPIHono): Set<string> {
  return new Set(
    app.routes
      .filter((r) => r.method !== 'ALL' && (r.path === '/api' || r.path.startsWith('/api/')))
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
  );
}

function documentedRoutes(paths: Record<string, object>): Set<string> {
  return new Set(
    Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    ),
  );
}

describe('the OpenAPI document', () => {
  it('documents every route under /api, and no route the app does not serve', async () => {
    const res = await app.request('/api/openapi.json');
    const document = (await res.json()) as { paths: Record<string, object> };
    const served = servedRoutes(app);
    const documented = documentedRoutes(document.paths);
    const plain = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
    );
    // Listed by name, so a route someone adds without documenting it is named in the failure.
    expect({
      undocumented: [...served].filter((r) => !documented.has(r)).sort(),
      documentedButNotServed: [...documented].filter((r) => !plain.has(r)).sort(),
    }).toEqual({ undocumented: [], documentedButNotServed: [] });
    expect(served.size).toBeGreaterThan(25);
  });

  it('is OpenAPI 3.1, served without a token', async () => {
    const res = await app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const document = (await res.json()) as Record<string, unknown>;
    expect(document).toMatchObject({
      openapi: '3.1.0',
      info: { title: 'Caucus HTTP API', version: '9.9.9' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    });
  });

  it('describes requests with the very schemas the routes validate with', async () => {
    expect(declaredRequest(app, 'get', '/api/threads')?.query).toBe(listThreadsSchema);
    expect(declaredRequest(app, 'get', '/api/dashboard')?.query).toBe(dashboardQuerySchema);
    expect(declaredRequest(app, 'get', '/api/decisions')?.query).toBe(decisionsQuery);
    expect(declaredRequest(app, 'get', '/api/files')?.query).toBe(filesQuery);
    expect(declaredRequest(app, 'post', '/api/auth/signup')?.body?.content['application/json']).toEqual({
      schema: signupSchema,
    });
    // The thread body limit is the server's configured one.
    const document = await documentOf(makeApp({ CAUCUS_MAX_FIELD_CHARS: '123' }));
    expect(JSON.stringify(document.paths['/api/threads'])).toContain('"maxLength":123');
  });

  it('is what docs/API.md describes: every route of it is named there', async () => {
    const document = await documentOf(app);
    const text = readFileSync(new URL('../../../docs/API.md', import.meta.url), 'utf8');
    const unnamed = [...documentedRoutes(document.paths)]
      .map((route) => route.replace(/\{(\w+)\}/g, ':$1'))
      .filter((route) => !new RegExp(`\`${route.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\`? ]`).test(text));
    expect(unnamed).toEqual([]);
  });

  it('describes the read-model answers as they are', async () => {
    const signup = await app.request('/api/auth/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.test', password: 'correct horse battery', name: 'Ada' }),
    });
    const { accessToken } = (await signup.json()) as { accessToken: string };
    const get = async (path: string) =>
      (await app.request(path, { headers: { authorization: `Bearer ${accessToken}` } })).json();
    const { workspaces } = (await get('/api/workspaces')) as { workspaces: Array<{ id: string }> };
    const workspaceId = workspaces[0]?.id as string;
    const created = await app.request('/api/threads', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ workspaceId, title: 'Documented' }),
    });
    const { id } = (await created.json()) as { id: string };
    expect(threadPageSchema.parse(await get(`/api/threads?workspaceId=${workspaceId}`)).threads).toHaveLength(
      1,
    );
    expect(threadDetailSchema.parse(await get(`/api/threads/${id}`)).title).toBe('Documented');
    expect(dashboardSchema.parse(await get(`/api/dashboard?workspaceId=${workspaceId}`)).threads.total).toBe(
      1,
    );
  });
});
