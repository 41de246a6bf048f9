/**
 * One server per data directory (issue 11, item 2): a second `caucus serve` on the same data dir
 * exits non-zero with one line naming the running one, before it opens the database; the lock
 * goes with the process, so after a kill -9 the next start works without any cleanup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessServer } from '../support/process-server.js';
import { api, signup } from '../support/server.js';

describe('data-directory lock (two real processes)', () => {
  const servers: ProcessServer[] = [];
  let dataDir = '';

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'refuses a second server on the same data dir, naming the first; starts again after kill -9',
    { timeout: 180_000 },
    async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'caucus-lock-'));
      const first = await ProcessServer.start({ dataDir });
      servers.push(first);
      const user = await signup(first.url, 'lock-owner');

      let refusal: Error | null = null;
      try {
        servers.push(await ProcessServer.start({ dataDir }));
      } catch (err) {
        refusal = err as Error;
      }
      expect(refusal, 'a second server started on the same data dir').not.toBeNull();
      const message = refusal?.message ?? '';
      expect(message).toMatch(/exited before listening \(code [1-9]\d*, signal null\)/);
      const stderr = message.slice(message.indexOf('--- stderr ---\n') + '--- stderr ---\n'.length).trim();
      expect(stderr).toBe(
        `caucus: data-dir-locked: the data directory ${dataDir} is in use by another caucus server (pid ${first.pid}); stop it first, or use another data directory`,
      );
      // The first server was not disturbed.
      expect((await api(first.url, 'GET', '/api/me', { token: user.accessToken })).status).toBe(200);

      // kill -9 leaves no stale lock: the next start takes it, with the data the first one kept.
      expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
      await first.restart();
      const login = await api(first.url, 'POST', '/api/auth/login', {
        body: { email: user.email, password: 'correct horse battery' },
      });
      expect(login.status).toBe(200);

      // A graceful stop frees it too.
      await first.kill('SIGTERM');
      const again = await ProcessServer.start({ dataDir });
      servers.push(again);
      expect(again.pid).toBeDefined();
    },
  );
});
