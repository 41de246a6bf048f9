/**
 * `/healthz`, `/metrics` and `/api/openapi.json`: what operators and tools read. Public. The
 * document is made from the routes' own declarations (`openapi-route.ts`), on first request.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { BlankEnv } from 'hono/types';
import { z } from 'zod';
import type { Metrics } from '../../metrics.js';
import { answer, mount, openApiApp, routesOf } from '../openapi-route.js';

export const healthSchema = z.looseObject({ status: z.literal('ok'), version: z.string() });

export type OpenApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

const route = routesOf('operations', 'public');

const health = route('get', '/healthz', 'Health check', { responses: { 200: answer(healthSchema) } });

const metricsRoute = route('get', '/metrics', 'Prometheus metrics (text exposition format)', {
  responses: { 200: { description: 'Prometheus text' } },
});

const documentRoute = route('get', '/api/openapi.json', 'This document', {
  responses: {
    200: answer(z.looseObject({ openapi: z.string() }), 'the OpenAPI 3.1 document'),
  },
});

/** The OpenAPI 3.1 document of `app`: every route declared on it or on a router mounted in it. */
export function apiDocument(app: OpenAPIHono<BlankEnv>, version: string): OpenApiDocument {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Caucus HTTP API',
      version,
      description:
        'JSON under /api; every error is `{ error: { code, message } }`. Lists are paged with an opaque ' +
        '`cursor` (pass back `nextCursor`) and `limit`. Sync is the y-websocket protocol at ' +
        '`/sync/<docName>`; uploads are tus 1.0 at `/files/`.',
    },
  });
}

/** Registers the `bearer` scheme that routes needing a token name (`openapi-route.ts`). */
export function registerSecurity(app: OpenAPIHono<BlankEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'an access token (JWT, from signup, login or refresh) or an API token (`cau_…`)',
  });
}

/** Mounted at `/`; `document` is asked on the first request for it. */
export function operationRoutes(deps: {
  metrics: Metrics;
  version: string;
  extraHealth?: () => Record<string, unknown>;
  document: () => OpenApiDocument;
}) {
  const { metrics, version } = deps;
  const app = openApiApp();
  mount(app, health, (c) => c.json({ ...deps.extraHealth?.(), status: 'ok' as const, version }, 200));
  mount(app, metricsRoute, async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }),
  );
  let document: OpenApiDocument | null = null;
  // Typed as what the route declares of it: an object with `openapi`.
  mount(app, documentRoute, (c) => c.json((document ??= deps.document()) as { openapi: string }, 200));
  return app;
}
