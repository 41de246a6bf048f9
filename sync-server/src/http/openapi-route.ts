/**
 * Routes declared once with `@hono/zod-openapi`: the request schemas a route validates with and the
 * response schemas it answers with are the very ones the OpenAPI document (`GET /api/openapi.json`)
 * publishes. Validation keeps the API's own rules and error path (`validate.ts`): a JSON body is read
 * by {@link jsonBody} (any content type, depth-limited, `invalid-body` when empty or malformed), a
 * query key given twice is refused, and a failed schema is `invalid-body` — or `not-found` for a path
 * parameter, which names nothing that could exist.
 */
import { createRoute, OpenAPIHono, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { Context, Env, MiddlewareHandler, Next } from 'hono';
import type { z } from 'zod';
import { ApiError } from '../errors.js';
import { errorBodySchema } from './responses.js';
import { issuesMessage, jsonBody, refuseRepeatedKeys } from './validate.js';

type ValidationResult = { target: string } & ({ success: true } | { success: false; error: z.ZodError });

/** The hook of every validator: failures go through the app's error handler like any `ApiError`. */
function refuseInvalid(notFound: string) {
  return (result: ValidationResult): undefined => {
    if (result.success) return undefined;
    if (result.target === 'param') throw new ApiError('not-found', notFound);
    throw new ApiError('invalid-body', issuesMessage(result.error));
  };
}

export const validationHook = refuseInvalid('not found');

/** A router whose routes validate the API's way (its `defaultHook`). */
export function openApiApp<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: validationHook });
}

export const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } });

/** A required JSON request body. */
export const jsonRequest = <S extends z.ZodType>(schema: S) => ({ required: true, ...json(schema) });

/** A JSON answer. */
export const answer = <S extends z.ZodType>(schema: S, description = 'OK') => ({
  description,
  ...json(schema),
});

const anError = {
  description: 'an error: `{ error: { code, message } }` with the status of its code',
  ...json(errorBodySchema),
};

/** What every route may answer besides its success. */
export const errors = { default: anError };

/** {@link errors} of a route behind a rate limit: its 429 says when to come back. */
export const throttledErrors = {
  429: {
    description: 'over the rate limit; nothing was done',
    headers: {
      'Retry-After': {
        description: 'whole seconds until the same request can pass',
        schema: { type: 'integer' as const, minimum: 1 },
      },
    },
    ...json(errorBodySchema),
  },
  default: anError,
};

/** Routes that need a token (the `bearer` security scheme). */
export const bearer = [{ bearer: [] }];

type Method = 'get' | 'post' | 'delete';
type Parts = Pick<RouteConfig, 'request' | 'middleware'> & { responses: RouteConfig['responses'] };

/**
 * The routes of one tag: `route(method, path, summary, { request, responses })` is `createRoute`
 * with the tag, the `bearer` scheme (unless `public`) and the error answers every route has.
 */
export function routesOf(tag: string, access: 'bearer' | 'public' = 'bearer') {
  const shared: { tags: string[]; security?: typeof bearer } = { tags: [tag] };
  if (access === 'bearer') shared.security = bearer;
  return <M extends Method, P extends string, X extends Parts>(
    method: M,
    path: P,
    summary: string,
    parts: X,
  ) =>
    createRoute({ method, path, summary, ...shared, ...parts, responses: { ...errors, ...parts.responses } });
}

export interface MountOptions {
  /** The message of the 404 for a malformed path parameter. */
  notFound?: string;
}

/**
 * `app.openapi(route, handler)`, but the JSON body is read by {@link jsonBody} after the path and
 * query are checked (the order the API always had), and a repeated query key is refused first.
 */
export function mount<E extends Env, R extends RouteConfig>(
  app: OpenAPIHono<E>,
  route: R,
  handler: RouteHandler<R, E>,
  options: MountOptions = {},
): void {
  const { middleware, hide: _hide, ...documented } = route;
  app.openAPIRegistry.registerPath(documented as RouteConfig);
  const content = route.request?.body?.content['application/json'];
  const body = content && 'schema' in content ? (content.schema as z.ZodType) : undefined;
  const before: MiddlewareHandler[] = [
    ...(middleware ? [middleware].flat() : []),
    ...(route.request?.query ? [repeatedKeys] : []),
  ];
  const validated: RouteConfig = {
    ...route,
    hide: true,
    middleware: before,
    request: { ...route.request, body: undefined },
  };
  const run = handler as unknown as (c: Context<E>, next: Next) => Promise<Response>;
  app.openapi(
    validated,
    async (c, next): Promise<Response> => {
      if (body) c.req.addValidatedData('json', (await jsonBody(c, body)) as object);
      return run(c, next);
    },
    options.notFound ? refuseInvalid(options.notFound) : undefined,
  );
}

const repeatedKeys: MiddlewareHandler = async (c, next) => {
  refuseRepeatedKeys(c);
  await next();
};

/**
 * `value` typed as `schema` describes it, where its static type is wider or shaped otherwise (a
 * verdict's free-form `result`, optional fields against a loose object's index signature). Nothing
 * is checked here: the routes' answers are checked against their schemas by `route-answers.test.ts`.
 */
export const documentedAs = <S extends z.ZodType>(_schema: S, value: unknown): z.input<S> =>
  value as z.input<S>;
