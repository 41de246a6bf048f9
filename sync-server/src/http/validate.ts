import type { Context } from 'hono';
import { z } from 'zod';
import { ID_PATTERN, isId } from '@caucus/schema';
import { ApiError } from '../errors.js';

/** RFC 5321's limit on a forward path. */
export const MAX_EMAIL_CHARS = 254;

/** An email address, trimmed (services lower-case it). */
export const emailSchema = z.string().trim().max(MAX_EMAIL_CHARS).pipe(z.email('not a valid email address'));

/** An id of kind `T` (ids are opaque: the pattern is all that is checked). */
export const idSchema = <T extends string>() =>
  z
    .string()
    .regex(ID_PATTERN, 'letters, digits, "-" and "_" only, 1 to 64 of them')
    .transform((s) => s as T);

/** Parses `value` or throws `invalid-body` listing every issue as `path: message`. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ApiError('invalid-body', issuesMessage(result.error));
}

/** Every issue of a failed parse as `path: message`, joined by `; ` (the `invalid-body` message). */
export function issuesMessage(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/**
 * Deepest nesting of arrays and objects a JSON body may have. Our bodies nest a handful of levels;
 * `JSON.parse` copes with any depth but `JSON.stringify` (audit, storage) recurses and overflows
 * the stack on a few thousand, so deeper bodies are refused before anything reads them.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * The request's JSON body, validated. An empty, malformed or too deeply nested body is
 * `invalid-body`, not a 500. Every JSON body of the API is read here.
 */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new ApiError(
      'invalid-body',
      `the body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(
      'invalid-body',
      text.trim() === '' ? 'a JSON body is required' : 'the body is not valid JSON',
    );
  }
  return parse(schema, value);
}

/**
 * Query strings are validated like bodies (`openapi-route.ts`): the same `invalid-body` code, the
 * same messages (numbers via {@link queryInt}). A key given twice is refused rather than read one
 * way here and another way by whatever sits in front of the server.
 */
export function refuseRepeatedKeys(c: Context): void {
  const repeated = Object.entries(c.req.queries())
    .filter(([, values]) => values.length > 1)
    .map(([key]) => `${key}: given more than once`);
  if (repeated.length > 0) throw new ApiError('invalid-body', repeated.join('; '));
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A whole number in a query string, from `min` to `max`. Text that is not a number stays text, so
 * it is refused as "expected number, received string", exactly as in a JSON body.
 */
export function queryInt(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(
    (value) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value),
    z.number().int().min(min).max(max),
  );
}

/**
 * A path parameter that must be an id. A malformed one names nothing that could exist, so it is
 * `not-found` like any other unknown id.
 */
export function idParam<T extends string>(c: Context, name: string): T {
  const value = c.req.param(name);
  if (!isId(value)) throw new ApiError('not-found', 'not found');
  return value as T;
}

/**
 * True when `text` opens more than `max` arrays or objects inside each other. A linear scan of the
 * text (brackets inside strings do not count), so nothing deep is ever built or walked recursively.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\')
        i++; // the escaped character cannot end the string
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '[' || ch === '{') {
      if (++depth > max) return true;
    } else if (ch === ']' || ch === '}') {
      depth--;
    }
  }
  return false;
}
