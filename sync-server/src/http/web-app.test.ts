import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from '../auth/auth-service.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { openDb, type Db } from '../storage/db.js';
import { ThreadService } from '../workspaces/thread-service.js';
import { WorkspaceService } from '../workspaces/workspace-service.js';
import { createApp } from './app.js';

let dir: string;
let db: Db;

function appFor(webDir: string): Hono {
  const config = loadConfig({ CAUCUS_JWT_SECRET: 'x'.repeat(40), CAUCUS_WEB_DIR: webDir }, { dataDir: dir });
  const logger = createLogger('silent');
  const workspaces = new WorkspaceService({ db, logger });
  const threads = new ThreadService({ db, logger });
  const metrics = createMetrics();
  const auth = new AuthService({ db, config, workspaces, metrics });
  return createApp({ db, config, auth, workspaces, threads, metrics, logger, version: 'web-test' });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'caucus-web-'));
  db = openDb({ path: ':memory:' });
  const web = join(dir, 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Caucus app</title>');
  writeFileSync(join(web, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(join(web, 'manifest.webmanifest'), '{"name":"Caucus"}');
  writeFileSync(join(web, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(web, 'notes.exe'), 'not a web file');
  writeFileSync(join(dir, 'secret.txt'), 'outside the build');
});

afterEach(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the PWA at /', () => {
  it('answers / and every app path with index.html, no-cache, under the CSP', async () => {
    const app = appFor(join(dir, 'web'));
    for (const path of [
      '/',
      '/threads/0190abcd-ef01-7000-8000-000000000001',
      '/decisions/d1',
      '/checkpoints/c_1',
      '/workspaces/w1',
      '/workspaces/w1/members',
      '/workspaces/w1/dashboard',
      '/workspaces/w1/decisions',
      '/inbox',
      '/profile',
      '/invitations/inv_abc',
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('Caucus app');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("worker-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves the service worker and manifest no-cache, hashed assets immutable, with ETags', async () => {
    const app = appFor(join(dir, 'web'));
    const sw = await app.request('/sw.js');
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect((await app.request('/manifest.webmanifest')).headers.get('content-type')).toBe(
      'application/manifest+json',
    );
    const asset = await app.request('/assets/index-abc123.js');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = asset.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await app.request('/assets/index-abc123.js', { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
  });

  it('serves only files of the build: no traversal, no unknown types, server routes first', async () => {
    const app = appFor(join(dir, 'web'));
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/notes.exe',
      '/threads/a/b',
      '/threads/bad%20id',
      '/nope',
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('outside the build');
    }
    const api = await app.request('/api/nope');
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not-found');
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('leaves 404 and 405 as they are without the app: the app answers GET on its own paths only', async () => {
    const app = appFor(join(dir, 'web'));
    for (const [method, path] of [
      ['POST', '/api/nope'],
      ['DELETE', '/nope'],
      ['PATCH', '/threads/t1/deeper'],
    ] as const) {
      const res = await app.request(path, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not-found');
    }
    const del = await app.request('/healthz', { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD');
    expect((await app.request('/inbox/')).status).toBe(200);
    expect((await app.request('/assets/index-abc123.js')).status).toBe(200);
  });

  it('keeps the landing page when the directory holds no build', async () => {
    const app = appFor(join(dir, 'missing'));
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Caucus is running');
    expect((await app.request('/threads/t1')).status).toBe(404);
  });
});
