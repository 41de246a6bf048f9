/**
 * CORS for `/api` and `/files` (Hono's `cors`): the origins in `CAUCUS_ORIGINS` may call the API and
 * upload with tus from a page of their own (a dev server, a separate front end); every other
 * origin gets no CORS header at all, so a browser keeps its pages from reading any answer. Tokens
 * travel in `Authorization`, never in cookies, so credentials mode stays off.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';

/** How long a browser may reuse a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

const ALLOW_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'];

/** What a page may send: the token, JSON, and the tus request headers (tus-js-client's set). */
const ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-None-Match',
  'Range',
  'Tus-Resumable',
  'Upload-Concat',
  'Upload-Defer-Length',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Offset',
  'X-HTTP-Method-Override',
  'X-Requested-With',
];

/**
 * What a page may read besides the CORS-safelisted headers: everything tus answers with (a client
 * cannot resume without `Upload-Offset`, nor find its upload without `Location`), and what
 * downloads and throttles say.
 */
export const EXPOSE_HEADERS = [
  'Location',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Defer-Length',
  'Upload-Metadata',
  'Upload-Expires',
  'Upload-Concat',
  'Accept-Ranges',
  'Content-Range',
  'Content-Length',
  'Content-Disposition',
  'ETag',
  'Retry-After',
];

/** CORS for the allowed `origins`; requests from any other origin pass through untouched. */
export function apiCors(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  const handle = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ALLOW_METHODS,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
  return createMiddleware(async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined || !allowed.has(origin)) {
      await next();
      // Nothing for a page of this origin to read, not even what tus says about itself.
      for (const name of [...c.res.headers.keys()])
        if (name.startsWith('access-control-')) c.res.headers.delete(name);
      c.header('Vary', 'Origin', { append: true });
      return;
    }
    // Only a preflight is answered here; any other OPTIONS request is tus discovery (`/files`).
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') === undefined) {
      await next();
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.set('Access-Control-Expose-Headers', EXPOSE_HEADERS.join(','));
      c.header('Vary', 'Origin', { append: true });
      return;
    }
    return handle(c, next);
  });
}
