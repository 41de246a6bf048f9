/**
 * `caucus` end to end: a real server (the e2e fixture's), the CLI as separate processes with a
 * state dir, as a user or a script would run it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../support/e2e.js';
import { pdfBytes } from '../support/uploads.js';
import { errorLine, run } from './support.js';

/** Process starts are slow on a busy machine; every step here is a few of them. */
const STEP_TIMEOUT_MS = 120_000;
const PASSWORD = 'correct horse battery staple';

/**
 * `temp()` makes a directory removed after the file; `env` is the CLI's server and state dir
 * (one for the whole file, as one user's machine).
 */
const it = test
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern
  .extend('temp', { scope: 'file' }, ({}, { onCleanup }) => {
    const dirs: string[] = [];
    onCleanup(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
    return () => {
      const dir = mkdtempSync(join(tmpdir(), 'caucus-cli-'));
      dirs.push(dir);
      return dir;
    };
  })
  .extend('env', { scope: 'file' }, ({ ts, temp }) => ({ url: ts.url, stateDir: temp() }));

describe('caucus', () => {
  let threadId: string;

  it(
    'signs up, logs in, and answers --json that parses',
    async ({ ts, env }) => {
      const email = `ada-${Date.now()}@example.test`;
      const signup = await run(env, ['signup', '--email', email, '--name', 'Ada', '--password-stdin'], {
        stdin: `${PASSWORD}\n`,
      });
      expect(signup.stderr).toBe('');
      expect(signup.code).toBe(0);
      expect(signup.stdout).toContain(`signed in as ${email}`);

      const login = await run(env, ['login', '--email', email, '--password-stdin', '--json'], {
        stdin: `${PASSWORD}\n`,
      });
      expect(login.code).toBe(0);
      const who = JSON.parse(login.stdout) as { user: { email: string; id: string }; url: string };
      expect(who.user.email).toBe(email);
      expect(who.url).toBe(ts.url);

      const me = await run(env, ['whoami', '--json']);
      expect(me.code).toBe(0);
      expect(JSON.parse(me.stdout)).toMatchObject({
        user: { email, id: who.user.id },
        via: 'session',
        online: true,
      });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'creates a thread and lists it',
    async ({ env }) => {
      const created = await run(env, [
        'threads',
        'create',
        'Launch plan',
        '--intent',
        'agree on the date',
        '--json',
      ]);
      expect(created.code).toBe(0);
      const outcome = JSON.parse(created.stdout) as {
        id: string;
        type: string;
        verdict: { status: string; result: { threadId: string } };
      };
      expect(outcome).toMatchObject({ type: 'thread.create', verdict: { status: 'accepted' } });
      threadId = outcome.verdict.result.threadId;

      const listed = await run(env, ['threads', 'ls', '--json']);
      expect(listed.code).toBe(0);
      const threads = JSON.parse(listed.stdout) as Array<{ id: string; title: string }>;
      expect(threads).toContainEqual(expect.objectContaining({ id: threadId, title: 'Launch plan' }));
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'uploads with progress and the file is attached',
    async ({ env, temp }) => {
      const file = join(temp(), 'plan.pdf');
      writeFileSync(file, pdfBytes(3 * 1024 * 1024));
      const upload = await run(env, ['upload', file, '--thread', threadId, '--chunk-mib', '1']);
      expect(upload.code).toBe(0);
      const progress = upload.stderr.split('\n').filter((l) => l.startsWith('uploading: '));
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(progress.at(-1)).toBe(`uploading: 100% (${3 * 1024 * 1024}/${3 * 1024 * 1024} bytes)`);
      expect(upload.stdout).toMatch(/^attached plan\.pdf \(.+, 3145728 bytes, application\/pdf\)/);

      const shown = await run(env, ['threads', 'show', threadId, '--json']);
      const detail = JSON.parse(shown.stdout) as { attachments: Array<{ name: string; size: number }> };
      expect(detail.attachments).toEqual([
        expect.objectContaining({ name: 'plan.pdf', size: 3 * 1024 * 1024 }),
      ]);
      const files = await run(env, ['threads', 'show', threadId]);
      expect(files.stdout).toMatch(/attachment \S+ {2}plan\.pdf {2}3145728 B {2}application\/pdf/);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'queues an intent while the server is down and `sync` sends it once it is back',
    async ({ ts, env }) => {
      await ts.stop({ keepData: true });
      const offline = await run(env, [
        'decide',
        'propose',
        threadId,
        'Ship on Monday?',
        '--option',
        'yes',
        '--option',
        'no',
        '--json',
      ]);
      expect(offline.code).toBe(3);
      const queued = JSON.parse(offline.stdout) as { id: string; queued: boolean; verdict: null };
      expect(queued).toMatchObject({ queued: true, verdict: null });
      expect(errorLine(offline)).toMatch(/^offline \(network\): queued in .+; `caucus sync` sends it$/);

      const status = await run(env, ['status', '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({
        connection: 'offline',
        queued: [{ id: queued.id, type: 'decision.propose' }],
      });
      const stillDown = await run(env, ['sync']);
      expect(stillDown.code).toBe(3);

      // The server again on its port and data, in the fixture's place (which stops it after the file).
      await ts.startAgain();
      const synced = await run(env, ['sync', '--json']);
      expect(synced.code).toBe(0);
      const report = JSON.parse(synced.stdout) as {
        sent: Array<{ id: string; verdict: { status: string } }>;
        queued: unknown[];
      };
      expect(report.sent).toEqual([
        expect.objectContaining({
          id: queued.id,
          verdict: expect.objectContaining({ status: 'accepted' }) as unknown,
        }),
      ]);
      expect(report.queued).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'lists a refused intent and exits 2 until it is discarded',
    async ({ env }) => {
      const refused = await run(env, ['decide', 'approve', 'no-such-decision']);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toMatch(/^decision\.approve: rejected \(not-found\)/);
      const sync = await run(env, ['sync']);
      expect(sync.code).toBe(2);
      const id = /refused decision\.approve (\S+) \(not-found\)/.exec(sync.stdout)?.[1];
      expect(id).toBeDefined();
      const discarded = await run(env, ['sync', '--discard', id ?? '']);
      expect(discarded.code).toBe(0);
      expect(discarded.stdout).toBe('nothing to send\n');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'exits non-zero with one clear line for a bad token',
    async ({ env }) => {
      const bad = await run(env, ['threads', 'ls', '--token', 'cau_not-a-token']);
      expect(bad.code).toBe(4);
      expect(bad.stdout).toBe('');
      expect(errorLine(bad)).toMatch(/^caucus: auth-required: /);
    },
    STEP_TIMEOUT_MS,
  );
});
