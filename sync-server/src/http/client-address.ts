import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/**
 * The address of the peer the request came from. The socket's own: `X-Forwarded-For` is not read,
 * since any client can send it (behind a reverse proxy every request shares the proxy's address).
 * `unknown` when there is no socket (requests made in-process, as tests do).
 */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
