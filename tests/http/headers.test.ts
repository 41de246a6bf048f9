/**
 * Security headers: the page (and every other answer) carries a Content-Security-Policy fit for
 * the PWA — same-origin scripts, service worker and sync socket, blob:/data: images, no inline
 * script, no framing — plus nosniff and frame protection; downloads keep their own sandbox policy.
 */
import { describe, expect } from 'vitest';
import { it } from '../support/e2e.js';

/** A CSP header as directive → sources. */
function parseCsp(header: string | null): Map<string, string[]> {
  const policy = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) policy.set(name, sources);
  }
  return policy;
}

describe('the HTML page', () => {
  it('carries a CSP that allows the PWA and nothing inline, nosniff and frame protection', async ({ ts }) => {
    const res = await fetch(`${ts.url}/`);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    const csp = parseCsp(res.headers.get('content-security-policy'));
    const host = new URL(ts.url).host;

    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('worker-src')).toEqual(["'self'"]);
    expect(csp.get('manifest-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(expect.arrayContaining(["'self'", 'blob:', 'data:']));
    // The sync socket to this host, and no other socket endpoint.
    expect(csp.get('connect-src')).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'self'"]);
    for (const sources of csp.values()) {
      expect(sources).not.toContain("'unsafe-inline'");
      expect(sources).not.toContain("'unsafe-eval'");
      expect(sources).not.toContain('*');
    }
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    // The page itself obeys the policy: no inline script or handler.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('names no socket host it cannot vouch for', async ({ ts }) => {
    const { request } = await import('node:http');
    const { port } = new URL(ts.url);
    const header = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: "evil'.test" } }, (res) => {
        res.resume();
        resolve(String(res.headers['content-security-policy'] ?? ''));
      });
      req.on('error', reject);
      req.end();
    });
    const csp = parseCsp(header);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
  });
});

describe('other answers', () => {
  it('JSON and errors carry nosniff and frame protection too', async ({ ts }) => {
    for (const path of ['/healthz', '/api/me', '/no/such/route']) {
      const res = await fetch(ts.url + path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(parseCsp(res.headers.get('content-security-policy')).get('frame-ancestors'), path).toEqual([
        "'none'",
      ]);
    }
  });
});
