/**
 * A 50 MiB upload through a TCP proxy that cuts every connection after a few MiB (a phone on a
 * train), with the @caucus/client upload API over tus-js-client: it completes, the server has the
 * same bytes, and what a cut costs is bounded by one chunk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createUpload, DEFAULT_CHUNK_BYTES, type UploadState } from '@caucus/client';
import { it } from '../support/e2e.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { pdfBytes, sha256 } from '../support/uploads.js';

const SIZE = 52_428_800;
const MiB = 1024 * 1024;

it('completes a 50 MiB upload through connections cut every few MiB, byte for byte', async ({
  ts,
  owner,
  threadId,
  onTestFinished,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'caucus-flaky-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const port = Number(new URL(ts.url).port);
  // Every connection dies after 3 to 4 MiB from the client, never on a chunk boundary.
  const proxy = await TcpProxy.start({
    target: { host: '127.0.0.1', port },
    cutAfterBytes: (i) => 3 * MiB + ((i * 211 * 1024) % MiB) + 777,
  });
  onTestFinished(() => proxy.close());
  const bytes = pdfBytes(SIZE);
  const path = join(dir, 'big.pdf');
  writeFileSync(path, bytes);

  const upload = createUpload({
    url: proxy.url,
    token: owner.accessToken,
    threadId,
    file: { path },
    type: 'application/pdf',
    retryDelaysMs: [0, 50, 100, 200],
  });
  const states: UploadState[] = [];
  upload.subscribe((s) => {
    if (s.resumedFrom !== states.at(-1)?.resumedFrom) states.push(s);
  });
  const file = await upload.start();

  expect(proxy.stats.cuts).toBeGreaterThanOrEqual(12);
  expect(upload.current.status).toBe('done');
  expect(upload.current.retries).toBeGreaterThanOrEqual(proxy.stats.cuts);
  expect(file).toMatchObject({
    size: SIZE,
    sha256: sha256(bytes),
    type: 'application/pdf',
    threadId,
  });
  // Every resume continued from further on than the one before.
  const offsets = states.map((s) => s.resumedFrom ?? 0);
  expect(offsets.length).toBeGreaterThanOrEqual(proxy.stats.cuts);
  expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);

  // Re-sent bytes (everything the proxy took in beyond the file itself, request heads included)
  // stay within one chunk per cut.
  const resent = proxy.stats.bytesFromClients - SIZE;
  expect(resent).toBeGreaterThanOrEqual(0);
  expect(resent / proxy.stats.cuts).toBeLessThanOrEqual(DEFAULT_CHUNK_BYTES);

  const download = await fetch(`${ts.url}/files/${file.id}`, {
    headers: { Authorization: `Bearer ${owner.accessToken}` },
  });
  expect(download.status).toBe(200);
  expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(bytes));
});
