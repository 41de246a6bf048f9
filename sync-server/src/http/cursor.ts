/**
 * Opaque pagination cursors: a list's keyset position, JSON in base64url. Clients pass back what
 * they got as `nextCursor`; the route decodes and validates it like any other input.
 */
import { z } from 'zod';
import { queryInt } from './validate.js';

/** Longest cursor accepted; real ones are far shorter. */
const MAX_CURSOR_CHARS = 512;

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** A `cursor` query parameter decoding to `position` (an `invalid-body` issue when it does not). */
export function cursorParam<S extends z.ZodType>(position: S) {
  return z
    .string()
    .max(MAX_CURSOR_CHARS)
    .transform((text, ctx): z.output<S> => {
      let parsed: z.ZodSafeParseResult<z.output<S>> | null = null;
      try {
        parsed = position.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
      } catch {
        parsed = null;
      }
      if (parsed?.success) return parsed.data;
      ctx.addIssue({ code: 'custom', message: 'not a cursor this list gave out' });
      return z.NEVER;
    });
}

/** `limit` of a paged list: 1 to `max`. */
export const limitParam = (max: number) => queryInt(1, max);

/**
 * One page of a keyset list: `fetch` is asked for one item more than `limit`, so whether a next
 * page exists is known without a second query; `nextCursor` is the position of the page's last
 * item, or null on the last page.
 */
export function keysetPage<T, P>(
  limit: number,
  fetch: (limit: number) => T[],
  positionOf: (last: T) => P,
): { items: T[]; nextCursor: string | null } {
  const items = fetch(limit + 1);
  if (items.length <= limit) return { items, nextCursor: null };
  const page = items.slice(0, limit);
  return { items: page, nextCursor: encodeCursor(positionOf(page[page.length - 1] as T)) };
}
