/**
 * A Node script edits a thread while the server is down and exits; started again from its state
 * dir it still has the edits; the server comes up and the edits reach the server's document.
 * (The intents part of the same story belongs to the outbox's tests.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connectClient, synced, until } from '../support/providers.js';
import { createThread, signup, startTestServer, type TestServer } from '../support/server.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { apiToken } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./scripts/edit-offline.ts', import.meta.url));
const stateDir = mkdtempSync(join(tmpdir(), 'caucus-script-state-'));
const cleanup: Array<() => Promise<void> | void> = [() => rmSync(stateDir, { recursive: true, force: true })];

afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

/** Runs the script; `onLine` sees each JSON line as it comes. Resolves with all lines at exit. */
function run(args: string[], onLine: (line: Record<string, unknown>) => void = () => undefined) {
  return new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=caucus-source', '--import', 'tsx', SCRIPT, ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: Array<Record<string, unknown>> = [];
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = JSON.parse(out.slice(0, nl)) as Record<string, unknown>;
        out = out.slice(nl + 1);
        lines.push(line);
        onLine(line);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(lines) : reject(new Error(`script exited ${code}: ${err}`)),
    );
  });
}

describe('a headless script offline', () => {
  it(
    'edits with the server down, restarts from its state dir, and syncs when the server is back',
    { timeout: 90_000 },
    async () => {
      let ts: TestServer = await startTestServer();
      const dataDir = ts.dataDir;
      cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const ada = await signup(ts.url, 'ada');
      const threadId = await createThread(ts.url, ada);
      const token = await apiToken(ts.url, ada);
      const proxy = await TcpProxy.start({ target: null });
      cleanup.push(() => proxy.close());
      await ts.stop({ keepData: true });
      const args = (mode: string) => [mode, proxy.url, token, stateDir, threadId, ada.id];

      const edited = await run(args('edit'));
      expect(edited).toEqual([
        { step: 'edited', unsynced: expect.any(Number) as number, connection: expect.any(String) as string },
      ]);
      expect(edited[0]?.unsynced).toBeGreaterThan(0);

      let restarted: Promise<void> = Promise.resolve();
      const synced$ = run(args('sync'), (line) => {
        if (line.step !== 'loaded') return;
        // The script has everything before the server is back; now bring the server up.
        restarted = (async () => {
          ts = await startTestServer({ dataDir });
          cleanup.push(() => ts.stop());
          proxy.setTarget({ host: '127.0.0.1', port: Number(new URL(ts.url).port) });
        })();
      });
      const lines = await synced$;
      await restarted;
      expect(lines[0]).toEqual({
        step: 'loaded',
        messages: ['written while the server was down'],
        body: 'offline notes',
      });
      expect(lines[1]).toEqual({ step: 'synced', unsynced: 0 });

      const y = connectClient(ts.wsUrl, `thread:${threadId}`, ada.accessToken);
      cleanup.push(() => y.destroy());
      await synced(y);
      await until(y.doc, () => y.doc.getArray('messages').length === 1);
      expect(
        (y.doc.getArray('messages').toJSON() as Array<{ text: string; author: string }>)[0],
      ).toMatchObject({
        text: 'written while the server was down',
        author: ada.id,
      });
      expect(y.doc.getText('body').toJSON()).toBe('offline notes');
    },
  );
});
