/**
 * Requests whose path has `.` or `..` segments (literal or percent-encoded, `/` or `\` separated).
 * The URL parser resolves those away before routing — `/files/../caucus.db` would arrive as
 * `/caucus.db`, `/files/%2e%2e` as `/` — so they are answered 404 before that happens: no client
 * has a reason to send one, and a path traversal attempt must never reach a route (DESIGN §7).
 */
import type { ServerResponse } from 'node:http';
import type { ApiErrorBody } from '@caucus/schema';

export function hasDotSegment(target: string): boolean {
  const path = target.split('?', 1)[0] ?? '';
  return path.split(/[/\\]|%2f|%5c/i).some((segment) => {
    const decoded = segment.replace(/%2e/gi, '.');
    return decoded === '.' || decoded === '..';
  });
}

export function answerNotFound(res: ServerResponse): void {
  const body: ApiErrorBody = { error: { code: 'not-found', message: 'not found' } };
  const text = JSON.stringify(body);
  res.writeHead(404, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    Connection: 'close',
  });
  res.end(text);
}
