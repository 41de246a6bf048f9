/**
 * Upload benchmark (DESIGN §7, issue 5): a 50 MiB upload over loopback with @caucus/client against
 * the real server running as its own process, compared with copying the same bytes on the same
 * disk (goal: at least 0.6 of the copy's throughput); and the bytes re-sent after a connection cut
 * (goal: at most one chunk).
 *
 * The upload is timed from start to the finished file's metadata, so it includes creating the
 * upload, verifying the type, the sha256, recording and attaching the file. The copy baseline is a
 * streamed read-and-write (what an upload must also do: every byte through user space); the
 * kernel's `copyFile` (copy_file_range, no user space) is reported alongside, and so is the floor
 * for any HTTP upload here: plain Node `http` into a plain Node server writing a file.
 *
 * Run alone: `node --conditions=caucus-source --import tsx tests/bench/uploads.ts [--quick]`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { createUpload, DEFAULT_CHUNK_BYTES } from '@caucus/client';
import { ProcessServer } from '../support/process-server.js';
import { api, createThread, signup } from '../support/server.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { pdfBytes } from '../support/uploads.js';

const SIZE = 52_428_800;
const MiB = 1024 * 1024;
/**
 * The floor for any HTTP upload on this machine: plain Node `http` to a plain Node server (its own
 * process) that pipes the body to a file. No tus, no checks, no hashing.
 */
const RAW_SERVER = `
import http from 'node:http'; import fs from 'node:fs'; import { pipeline } from 'node:stream/promises';
const server = http.createServer(async (req, res) => {
  await pipeline(req, fs.createWriteStream(process.argv[1]));
  res.end();
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/** Where the cut happens in the cut run: mid-chunk, well into the file. */
const CUT_AT_BYTES = 20 * MiB + 123_457;

export async function benchUploads({ quick }: { quick: boolean }): Promise<Record<string, number | string>> {
  const reps = quick ? 3 : 7;
  const dir = await mkdtemp(join(tmpdir(), 'caucus-bench-uploads-'));
  const server = await ProcessServer.start({ dataDir: join(dir, 'data') });
  try {
    const user = await signup(server.url, 'bench');
    const thread = await createThread(server.url, user);
    const source = join(dir, 'source.pdf');
    await writeFile(source, pdfBytes(SIZE));

    const upload = async (url: string): Promise<{ ms: number; id: string }> => {
      const started = performance.now();
      const file = await createUpload({
        url,
        token: user.accessToken,
        threadId: thread,
        file: { path: source },
      }).start();
      const ms = performance.now() - started;
      return { ms, id: file.id };
    };
    const remove = (id: string) => api(server.url, 'DELETE', `/files/${id}`, { token: user.accessToken });
    const streamCopy = async (): Promise<number> => {
      const target = join(dir, 'copy.bin');
      const started = performance.now();
      await pipeline(createReadStream(source), createWriteStream(target));
      const ms = performance.now() - started;
      await rm(target);
      return ms;
    };
    const kernelCopy = async (): Promise<number> => {
      const target = join(dir, 'copy2.bin');
      const started = performance.now();
      await copyFile(source, target);
      const ms = performance.now() - started;
      await rm(target);
      return ms;
    };

    const raw = spawn(process.execPath, ['--input-type=module', '-e', RAW_SERVER, join(dir, 'raw.bin')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const rawPort = Number(String((await once(raw.stdout, 'data'))[0]).trim());
    const rawUpload = async (): Promise<number> => {
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: rawPort, method: 'PUT', headers: { 'Content-Length': SIZE } },
          (res) => {
            res.resume();
            res.once('end', resolve);
          },
        );
        req.once('error', reject);
        createReadStream(source, { highWaterMark: MiB }).pipe(req);
      });
      return performance.now() - started;
    };

    const uploadMs: number[] = [];
    const streamMs: number[] = [];
    const kernelMs: number[] = [];
    const rawMs: number[] = [];
    try {
      // Warm up every path (page cache, JIT, the servers' first requests).
      await remove((await upload(server.url)).id);
      await streamCopy();
      await rawUpload();
      // Interleaved, so a noisy neighbour hurts every side alike.
      for (let i = 0; i < reps; i++) {
        streamMs.push(await streamCopy());
        const run = await upload(server.url);
        uploadMs.push(run.ms);
        await remove(run.id);
        kernelMs.push(await kernelCopy());
        rawMs.push(await rawUpload());
      }
    } finally {
      raw.kill();
    }

    // One cut, mid-chunk: everything the proxy took in beyond the file is what the cut cost.
    const proxy = await TcpProxy.start({
      target: { host: '127.0.0.1', port: server.port },
      cutAfterBytes: (connection) => (connection === 0 ? CUT_AT_BYTES : null),
    });
    let resent: number;
    try {
      await remove((await upload(proxy.url)).id);
      resent = proxy.stats.bytesFromClients - SIZE;
      if (proxy.stats.cuts !== 1) throw new Error(`expected one cut, saw ${proxy.stats.cuts}`);
    } finally {
      await proxy.close();
    }

    const mibps = (ms: number) => SIZE / MiB / (ms / 1000);
    const upload50 = mibps(median(uploadMs));
    const stream50 = mibps(median(streamMs));
    const kernel50 = mibps(median(kernelMs));
    const raw50 = mibps(median(rawMs));
    return {
      fileBytes: SIZE,
      reps,
      uploadMs: round(median(uploadMs)),
      uploadMiBps: round(upload50),
      streamCopyMs: round(median(streamMs)),
      streamCopyMiBps: round(stream50),
      copyFileMiBps: round(kernel50),
      uploadVsCopyRatio: round(upload50 / stream50, 3),
      uploadVsCopyGoal: '>= 0.6',
      uploadVsKernelCopyRatio: round(upload50 / kernel50, 3),
      rawHttpMiBps: round(raw50),
      uploadVsRawHttpRatio: round(upload50 / raw50, 3),
      chunkBytes: DEFAULT_CHUNK_BYTES,
      resentBytesAfterCut: resent,
      resentChunksAfterCut: round(resent / DEFAULT_CHUNK_BYTES, 4),
      resentGoal: '<= 1 chunk',
    };
  } finally {
    await server.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchUploads({ quick: process.argv.includes('--quick') }).then(
    (figures) => {
      for (const [key, value] of Object.entries(figures)) console.log(`${key.padEnd(26)} ${value}`);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
