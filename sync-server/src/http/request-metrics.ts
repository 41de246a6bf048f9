/**
 * HTTP requests and their latency, by method, route pattern and status (`caucus_http_*`). The
 * route is the pattern the router matched (`/api/threads/:id`), never the raw path: ids in
 * labels would make a new series per object. Requests no route serves count as `unmatched`.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { Metrics } from '../metrics.js';

/** The `route` label of requests no route serves (404, 405, preflights answered by middleware). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Methods kept as they are; any other is `other`, so a client cannot invent label values. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The pattern of the route that serves this request: the first matched entry that is not middleware. */
function routeOf(c: Context): string {
  return matchedRoutes(c).find((route) => route.method !== 'ALL')?.path ?? UNMATCHED_ROUTE;
}

export function requestMetrics(metrics: Pick<Metrics, 'httpRequests' | 'httpSeconds'>) {
  return createMiddleware(async (c, next) => {
    const started = performance.now();
    await next();
    const labels = {
      method: KNOWN_METHODS.has(c.req.method) ? c.req.method : 'other',
      route: routeOf(c),
      status: String(c.res.status),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpSeconds.observe(labels, (performance.now() - started) / 1000);
  });
}
