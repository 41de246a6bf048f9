/**
 * Downloads answer `Range` (mp3/mp4 are allowed types, and players seek): 206 with one part, 416
 * past the end, the whole file for several ranges; `Accept-Ranges: bytes` always; HEAD tells
 * the same without the bytes.
 */
import { describe, expect } from 'vitest';
import { test } from '../support/e2e.js';
import type { TestUser } from '../support/server.js';
import { createUploadRaw, errorCode, pdfBytes } from '../support/uploads.js';

const SIZE = 100_000;

/**
 * `file`: a finished upload in the owner's thread (its bytes and URL); `get(headers, method, user)`
 * asks for it, as the viewer unless told.
 */
const it = test
  .extend('file', { scope: 'file' }, async ({ ts, owner, threadId }) => {
    const bytes = pdfBytes(SIZE);
    const meta = { filename: 'song.pdf', filetype: 'application/pdf', threadId };
    const created = await createUploadRaw(ts.url, owner.accessToken, meta, SIZE, bytes);
    expect(created.status).toBe(201);
    expect(created.headers.get('upload-offset')).toBe(String(SIZE));
    return { bytes, url: created.uploadUrl ?? '' };
  })
  .extend(
    'get',
    { scope: 'file' },
    ({ file, viewer }) =>
      (headers: Record<string, string> = {}, method = 'GET', user: TestUser = viewer) =>
        fetch(file.url, { method, headers: { authorization: `Bearer ${user.accessToken}`, ...headers } }),
  );

describe('GET with Range', () => {
  it('answers the whole file with Accept-Ranges when no range is asked', async ({ file, get }) => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-length')).toBe(String(SIZE));
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect(Buffer.from(await res.arrayBuffer()).equals(file.bytes)).toBe(true);
  });

  it('answers one range with 206 and Content-Range, in every form', async ({ file, get }) => {
    const cases: Array<[string, number, number]> = [
      ['bytes=0-99', 0, 99],
      ['bytes=1000-1999', 1000, 1999],
      ['bytes=99000-', 99_000, SIZE - 1],
      ['bytes=-500', SIZE - 500, SIZE - 1],
      ['bytes=99990-200000', 99_990, SIZE - 1],
      ['bytes=-200000', 0, SIZE - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await get({ range });
      expect({ range, status: res.status }).toEqual({ range, status: 206 });
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${SIZE}`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(file.bytes.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('answers 416 with the size for a range that starts past the end', async ({ get }) => {
    for (const range of [`bytes=${SIZE}-`, `bytes=${SIZE + 10}-${SIZE + 20}`, 'bytes=-0']) {
      const res = await get({ range });
      expect({ range, status: res.status }).toEqual({ range, status: 416 });
      expect(res.headers.get('content-range')).toBe(`bytes */${SIZE}`);
      expect(errorCode(await res.text())).toBe('range-not-satisfiable');
    }
  });

  it('answers several ranges, other units and bad syntax with the whole file', async ({ get }) => {
    for (const range of ['bytes=0-9,20-29', 'items=0-9', 'bytes=abc', 'bytes=50-10']) {
      const res = await get({ range });
      expect({ range, status: res.status }).toEqual({ range, status: 200 });
      expect((await res.arrayBuffer()).byteLength).toBe(SIZE);
    }
  });

  it('honours If-Range: a part while the ETag matches, the whole file once it does not', async ({ get }) => {
    const etag = (await get({}, 'HEAD')).headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await get({ range: 'bytes=0-9', 'if-range': etag })).status).toBe(206);
    expect((await get({ range: 'bytes=0-9', 'if-range': '"other"' })).status).toBe(200);
  });
});

describe('HEAD of a finished file', () => {
  it('tells a reader the download headers, and a tus client that the upload is complete', async ({ get }) => {
    const res = await get({}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-length')).toBe(String(SIZE));
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    expect(res.headers.get('upload-offset')).toBe(String(SIZE));
    expect(res.headers.get('upload-length')).toBe(String(SIZE));
    expect(res.headers.get('tus-resumable')).toBe('1.0.0');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('is 404 for someone who cannot read the thread', async ({ get, outsider }) => {
    expect((await get({}, 'HEAD', outsider)).status).toBe(404);
  });
});
