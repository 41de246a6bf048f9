/**
 * The @caucus/client upload API against a real server: pause and resume, cancel, failures as
 * values, token refresh, and the stall watchdog. A throttling proxy keeps uploads slow enough to
 * act on part-way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createUpload, type FileUpload, type UploadState } from '@caucus/client';
import { test } from '../support/e2e.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { pdfBytes, pngBytes, sha256, tusRequest } from '../support/uploads.js';

const MiB = 1024 * 1024;

type ProxyOptions = Partial<Parameters<typeof TcpProxy.start>[0]>;

/** `dir` holds the files uploaded from disk; `proxy(options)` starts one in front of the server. */
const it = test
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern
  .extend('dir', { scope: 'file' }, ({}, { onCleanup }) => {
    const dir = mkdtempSync(join(tmpdir(), 'caucus-client-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })
  .extend('proxy', { scope: 'file' }, ({ ts }, { onCleanup }) => {
    const proxies: TcpProxy[] = [];
    onCleanup(async () => {
      for (const p of proxies) await p.close();
    });
    return async (options: ProxyOptions = {}): Promise<TcpProxy> => {
      const p = await TcpProxy.start({
        target: { host: '127.0.0.1', port: Number(new URL(ts.url).port) },
        ...options,
      });
      proxies.push(p);
      return p;
    };
  });

function stateWhere(upload: FileUpload, check: (s: UploadState) => boolean): Promise<UploadState> {
  if (check(upload.current)) return Promise.resolve(upload.current);
  return new Promise((resolve) => {
    const off = upload.subscribe((s) => {
      if (!check(s)) return;
      off();
      resolve(s);
    });
  });
}

function file(dir: string, name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

it('pauses and resumes from the server’s offset', async ({ ts, owner, threadId, dir, proxy }) => {
  const slow = await proxy({ bytesPerSecond: 16 * MiB });
  const bytes = pdfBytes(8 * MiB);
  const upload = createUpload({
    url: slow.url,
    token: owner.accessToken,
    threadId,
    file: { path: file(dir, 'pause.pdf', bytes) },
    chunkSizeBytes: MiB,
  });
  void upload.start();
  await stateWhere(upload, (s) => s.bytesAccepted >= 2 * MiB);
  upload.pause();
  expect(upload.current.status).toBe('paused');
  const url = upload.current.uploadUrl ?? '';
  const head = await tusRequest(url.replace(slow.url, ts.url), 'HEAD', { token: owner.accessToken });
  const offset = Number(head.headers.get('upload-offset'));
  expect(offset).toBeGreaterThanOrEqual(2 * MiB);
  expect(offset).toBeLessThan(bytes.length);

  upload.resume();
  const resumed = await stateWhere(upload, (s) => s.resumedFrom !== null);
  // Bytes already in flight when it paused may still have landed.
  expect(resumed.resumedFrom).toBeGreaterThanOrEqual(offset);
  expect(resumed.resumedFrom).toBeLessThan(bytes.length);
  expect(resumed.pickedUp).toBe(false);
  const done = await upload.done;
  expect(done.sha256).toBe(sha256(bytes));
  expect(upload.current).toMatchObject({
    status: 'done',
    bytesAccepted: bytes.length,
    bytesTotal: bytes.length,
  });
});

it('cancels: the upload is deleted on the server and `done` rejects', async ({
  ts,
  owner,
  threadId,
  dir,
  proxy,
}) => {
  const slow = await proxy({ bytesPerSecond: 16 * MiB });
  const upload = createUpload({
    url: slow.url,
    token: owner.accessToken,
    threadId,
    file: { path: file(dir, 'cancel.pdf', pdfBytes(8 * MiB)) },
    chunkSizeBytes: MiB,
  });
  void upload.start();
  const partway = await stateWhere(upload, (s) => s.bytesAccepted >= MiB);
  await upload.cancel();
  expect(upload.current.status).toBe('cancelled');
  await expect(upload.done).rejects.toMatchObject({ failure: { code: 'cancelled' } });
  const id = new URL(partway.uploadUrl ?? '').pathname.split('/').pop() ?? '';
  expect((await tusRequest(`${ts.url}/files/${id}`, 'HEAD', { token: owner.accessToken })).status).toBe(404);
});

it('reports a refused file as a failure with the server’s code, without retrying', async ({
  ts,
  owner,
  threadId,
}) => {
  const upload = createUpload({
    url: ts.url,
    token: owner.accessToken,
    threadId,
    file: await pngBytes(),
    name: 'minutes.pdf',
    type: 'application/pdf',
  });
  await expect(upload.start()).rejects.toThrow(/bytes are image\/png/);
  expect(upload.current.status).toBe('error');
  expect(upload.current.error).toMatchObject({ code: 'unsupported-file-type', status: 415 });
  expect(upload.current.retries).toBe(0);
});

it('asks a token function before every request, and retries once after a 401', async ({
  ts,
  owner,
  threadId,
}) => {
  const tokens = ['expired-or-bogus'];
  let asked = 0;
  const bytes = Buffer.from('# Agenda\n\n1. Budget\n');
  const upload = createUpload({
    url: ts.url,
    token: () => {
      asked++;
      return tokens.shift() ?? owner.accessToken;
    },
    threadId,
    file: bytes,
    name: 'agenda.md',
  });
  const done = await upload.start();
  expect(done).toMatchObject({ name: 'agenda.md', type: 'text/markdown', sha256: sha256(bytes) });
  expect(upload.current.retries).toBe(1);
  expect(asked).toBeGreaterThanOrEqual(3);
});

it('restarts a stalled upload from the server’s offset', async ({ owner, threadId, dir, proxy }) => {
  const silent = await proxy({ stallAfterBytes: (i) => (i === 0 ? 3 * MiB : null) });
  const bytes = pdfBytes(6 * MiB);
  const upload = createUpload({
    url: silent.url,
    token: owner.accessToken,
    threadId,
    file: { path: file(dir, 'stall.pdf', bytes) },
    stallTimeoutMs: 300,
  });
  const done = await upload.start();
  expect(done.sha256).toBe(sha256(bytes));
  expect(silent.stats.stalls).toBe(1);
  expect(upload.current.retries).toBeGreaterThanOrEqual(1);
  expect(upload.current.resumedFrom).toBeGreaterThan(0);
});
