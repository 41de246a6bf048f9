/**
 * `caucus admin jobs` against a real server (the e2e fixture's): the table and `--json` for an
 * instance admin (its owner, the server's first account), exit 2 for anyone else (its outsider),
 * and `--retry` of a dead job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../support/e2e.js';
import { errorLine, run } from './support.js';

const STEP_TIMEOUT_MS = 180_000;

/** `env`: the server and a state dir of the file; `deadId`: a mail job that failed for good. */
const it = test
  .extend('env', { scope: 'file' }, ({ ts }, { onCleanup }) => {
    const stateDir = mkdtempSync(join(tmpdir(), 'caucus-cli-jobs-'));
    onCleanup(() => rmSync(stateDir, { recursive: true, force: true }));
    return { url: ts.url, stateDir };
  })
  .extend('deadId', { scope: 'file' }, async ({ ts }) => {
    const { store } = ts.server.jobs;
    const deadId = (await store.enqueue({ queue: 'mail', payload: {}, maxAttempts: 1 })) as number;
    const [job] = await store.claim({ owner: 'test', limit: 1, leaseMs: 60_000, queues: ['mail'] });
    await store.fail(job!, 'connection refused', 0);
    return deadId;
  });

describe('caucus admin jobs', () => {
  it(
    'prints the queues and failures, as JSON too; refuses a non-admin with exit 2; retries a dead job',
    { timeout: STEP_TIMEOUT_MS },
    async ({ ts, owner: admin, outsider: other, env, deadId }) => {
      const [table, json, refused, retried] = await Promise.all([
        run(env, ['admin', 'jobs', '--token', admin.accessToken]),
        run(env, ['admin', 'jobs', '--json', '--token', admin.accessToken]),
        run(env, ['admin', 'jobs', '--token', other.accessToken]),
        run(env, ['admin', 'jobs', '--retry', String(deadId), '--json', '--token', admin.accessToken]).then(
          async (r) => ({ r, after: await ts.server.jobs.store.get(deadId) }),
        ),
      ]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(
        /^queue\s+waiting\s+due\s+running\s+done\s+dead\s+cancelled\s+oldest due$/m,
      );
      expect(table.stdout).toMatch(/^mail\s+/m);
      expect(table.stdout).toContain('recent failures:');
      expect(table.stdout).toContain('connection refused');
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as {
        queues: Array<{ queue: string }>;
        recentFailures: unknown[];
      };
      expect(report.queues.map((q) => q.queue)).toContain('mail');
      expect(refused.code).toBe(2);
      expect(errorLine(refused)).toContain('instance admins');
      expect(retried.r.code).toBe(0);
      expect(JSON.parse(retried.r.stdout)).toMatchObject({ id: deadId, state: 'waiting' });
      expect(retried.after?.state).toBe('waiting');
      const again = await run(env, [
        'admin',
        'jobs',
        '--retry',
        String(deadId),
        '--token',
        admin.accessToken,
      ]);
      expect(again.code).toBe(2);
      const usage = await run(env, ['admin', 'jobs', '--retry', 'x', '--token', admin.accessToken]);
      expect(usage.code).toBe(1);
    },
  );
});
