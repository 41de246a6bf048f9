/**
 * SIGTERM stops the server (issue 11, item 3): (a) sent to the `npm start` process, whose script
 * runs the server through `sh -c` — the signal must reach the server; (b) to a server whose log
 * reader has gone away (its stdout and stderr pipes closed, so every write meets EPIPE) — it must
 * still finish its shutdown, committing what is queued.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ProcessServer, type ExitStatus, type LogLine } from '../support/process-server.js';
import { RawClient } from '../support/raw-client.js';
import { createThread, signup } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Longer than a shutdown takes here (well under a second), shorter than the server's timeout. */
const STOP_DEADLINE_MS = 8_000;

/** Resolves with `promise`'s value, or with `fallback` once `ms` have passed. */
function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms))),
  ]).finally(() => clearTimeout(timer));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('SIGTERM', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('of the `npm start` process stops the server it started', { timeout: 360_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'caucus-npm-start-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const npm: ChildProcess = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        CAUCUS_DATA_DIR: dataDir,
        CAUCUS_JWT_SECRET: 'npm-start-test-secret-'.padEnd(48, 'x'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: LogLine[] = [];
    let stderr = '';
    npm.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const npmExited = new Promise<ExitStatus>((resolve) =>
      npm.once('exit', (code, signal) => resolve({ code, signal })),
    );
    // 'close' comes once every process holding the pipes (npm, sh, the server) has let go of them.
    const outputClosed = new Promise<void>((resolve) => npm.once('close', () => resolve()));
    const listening = new Promise<LogLine>((resolve, reject) => {
      let pending = '';
      npm.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (!line.startsWith('{')) continue; // npm's and turbo's own lines
          const parsed = JSON.parse(line) as LogLine;
          logs.push(parsed);
          if (parsed.msg === 'caucus listening') resolve(parsed);
        }
      });
      void npmExited.then((s) => reject(new Error(`npm start exited (${JSON.stringify(s)}):\n${stderr}`)));
    });
    let serverPid: number | null = null;
    cleanups.push(() => {
      if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
      if (serverPid !== null && isAlive(serverPid)) process.kill(serverPid, 'SIGKILL');
    });

    const ready = await listening;
    serverPid = ready.pid as number;
    expect(typeof ready.port).toBe('number');
    const health = await fetch(`http://127.0.0.1:${String(ready.port)}/healthz`);
    expect(health.status).toBe(200);

    expect(npm.pid).toBeDefined();
    process.kill(npm.pid as number, 'SIGTERM');
    expect(
      await within(outputClosed, STOP_DEADLINE_MS, 'still running'),
      'the server outlived npm',
    ).toBeUndefined();
    await npmExited;
    expect(isAlive(serverPid)).toBe(false);
    expect(logs.map((l) => l.msg)).toContain('caucus stopped');
    await expect(fetch(`http://127.0.0.1:${String(ready.port)}/healthz`)).rejects.toThrow();
  });

  it('of an idle server whose log pipes were closed ends it', { timeout: 120_000 }, async () => {
    // The plainest case, and the one that hung: the shutdown's log lines are the first to meet
    // EPIPE, and the logger's exit flush retried them forever.
    const server = await ProcessServer.start({ env: { CAUCUS_SHUTDOWN_TIMEOUT_MS: '30000' } });
    cleanups.push(() => server.dispose());
    server.closeOutput();
    const exit = await within(server.kill('SIGTERM'), STOP_DEADLINE_MS, null);
    expect(exit, 'the server did not stop on SIGTERM').toEqual({ code: 0, signal: null });
  });

  it(
    'of a server whose log pipes were closed ends its shutdown and keeps what was queued',
    { timeout: 120_000 },
    async () => {
      const server = await ProcessServer.start({ env: { CAUCUS_SHUTDOWN_TIMEOUT_MS: '30000' } });
      cleanups.push(() => server.dispose());
      const owner = await signup(server.url, 'epipe-owner');
      const threadId = await createThread(server.url, owner);
      // A function: the restarted server listens on another port.
      const url = () => `${server.wsUrl}/thread:${threadId}?token=${owner.accessToken}`;
      const writer = await RawClient.open(url());
      writer.ws.on('error', () => {});
      const doc = new Y.Doc();
      await writer.syncInto(doc);

      // Written with no wait for its commit, from a connection that then goes away (a client still
      // connected would make the shutdown slow enough to hide the bug this checks).
      const before = Y.encodeStateVector(doc);
      doc.getText('body').insert(0, 'written just before the stop');
      writer.sendUpdate(Y.encodeStateAsUpdate(doc, before));
      const closed = writer.closed;
      writer.close();
      await closed;

      // The log reader goes away; the next lines (the shutdown's own) meet EPIPE.
      server.closeOutput();
      const exit = await within(server.kill('SIGTERM'), STOP_DEADLINE_MS, null);
      expect(exit, 'the server did not stop on SIGTERM').toEqual({ code: 0, signal: null });

      await server.restart();
      const reader = await RawClient.open(url());
      const again = new Y.Doc();
      await reader.syncInto(again);
      reader.close();
      expect(again.getText('body').toJSON()).toBe('written just before the stop');
    },
  );
});
