/**
 * The tus endpoint's rules over real HTTP: authentication, thread access, size limits (declared and
 * deferred), ids that are never paths, metadata, concurrency and quota, expiry, and the discovery
 * answer.
 */
import { request as httpRequest } from 'node:http';
import { describe, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_UPLOAD_BYTES } from '@caucus/schema';
import { it } from '../support/e2e.js';
import { createThread, signup, startTestServer, type TestServer } from '../support/server.js';
import { createUploadRaw, errorCode, pdfBytes, tusRequest } from '../support/uploads.js';

const MAX = 256 * 1024;

it.override('serverOptions', { uploads: { maxUploadBytes: MAX, maxConcurrentUploads: 1000 } });

const meta = (threadId: string, overrides: Record<string, string> = {}) => ({
  filename: 'report.pdf',
  filetype: 'application/pdf',
  threadId,
  ...overrides,
});

describe('authentication', () => {
  it('answers 401 to every tus method without a valid token, and 401 with a bad one', async ({
    ts,
    owner,
    threadId,
  }) => {
    const created = await createUploadRaw(ts.url, owner.accessToken, meta(threadId), 10);
    expect(created.status).toBe(201);
    const url = created.uploadUrl ?? '';
    const cases: Array<[string, string]> = [
      ['POST', `${ts.url}/files/`],
      ['HEAD', url],
      ['PATCH', url],
      ['GET', url],
      ['DELETE', url],
      ['GET', `${url}/thumbnail`],
      ['GET', `${ts.url}/api/files/stats`],
    ];
    for (const [method, target] of cases) {
      const res = await tusRequest(target, method, {
        headers: { 'Upload-Length': '10', 'Upload-Offset': '0' },
        ...(method === 'PATCH' ? { body: new Uint8Array(10) } : {}),
      });
      expect({ method, target, status: res.status }).toEqual({ method, target, status: 401 });
      if (method !== 'HEAD') expect(errorCode(res.body)).toBe('unauthorized');
    }
    const bad = await tusRequest(`${ts.url}/files/`, 'POST', {
      token: 'not-a-token',
      headers: { 'Upload-Length': '1' },
    });
    expect(bad.status).toBe(401);
    // Nothing was created by the refused requests: the upload is still at 0.
    const head = await tusRequest(url, 'HEAD', { token: owner.accessToken });
    expect(head.headers.get('upload-offset')).toBe('0');
  });

  it('hides an upload from everyone but its uploader', async ({ ts, owner, outsider, threadId }) => {
    const created = await createUploadRaw(ts.url, owner.accessToken, meta(threadId), 10);
    const url = created.uploadUrl ?? '';
    expect((await tusRequest(url, 'HEAD', { token: outsider.accessToken })).status).toBe(404);
    const patch = await tusRequest(url, 'PATCH', {
      token: outsider.accessToken,
      headers: { 'Upload-Offset': '0' },
      body: new Uint8Array(10),
    });
    expect(patch.status).toBe(404);
    expect((await tusRequest(url, 'HEAD', { token: owner.accessToken })).headers.get('upload-offset')).toBe(
      '0',
    );
  });
});

describe('thread access', () => {
  it('answers 403 without write access to the thread named in the metadata', async ({
    ts,
    owner,
    editor,
    viewer,
    outsider,
    threadId,
  }) => {
    // The outsider is no member of the owner's workspace.
    const stranger = await createUploadRaw(ts.url, outsider.accessToken, meta(threadId), 10);
    expect(stranger.status).toBe(403);
    expect(errorCode(stranger.body)).toBe('forbidden');
    expect(stranger.uploadUrl).toBeNull();

    // A viewer reads the thread but may not attach to it.
    const asViewer = await createUploadRaw(ts.url, viewer.accessToken, meta(threadId), 10);
    expect(asViewer.status).toBe(403);

    // An editor may.
    expect((await createUploadRaw(ts.url, editor.accessToken, meta(threadId), 10)).status).toBe(201);

    // A thread that does not exist looks like one without access.
    expect((await createUploadRaw(ts.url, owner.accessToken, meta('no-such-thread'), 10)).status).toBe(403);
  });

  it('answers 400 to missing or malformed metadata', async ({ ts, owner, threadId }) => {
    for (const bad of [
      { filename: 'a.pdf', filetype: 'application/pdf' },
      { filetype: 'application/pdf', threadId },
      { filename: '../../', threadId },
      { filename: 'a.pdf', threadId: '../etc' },
      { filename: 'a.pdf', threadId, filetype: 'not a type' },
    ]) {
      const res = await createUploadRaw(ts.url, owner.accessToken, bad, 10);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
    }
  });
});

describe('size limit', () => {
  it('answers 413 to a declared length above the limit', async ({ ts, owner, threadId }) => {
    const res = await createUploadRaw(ts.url, owner.accessToken, meta(threadId), MAX + 1);
    expect(res.status).toBe(413);
    expect(errorCode(res.body)).toBe('payload-too-large');
    expect((await createUploadRaw(ts.url, owner.accessToken, meta(threadId), MAX)).status).toBe(201);
  });

  it('answers 413 to a deferred-length upload that grows past the limit', async ({ ts, owner, threadId }) => {
    const created = await createUploadRaw(ts.url, owner.accessToken, meta(threadId), 'deferred');
    expect(created.status).toBe(201);
    const url = created.uploadUrl ?? '';
    const first = await tusRequest(url, 'PATCH', {
      token: owner.accessToken,
      headers: { 'Upload-Offset': '0' },
      body: pdfBytes(MAX - 10),
    });
    expect(first.status).toBe(204);
    const over = await tusRequest(url, 'PATCH', {
      token: owner.accessToken,
      headers: { 'Upload-Offset': String(MAX - 10) },
      body: new Uint8Array(11),
    });
    expect(over.status).toBe(413);
    // Declaring a length above the limit is refused too.
    const declare = await tusRequest(url, 'PATCH', {
      token: owner.accessToken,
      headers: { 'Upload-Offset': String(MAX - 10), 'Upload-Length': String(MAX + 1) },
      body: new Uint8Array(0),
    });
    expect(declare.status).toBe(413);
    const head = await tusRequest(url, 'HEAD', { token: owner.accessToken });
    expect(head.headers.get('upload-offset')).toBe(String(MAX - 10));
    expect(head.headers.get('upload-defer-length')).toBe('1');
  });
});

describe('upload ids are never paths', () => {
  const traversals = [
    '/files/..%2F..%2Fcaucus.db',
    '/files/..%2fcaucus.db',
    '/files/%2e%2e',
    '/files/.%2e/caucus.db',
    '/files/..%5Ccaucus.db',
    '/files/%2e%2e%2fjwt-secret',
    '/files/foo%00',
    '/files/../caucus.db',
    '/files/../../etc/passwd',
    '/files/./jwt-secret',
  ];

  /** A request with the path exactly as written (fetch would normalize `..` away first). */
  function rawRequest(
    ts: TestServer,
    method: string,
    path: string,
    token: string,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const url = new URL(ts.url);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: {
            Authorization: `Bearer ${token}`,
            'Tus-Resumable': '1.0.0',
            'Upload-Offset': '0',
            'Content-Type': 'application/offset+octet-stream',
          },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(method === 'PATCH' ? 'x' : undefined);
    });
  }

  it('answers 404 to traversal attempts on every method, and never serves a file outside the store', async ({
    ts,
    owner,
  }) => {
    for (const path of traversals) {
      for (const method of ['GET', 'HEAD', 'PATCH', 'DELETE']) {
        const res = await rawRequest(ts, method, path, owner.accessToken);
        expect({ path, method, status: res.status }).toEqual({ path, method, status: 404 });
        expect(res.body).not.toContain('SQLite');
      }
    }
  });

  it('answers 404 for the tus bookkeeping file next to an upload', async ({ ts, owner, threadId }) => {
    const created = await createUploadRaw(ts.url, owner.accessToken, meta(threadId), 10);
    const res = await tusRequest(`${created.uploadUrl ?? ''}.json`, 'GET', { token: owner.accessToken });
    expect(res.status).toBe(404);
  });
});

describe('limits per user', () => {
  it('refuses uploads over the quota with 413 and more concurrent uploads than allowed with 429', async () => {
    const limited = await startTestServer({
      uploads: { maxUploadBytes: MAX, maxConcurrentUploads: 3, uploadQuotaBytes: 2 * MAX + 100 },
    });
    try {
      const carol = await signup(limited.url, 'carol');
      const own = await createThread(limited.url, carol);
      const create = (length: number) => createUploadRaw(limited.url, carol.accessToken, meta(own), length);
      const first = await create(MAX);
      expect(first.status).toBe(201);
      expect((await create(MAX)).status).toBe(201);
      // Unfinished uploads reserve their declared length.
      const overQuota = await create(101);
      expect(overQuota.status).toBe(413);
      expect(errorCode(overQuota.body)).toBe('quota-exceeded');
      expect((await create(100)).status).toBe(201);
      const fourth = await create(0);
      expect(fourth.status).toBe(429);
      expect(errorCode(fourth.body)).toBe('too-many-uploads');

      const stats = await tusRequest(`${limited.url}/api/files/stats`, 'GET', { token: carol.accessToken });
      expect(JSON.parse(stats.body)).toMatchObject({
        activeUploads: 3,
        maxConcurrentUploads: 3,
        quotaUsedBytes: 2 * MAX + 100,
        quotaBytes: 2 * MAX + 100,
      });
      // Cancelling one (tus termination) frees its slot and its reservation.
      expect((await tusRequest(first.uploadUrl ?? '', 'DELETE', { token: carol.accessToken })).status).toBe(
        204,
      );
      expect((await create(MAX)).status).toBe(201);
    } finally {
      await limited.stop();
    }
  });
});

describe('expiration', () => {
  it('removes unfinished uploads past their expiry (bytes and record), and only those', async ({ ts }) => {
    const dave = await signup(ts.url, 'dave');
    const own = await createThread(ts.url, dave);
    const created = await createUploadRaw(ts.url, dave.accessToken, meta(own), 100, pdfBytes(50));
    expect(created.status).toBe(201);
    expect(created.headers.get('upload-expires')).toBeTruthy();
    const id = new URL(created.uploadUrl ?? '').pathname.split('/').pop() ?? '';
    const finished = await createUploadRaw(ts.url, dave.accessToken, meta(own), 100, pdfBytes(100));
    expect(finished.status).toBe(201);
    const finishedId = new URL(finished.uploadUrl ?? '').pathname.split('/').pop() ?? '';
    const dir = join(ts.dataDir, 'uploads');
    expect(readdirSync(dir)).toContain(id);

    // Nothing has expired yet.
    expect(await ts.server.uploads.cleanupExpired()).toBe(0);
    const later = Date.now() + ts.config.uploadExpiryMs + 1;
    expect(await ts.server.uploads.cleanupExpired(later)).toBeGreaterThanOrEqual(1);
    expect(readdirSync(dir)).not.toContain(id);
    expect(readdirSync(dir)).not.toContain(`${id}.json`);
    expect((await tusRequest(created.uploadUrl ?? '', 'HEAD', { token: dave.accessToken })).status).toBe(404);
    // The finished file is untouched.
    expect(readdirSync(dir)).toContain(finishedId);
    const download = await tusRequest(finished.uploadUrl ?? '', 'GET', { token: dave.accessToken });
    expect(download.status).toBe(200);
  });
});

describe('discovery', () => {
  it('answers OPTIONS without credentials with the extensions and the configured maximum', async ({ ts }) => {
    const res = await fetch(`${ts.url}/files/`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('tus-version')).toBe('1.0.0');
    expect(res.headers.get('tus-max-size')).toBe(String(MAX));
    const extensions = (res.headers.get('tus-extension') ?? '').split(',');
    for (const ext of [
      'creation',
      'creation-with-upload',
      'creation-defer-length',
      'termination',
      'expiration',
    ]) {
      expect(extensions).toContain(ext);
    }
  });

  it('defaults to 50 MiB', async () => {
    expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(52_428_800);
    const plain = await startTestServer();
    try {
      expect(plain.config.maxUploadBytes).toBe(52_428_800);
      const user = await signup(plain.url);
      const own = await createThread(plain.url, user);
      const over = await createUploadRaw(plain.url, user.accessToken, meta(own), 52_428_801);
      expect(over.status).toBe(413);
      const at = await createUploadRaw(plain.url, user.accessToken, meta(own), 52_428_800);
      expect(at.status).toBe(201);
    } finally {
      await plain.stop();
    }
  });
});

it('refuses a request without Tus-Resumable with 412', async ({ ts, owner }) => {
  const res = await tusRequest(`${ts.url}/files/`, 'POST', {
    token: owner.accessToken,
    tusResumable: false,
    headers: { 'Upload-Length': '1', 'Upload-Metadata': '' },
  });
  expect(res.status).toBe(412);
  expect(errorCode(res.body)).toBe('precondition-failed');
});
