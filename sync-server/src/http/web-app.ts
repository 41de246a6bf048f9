/**
 * The PWA at `/` (apps/web, built by `npm start`): the files of its build directory, read once at
 * start and answered from memory with an ETag, and index.html for every app path a notification
 * can link to, so those open directly — typed in or on a reload (offline, the service worker does
 * the same). Only files found in the directory are ever served: a request path is a key into
 * that list, never joined onto a filesystem path. index.html, the service worker and the manifest
 * are `no-cache` (a new version is seen at once; the worker then waits for the user); hashed
 * `/assets/` are immutable. The security headers of every answer apply (security-headers.ts).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'hono';

/** Where `npm run build -w apps/web` puts the app, from this file in src/http or dist/http. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../apps/web/dist/', import.meta.url));

/** Most bytes of one build the server keeps in memory; a bigger directory is not an app build. */
const MAX_WEB_BYTES = 32 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The app's own paths (apps/web/src/lib/router.ts), answered with index.html. */
const ID = '[A-Za-z0-9_-]{1,128}';
export const APP_PATHS = new RegExp(
  `^/(?:(?:threads|decisions|checkpoints|invitations)/${ID}|workspaces/${ID}(?:/members|/dashboard|/decisions)?|inbox|profile)/?$`,
);

/**
 * The same paths as route patterns. The app is registered on these and its files only, not on
 * `*`: a catch-all GET would make every path look GET-able to the 405 check, so `POST /api/nope`
 * would answer 405 instead of 404. The handler checks each path against APP_PATHS again.
 */
const APP_ROUTES = [
  '/threads/:id',
  '/decisions/:id',
  '/checkpoints/:id',
  '/invitations/:id',
  '/workspaces/:id',
  '/workspaces/:id/members',
  '/workspaces/:id/dashboard',
  '/workspaces/:id/decisions',
  '/inbox',
  '/profile',
].flatMap((route) => [route, `${route}/`]);

interface WebFile {
  body: Uint8Array;
  type: string;
  etag: string;
  cache: string;
}

export interface WebApp {
  dir: string;
  files: ReadonlyMap<string, WebFile>;
}

/** The build in `dir`, or null when there is none (no index.html): the landing page stays. */
export function loadWebApp(dir: string): WebApp | null {
  const files = new Map<string, WebFile>();
  let total = 0;
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const type = TYPES[extname(entry.name).toLowerCase()];
        if (!type) continue;
        total += statSync(path).size;
        if (total > MAX_WEB_BYTES) throw new Error(`${dir} holds more than ${MAX_WEB_BYTES} bytes of files`);
        const body = readFileSync(path);
        const url = `/${relative(dir, path).split(sep).join('/')}`;
        const hashed = url.startsWith('/assets/');
        files.set(url, {
          body,
          type,
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
          cache: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      }
    }
  };
  try {
    if (!statSync(join(dir, 'index.html')).isFile()) return null;
  } catch {
    return null;
  }
  walk(dir);
  return { dir, files };
}

/** The route patterns to register {@link serveWebApp} on: `/`, the app paths and each file of the build. */
export function webAppRoutes(web: WebApp): string[] {
  return ['/', ...APP_ROUTES, ...[...web.files.keys()].filter((path) => !/[:*{}]/.test(path))];
}

/** GET handler for the app, registered after every server route; anything it lacks goes on to 404. */
export function serveWebApp(web: WebApp) {
  return async (c: Context, next: Next) => {
    const path = c.req.path;
    const file = web.files.get(path === '/' || APP_PATHS.test(path) ? '/index.html' : path);
    if (!file) return next();
    const headers = { 'Content-Type': file.type, 'Cache-Control': file.cache, ETag: file.etag };
    if (c.req.header('if-none-match') === file.etag) return c.body(null, 304, headers);
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, headers);
  };
}
