/**
 * Two PATCH requests on one upload at once: @tus/server takes a per-upload lock; the second
 * request asks the first to let go (after a short drain time the first is cut off where it got
 * to), then finds the offset moved and answers 409. Bytes of the two never interleave.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { it } from '../support/e2e.js';
import { createUploadRaw, sha256, tusRequest } from '../support/uploads.js';

const LENGTH = 2 * 1024 * 1024;
/** What A sends before B arrives; the server writes to disk in runs of 1 MiB. */
const HEAD_START = 1024 * 1024 + 256 * 1024;
const ON_DISK_FIRST = 1024 * 1024;

/** A PATCH whose body is written by the caller; resolves with the status, or 0 when the connection died. */
function openPatch(
  token: string,
  url: string,
  offset: number,
  length: number,
): { req: ClientRequest; status: Promise<number> } {
  const target = new URL(url);
  const req = httpRequest({
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    method: 'PATCH',
    headers: {
      Authorization: `Bearer ${token}`,
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': String(offset),
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(length),
    },
  });
  const status = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
  return { req, status };
}

/** Resolves once the file at `path` holds at least `size` bytes, woken by file-system events. */
function fileReaches(path: string, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(path);
    const check = () =>
      stat(path).then((s) => {
        if (s.size < size) return;
        watcher.close();
        resolve();
      }, reject);
    watcher.on('change', () => void check());
    void check();
  });
}

it('never interleaves the bytes of concurrent PATCHes: the second one gets 409', async ({
  ts,
  owner,
  threadId,
}) => {
  const created = await createUploadRaw(
    ts.url,
    owner.accessToken,
    { filename: 'letters.txt', filetype: 'text/plain', threadId },
    LENGTH,
  );
  expect(created.status).toBe(201);
  const url = created.uploadUrl ?? '';
  const id = new URL(url).pathname.split('/').pop() ?? '';
  const file = join(ts.dataDir, 'uploads', id);

  // A starts and is part-way through its body when B arrives.
  const a = openPatch(owner.accessToken, url, 0, LENGTH);
  a.req.write(Buffer.alloc(HEAD_START, 'A'));
  await fileReaches(file, ON_DISK_FIRST);
  const b = openPatch(owner.accessToken, url, 0, LENGTH);
  b.req.end(Buffer.alloc(LENGTH, 'B'));

  expect(await b.status).toBe(409);
  // A was told to let go: it ends where it got to (its response, or the connection, ends).
  expect([204, 0]).toContain(await a.status);
  a.req.destroy();

  const head = await tusRequest(url, 'HEAD', { token: owner.accessToken });
  const offset = Number(head.headers.get('upload-offset'));
  expect(offset).toBeGreaterThanOrEqual(ON_DISK_FIRST);
  expect(offset).toBeLessThanOrEqual(HEAD_START);
  const onDisk = await readFile(file);
  expect(onDisk.length).toBe(offset);
  expect(onDisk.equals(Buffer.alloc(offset, 'A'))).toBe(true);

  // The upload goes on from where A stopped and finishes with A's bytes only.
  const rest = await tusRequest(url, 'PATCH', {
    token: owner.accessToken,
    headers: { 'Upload-Offset': String(offset) },
    body: Buffer.alloc(LENGTH - offset, 'A'),
  });
  expect(rest.status).toBe(204);
  const download = await fetch(url, { headers: { Authorization: `Bearer ${owner.accessToken}` } });
  expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(Buffer.alloc(LENGTH, 'A')));
});

it('answers a PATCH at a stale offset with 409 and leaves the bytes alone', async ({
  ts,
  owner,
  threadId,
}) => {
  const created = await createUploadRaw(
    ts.url,
    owner.accessToken,
    { filename: 'x.txt', threadId },
    20,
    Buffer.alloc(10, 'x'),
  );
  const url = created.uploadUrl ?? '';
  const stale = await tusRequest(url, 'PATCH', {
    token: owner.accessToken,
    headers: { 'Upload-Offset': '0' },
    body: Buffer.alloc(10, 'y'),
  });
  expect(stale.status).toBe(409);
  expect((await tusRequest(url, 'HEAD', { token: owner.accessToken })).headers.get('upload-offset')).toBe(
    '10',
  );
});
