/**
 * CORS on `/api` and `/files` for the origins in `CAUCUS_ORIGINS`: preflights answered, the tus
 * headers exposed (tus-js-client reads `Location` and `Upload-Offset`), `Authorization` allowed;
 * nothing at all for a foreign origin.
 */
import { describe, expect } from 'vitest';
import { it } from '../support/e2e.js';
import type { TestServer } from '../support/server.js';
import { encodeMetadata } from '../support/uploads.js';

const ALLOWED = 'http://localhost:5173';
const FOREIGN = 'https://evil.example';

it.override('serverOptions', { origins: [ALLOWED] });

const list = (value: string | null) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

function preflight(ts: TestServer, path: string, origin: string, method: string, headers: string[]) {
  return fetch(ts.url + path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': headers.join(','),
    },
  });
}

const TUS_REQUEST_HEADERS = ['authorization', 'tus-resumable', 'upload-length', 'upload-metadata'];

describe('an allowed origin', () => {
  it('gets its API preflight answered, Authorization allowed', async ({ ts }) => {
    const res = await preflight(ts, '/api/threads', ALLOWED, 'POST', ['authorization', 'content-type']);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(list(res.headers.get('access-control-allow-methods'))).toEqual(
      expect.arrayContaining(['get', 'post', 'patch', 'delete']),
    );
    expect(list(res.headers.get('access-control-allow-headers'))).toEqual(
      expect.arrayContaining(['authorization', 'content-type']),
    );
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('reads API answers, errors included', async ({ ts, owner }) => {
    const ok = await fetch(`${ts.url}/api/me`, {
      headers: { origin: ALLOWED, authorization: `Bearer ${owner.accessToken}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(list(ok.headers.get('vary'))).toContain('origin');
    const refused = await fetch(`${ts.url}/api/me`, { headers: { origin: ALLOWED } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('gets tus preflights answered and the tus headers exposed on uploads', async ({
    ts,
    owner,
    threadId,
  }) => {
    const pre = await preflight(ts, '/files/', ALLOWED, 'POST', TUS_REQUEST_HEADERS);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(list(pre.headers.get('access-control-allow-headers'))).toEqual(
      expect.arrayContaining([
        ...TUS_REQUEST_HEADERS,
        'upload-offset',
        'upload-defer-length',
        'content-type',
      ]),
    );
    const patchPre = await preflight(ts, '/files/x', ALLOWED, 'PATCH', ['upload-offset', 'content-type']);
    expect(list(patchPre.headers.get('access-control-allow-methods'))).toEqual(
      expect.arrayContaining(['patch', 'head', 'delete']),
    );

    const created = await fetch(`${ts.url}/files/`, {
      method: 'POST',
      headers: {
        origin: ALLOWED,
        authorization: `Bearer ${owner.accessToken}`,
        'tus-resumable': '1.0.0',
        'upload-length': '4',
        'upload-metadata': encodeMetadata({ filename: 'a.txt', filetype: 'text/plain', threadId }),
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const exposed = list(created.headers.get('access-control-expose-headers'));
    expect(exposed).toEqual(
      expect.arrayContaining([
        'location',
        'upload-offset',
        'upload-length',
        'tus-resumable',
        'upload-metadata',
        'upload-expires',
        'tus-version',
        'tus-max-size',
        'tus-extension',
      ]),
    );
    const location = new URL(created.headers.get('location') ?? '', ts.url).toString();
    const head = await fetch(location, {
      method: 'HEAD',
      headers: { origin: ALLOWED, authorization: `Bearer ${owner.accessToken}`, 'tus-resumable': '1.0.0' },
    });
    expect(head.headers.get('upload-offset')).toBe('0');
    expect(head.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(list(head.headers.get('access-control-expose-headers'))).toContain('upload-offset');
  });

  it('still gets tus discovery (OPTIONS without a preflight) from tus', async ({ ts }) => {
    const res = await fetch(`${ts.url}/files/`, { method: 'OPTIONS', headers: { origin: ALLOWED } });
    expect(res.headers.get('tus-version')).toBe('1.0.0');
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(list(res.headers.get('access-control-expose-headers'))).toContain('tus-version');
  });
});

describe('a foreign origin', () => {
  it('gets no CORS header on preflights or answers, for the API and for tus', async ({
    ts,
    owner,
    threadId,
  }) => {
    const answers = [
      await preflight(ts, '/api/threads', FOREIGN, 'POST', ['authorization', 'content-type']),
      await preflight(ts, '/files/', FOREIGN, 'POST', TUS_REQUEST_HEADERS),
      await fetch(`${ts.url}/api/me`, {
        headers: { origin: FOREIGN, authorization: `Bearer ${owner.accessToken}` },
      }),
      await fetch(`${ts.url}/files/`, { method: 'OPTIONS', headers: { origin: FOREIGN } }),
      await fetch(`${ts.url}/files/`, {
        method: 'POST',
        headers: {
          origin: FOREIGN,
          authorization: `Bearer ${owner.accessToken}`,
          'tus-resumable': '1.0.0',
          'upload-length': '4',
          'upload-metadata': encodeMetadata({ filename: 'a.txt', filetype: 'text/plain', threadId }),
        },
      }),
    ];
    for (const res of answers) {
      const cors = [...res.headers.keys()].filter((name) => name.startsWith('access-control-'));
      expect({ url: res.url, status: res.status, cors }).toEqual({
        url: res.url,
        status: res.status,
        cors: [],
      });
    }
  });

  it('an origin that merely starts like an allowed one is foreign', async ({ ts, owner }) => {
    const res = await fetch(`${ts.url}/api/me`, {
      headers: { origin: `${ALLOWED}.evil.example`, authorization: `Bearer ${owner.accessToken}` },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
