/**
 * Answers for the bytes of a stored file: GET (whole, or one range), HEAD (the same headers, no
 * body), 304 for a matching `If-None-Match`, 416 for a range past the end.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import type { ApiErrorBody } from '@caucus/schema';
import { ApiError } from '../errors.js';
import { parseRange } from './ranges.js';

export async function sendFile(c: Context, path: string, headers: Record<string, string>): Promise<Response> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new ApiError('not-found', 'file not found');
  }
  const base = { ...headers, 'Accept-Ranges': 'bytes' };
  const etag = headers.ETag;
  if (etag !== undefined && c.req.header('if-none-match') === etag)
    return new Response(null, { status: 304, headers: base });
  const whole = { ...base, 'Content-Length': String(size) };
  if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers: whole });

  // Range is defined for GET only; with `If-Range`, only while the file is still the one asked about.
  const ifRange = c.req.header('if-range');
  const range = ifRange === undefined || ifRange === etag ? parseRange(c.req.header('range'), size) : null;
  if (range?.kind === 'unsatisfiable') {
    const body: ApiErrorBody = {
      error: { code: 'range-not-satisfiable', message: `the file has ${size} bytes` },
    };
    return c.json(body, 416, { 'Accept-Ranges': 'bytes', 'Content-Range': `bytes */${size}` });
  }
  if (range?.kind === 'part') {
    const { start, end } = range;
    return new Response(stream(path, start, end), {
      status: 206,
      headers: {
        ...base,
        'Content-Range': `bytes ${start}-${end}/${size}`,
        'Content-Length': String(end - start + 1),
      },
    });
  }
  return new Response(size === 0 ? null : stream(path, 0, size - 1), { status: 200, headers: whole });
}

function stream(path: string, start: number, end: number): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream<Uint8Array>;
}
