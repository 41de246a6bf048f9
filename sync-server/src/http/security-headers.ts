/**
 * Security headers on every answer (Hono's `secureHeaders`), shaped for the PWA this server will
 * serve: scripts, styles, fonts, the web manifest and the service worker from this origin only, no
 * inline script; thumbnails and previews as `blob:`/`data:` images; the sync WebSocket to this
 * host; never framed. Answers that bring a stricter policy of their own (file downloads:
 * `Content-Security-Policy: sandbox`) keep it.
 */
import type { Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/** A `Host` header fit to be a CSP host source: a name or address and a port, nothing else. */
const HOST_SOURCE = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * This origin and `ws:`/`wss:` to the host the page came from. CSP 3 lets `'self'` cover the
 * sockets, but browsers that predate it (Safari before 15.4) do not; naming the host keeps the
 * policy tight either way instead of allowing every WebSocket endpoint (`ws: wss:`).
 */
function selfAndSockets(c: Context): string {
  const host = c.req.header('host') ?? '';
  return HOST_SOURCE.test(host) ? `'self' ws://${host} wss://${host}` : "'self'";
}

export function securityHeaders() {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'blob:', 'data:'],
      fontSrc: ["'self'"],
      connectSrc: [selfAndSockets],
      workerSrc: ["'self'"],
      manifestSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    // Plain HTTP here; HSTS belongs to whatever terminates TLS in front of the server.
    strictTransportSecurity: false,
    overwrite: false,
  });
}
