/**
 * Crashes on either side of an upload. The server killed with SIGKILL mid-upload and started again
 * on the same data dir: the upload resumes from the offset that was on disk. A Node client process
 * killed mid-upload and started again: it finds its upload in its state dir and resumes instead of
 * starting over. A throttling proxy keeps the uploads slow enough to be killed part-way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createUpload, type UploadState } from '@caucus/client';
import { it } from '../support/e2e.js';
import { ProcessServer } from '../support/process-server.js';
import { createThread, signup } from '../support/server.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { pdfBytes, sha256 } from '../support/uploads.js';

const MiB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT_SCRIPT = join(ROOT, 'tests/support/upload-client.ts');

let dir: string;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'caucus-restart-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves with the first state (including the current one) for which `check` holds. */
function stateWhere(
  upload: { current: UploadState; subscribe(l: (s: UploadState) => void): () => void },
  check: (s: UploadState) => boolean,
): Promise<UploadState> {
  if (check(upload.current)) return Promise.resolve(upload.current);
  return new Promise((resolve) => {
    const off = upload.subscribe((s) => {
      if (!check(s)) return;
      off();
      resolve(s);
    });
  });
}

it('resumes from the offset on disk after the server is killed with SIGKILL and restarted', async () => {
  const server = await ProcessServer.start();
  cleanups.push(() => server.dispose());
  const proxy = await TcpProxy.start({
    target: { host: '127.0.0.1', port: server.port },
    bytesPerSecond: 24 * MiB,
  });
  cleanups.push(() => proxy.close());
  const user = await signup(server.url);
  const thread = await createThread(server.url, user);
  const bytes = pdfBytes(20 * MiB);
  const path = join(dir, 'server-kill.pdf');
  writeFileSync(path, bytes);

  const upload = createUpload({
    url: proxy.url,
    token: user.accessToken,
    threadId: thread,
    file: { path },
    chunkSizeBytes: 2 * MiB,
    retryDelaysMs: [0, 100, 200, 400, 800, 1600],
  });
  void upload.start();
  // The server has confirmed at least two chunks, and the next one is on its way.
  const before = await stateWhere(upload, (s) => s.bytesAccepted >= 4 * MiB && s.uploadUrl !== null);
  proxy.setTarget(null);
  const exit = await server.kill('SIGKILL');
  expect(exit.signal).toBe('SIGKILL');

  const id = new URL(before.uploadUrl ?? '').pathname.split('/').pop() ?? '';
  const onDisk = statSync(join(server.dataDir, 'uploads', id)).size;
  expect(onDisk).toBeGreaterThanOrEqual(before.bytesAccepted);
  expect(onDisk).toBeLessThan(bytes.length);

  await server.restart();
  const resumed = stateWhere(upload, (s) => s.resumedFrom !== null);
  proxy.setTarget({ host: '127.0.0.1', port: server.port });
  expect((await resumed).resumedFrom).toBe(onDisk);

  const file = await upload.done;
  expect(file).toMatchObject({ id, size: bytes.length, sha256: sha256(bytes) });
  const download = await fetch(`${server.url}/files/${id}`, {
    headers: { Authorization: `Bearer ${user.accessToken}` },
  });
  expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(bytes));
});

interface ClientLine {
  event: 'state' | 'done' | 'error';
  status?: string;
  bytesAccepted?: number;
  resumedFrom?: number | null;
  pickedUp?: boolean;
  uploadUrl?: string | null;
  file?: { id: string; sha256: string; size: number };
  error?: unknown;
}

/** Runs the upload script; `lines` collects its output, `until` resolves on the first matching line. */
function runClient(env: Record<string, string>) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=caucus-source', '--import', 'tsx', CLIENT_SCRIPT],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: ClientLine[] = [];
  const waiters: Array<{ check: (l: ClientLine) => boolean; resolve: (l: ClientLine) => void }> = [];
  let stderr = '';
  let pending = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout?.on('data', (c: Buffer) => {
    pending += c.toString();
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = JSON.parse(pending.slice(0, nl)) as ClientLine;
      pending = pending.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (!w.check(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const until = (check: (l: ClientLine) => boolean) =>
    new Promise<ClientLine>((resolve, reject) => {
      const found = lines.find(check);
      if (found) return resolve(found);
      waiters.push({ check, resolve });
      void exited.then(({ code, signal }) =>
        reject(new Error(`upload client exited (${code ?? signal}) first:\n${stderr}`)),
      );
    });
  return { child, lines, until, exited, stderr: () => stderr };
}

it('resumes instead of restarting when a Node client process is killed and started again', async ({
  ts,
  owner,
  threadId,
}) => {
  const proxy = await TcpProxy.start({
    target: { host: '127.0.0.1', port: Number(new URL(ts.url).port) },
    bytesPerSecond: 8 * MiB,
  });
  cleanups.push(() => proxy.close());
  const bytes = pdfBytes(12 * MiB);
  const path = join(dir, 'client-kill.pdf');
  writeFileSync(path, bytes);
  const env = {
    CAUCUS_URL: proxy.url,
    CAUCUS_TOKEN: owner.accessToken,
    THREAD_ID: threadId,
    UPLOAD_FILE: path,
    STATE_DIR: join(dir, 'client-state'),
    CHUNK_BYTES: String(MiB),
  };

  const first = runClient(env);
  cleanups.push(() => void first.child.kill('SIGKILL'));
  const progressed = await first.until((l) => (l.bytesAccepted ?? 0) >= 3 * MiB);
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  expect(first.lines.some((l) => l.event === 'done')).toBe(false);

  const second = runClient(env);
  cleanups.push(() => void second.child.kill('SIGKILL'));
  const pickedUp = await second.until((l) => l.resumedFrom !== null && l.resumedFrom !== undefined);
  expect(pickedUp.pickedUp).toBe(true);
  expect(pickedUp.uploadUrl).toBe(progressed.uploadUrl);
  expect(pickedUp.resumedFrom).toBeGreaterThanOrEqual(progressed.bytesAccepted ?? 0);
  expect(pickedUp.resumedFrom).toBeGreaterThan(0);

  const done = await second.until((l) => l.event === 'done' || l.event === 'error');
  expect(done.event).toBe('done');
  expect(done.file).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
  expect(await second.exited).toEqual({ code: 0, signal: null });
  // One upload, not two: the second process continued the first one's.
  expect(new URL(progressed.uploadUrl ?? '').pathname).toBe(`/files/${done.file?.id}`);
});
