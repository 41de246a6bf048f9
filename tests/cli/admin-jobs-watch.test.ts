/**
 * `caucus admin jobs --watch` against a real server: one JSON line a poll with `--json`, ended by
 * SIGINT with exit 0; timestamped reports otherwise, and a server that goes away and comes back is
 * reported and asked again, not a crash. `--watch` with `--retry` is a usage error.
 *
 * The e2e fixture's server (with a mail job waiting an hour) and its owner, the first account and
 * so instance admin, serve the polls and usage errors. The outage test stops and restarts a server
 * of its own, so that the others' server is never away.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../support/e2e.js';
import { signup, startTestServer } from '../support/server.js';
import type { Child } from '../client/fixtures/spawn.js';
import { caucus, run } from './support.js';

const STEP_TIMEOUT_MS = 180_000;

/** `stateDir`: the CLI's state dir for the fixture's server, removed after the file. */
const it = test
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern
  .extend('stateDir', { scope: 'file' }, ({}, { onCleanup }) => {
    const dir = mkdtempSync(join(tmpdir(), 'caucus-cli-jobs-watch-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  });

it.beforeAll(async ({ ts }) => {
  await ts.server.jobs.store.enqueue({ queue: 'mail', payload: {}, runAt: Date.now() + 3_600_000 });
});

/** Resolves once stderr has a line that `match`es. */
function stderrLine(watcher: Child, match: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      const line = seen.split('\n').find(match);
      if (line === undefined) return;
      watcher.child.stderr?.off('data', onData);
      resolve(line);
    };
    watcher.child.stderr?.on('data', onData);
    void watcher.exited.then((r) => reject(new Error(`exited (${r.code}) first; stderr: ${r.stderr}`)));
  });
}

/** The `n`th stdout line from now on that `match`es. */
function nthLine(watcher: Child, n: number, match: (line: string) => boolean = () => true): Promise<string> {
  let seen = 0;
  return watcher.line((line) => match(line) && ++seen === n);
}

describe('caucus admin jobs --watch', () => {
  it(
    'prints one JSON object a poll (NDJSON) until SIGINT, then exits 0',
    { timeout: STEP_TIMEOUT_MS },
    async ({ ts, owner: admin, stateDir }) => {
      const watcher = caucus({ url: ts.url, stateDir }, [
        'admin',
        'jobs',
        '--json',
        '--watch',
        '0.2',
        '--token',
        admin.accessToken,
      ]);
      try {
        await nthLine(watcher, 2);
      } finally {
        watcher.child.kill('SIGINT');
      }
      const ran = await watcher.exited;
      expect(ran.code).toBe(0);
      const reports = ran.stdout
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as { at: number; queues: Array<{ queue: string; waiting: number }> });
      expect(reports.length).toBeGreaterThanOrEqual(2);
      for (const report of reports)
        expect(report.queues).toContainEqual(expect.objectContaining({ queue: 'mail', waiting: 1 }));
      // Each poll is a new report: the server's time moves on.
      expect(reports[1]!.at).toBeGreaterThan(reports[0]!.at);
      expect(ran.stderr).toBe('');
    },
  );

  it(
    'prints timestamped reports when not on a terminal, and outlives a server that goes away',
    { timeout: STEP_TIMEOUT_MS },
    async () => {
      let other = await startTestServer();
      const owner = await signup(other.url, 'watch-owner');
      const { dataDir } = other;
      const { port } = other.server;
      const watchStateDir = mkdtempSync(join(tmpdir(), 'caucus-cli-jobs-watch-other-'));
      const watcher = caucus({ url: other.url, stateDir: watchStateDir }, [
        'admin',
        'jobs',
        '--watch',
        '0.2',
        '--token',
        owner.accessToken,
      ]);
      const isHeader = (l: string) => /^--- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(l);
      try {
        await nthLine(watcher, 1, isHeader);
        const away = stderrLine(watcher, (l) => l.includes('retrying every 0.2 s'));
        await other.stop({ keepData: true });
        expect(await away).toMatch(/caucus: network: .* — retrying every 0\.2 s \(Ctrl-C to stop\)$/);
        // Back on the same address: the watch answers again by itself.
        const back = stderrLine(watcher, (l) => l.endsWith('answering again'));
        const redrawn = nthLine(watcher, 1, isHeader);
        other = await startTestServer({ port, dataDir });
        await back;
        await redrawn;
      } finally {
        watcher.child.kill('SIGINT');
        await other.stop();
        rmSync(watchStateDir, { recursive: true, force: true });
      }
      const ran = await watcher.exited;
      expect(ran.code).toBe(0);
      expect(ran.stdout).toMatch(/^queue\s+waiting\s+due\s+running\s+done\s+dead\s+cancelled\s+oldest due$/m);
      // Said once for the outage, not at every poll.
      expect(ran.stderr.match(/retrying every/g)).toHaveLength(1);
    },
  );

  it(
    'refuses --watch with --retry, and an interval that is not a number',
    { timeout: STEP_TIMEOUT_MS },
    async ({ ts, owner: admin, stateDir }) => {
      const env = { url: ts.url, stateDir };
      const [withRetry, bad] = await Promise.all([
        run(env, ['admin', 'jobs', '--retry', '1', '--watch', '--token', admin.accessToken]),
        run(env, ['admin', 'jobs', '--watch', 'soon', '--token', admin.accessToken]),
      ]);
      expect(withRetry.code).toBe(1);
      expect(withRetry.stderr).toContain('does not go with --retry');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--watch takes a number of seconds');
    },
  );
});
