/**
 * Private threads and direct conversations from the command line, against a real server (the e2e
 * fixture's): members named by email, a non-member who never sees the thread in `threads ls`,
 * `dm` giving one thread however often and from whichever side it is run, and a `dm` queued
 * offline that follows the conversation the server names once `sync` sends it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../support/e2e.js';
import { signupMember } from '../support/server.js';
import { run } from './support.js';

/** Process starts are slow on a busy machine; every step here is a few of them. */
const STEP_TIMEOUT_MS = 180_000;
const PASSWORD = 'correct horse battery';

type Who = 'ada' | 'bob' | 'cat';
type Env = { url: string; stateDir: string };

interface Listed {
  id: string;
  title: string;
  visibility: string;
  conversation: boolean;
}

async function listed(env: Env): Promise<Listed[]> {
  const ls = await run(env, ['threads', 'ls', '--json']);
  expect(ls.code).toBe(0);
  return JSON.parse(ls.stdout) as Listed[];
}

/**
 * `users`: ada (the fixture's owner, whose workspace they share), bob (its editor) and cat (an
 * editor too); `env(who)` is that user's CLI, logged in with a state dir of its own.
 */
const it = test
  .extend('cat', { scope: 'file' }, async ({ ts, owner }) => {
    const cat = await signupMember(ts.url, owner, 'cat', 'editor');
    return cat;
  })
  .extend('users', { scope: 'file' }, ({ owner, editor, cat }) => ({ ada: owner, bob: editor, cat }))
  .extend('env', { scope: 'file' }, async ({ ts, users }, { onCleanup }) => {
    const dirs: Partial<Record<Who, string>> = {};
    onCleanup(() => {
      for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
    });
    const env = (who: Who): Env => ({ url: ts.url, stateDir: dirs[who] ?? '' });
    for (const name of ['ada', 'bob', 'cat'] as const) {
      dirs[name] = mkdtempSync(join(tmpdir(), `caucus-cli-${name}-`));
      const login = await run(env(name), ['login', '--email', users[name].email, '--password-stdin'], {
        stdin: `${PASSWORD}\n`,
      });
      expect(login.code).toBe(0);
    }
    return env;
  });

describe('caucus private threads and dm', () => {
  it(
    'creates a private thread with members by email; a non-member does not see it until added',
    async ({ users, env }) => {
      const ws = users.ada.workspaceId;
      const created = await run(env('ada'), [
        'threads',
        'create',
        'Salary review',
        '--private',
        '--member',
        users.bob.email.toUpperCase(),
        '-w',
        ws,
      ]);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const threadId = created.stdout.trim();
      expect(threadId).toMatch(/^[0-9a-f-]{36}$/);

      const ada = await run(env('ada'), ['threads', 'ls', '-w', ws]);
      expect(ada.stdout).toMatch(new RegExp(`${threadId}\\s+active\\s+private\\s+.*Salary review`));
      expect(await listed(env('bob'))).toContainEqual(
        expect.objectContaining({ id: threadId, visibility: 'private', conversation: false }),
      );
      expect((await listed(env('cat'))).map((t) => t.id)).not.toContain(threadId);

      const added = await run(env('ada'), ['threads', 'members', 'add', threadId, users.cat.email]);
      expect(added.code).toBe(0);
      expect(added.stdout).toBe(`added ${users.cat.id}\n`);
      expect((await listed(env('cat'))).map((t) => t.id)).toContain(threadId);
      const removed = await run(env('ada'), ['threads', 'members', 'remove', threadId, users.cat.id]);
      expect(removed.stdout).toBe(`removed ${users.cat.id}\n`);
      expect((await listed(env('cat'))).map((t) => t.id)).not.toContain(threadId);

      // Someone outside the workspace cannot be named, and --member needs --private.
      const outsider = await run(env('ada'), [
        'threads',
        'create',
        'x',
        '--private',
        '--member',
        'nobody@example.test',
        '-w',
        ws,
      ]);
      expect(outsider.code).toBe(2);
      expect(outsider.stderr).toMatch(/^caucus: not-a-member: nobody@example\.test is not a member/);
      const usage = await run(env('ada'), ['threads', 'create', 'x', '--member', users.bob.email]);
      expect(usage.code).toBe(1);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    '`dm` gives one thread, run twice and from the other side',
    async ({ users, env }) => {
      const ws = users.ada.workspaceId;
      // Ada's personal workspace is the one they share: no --workspace needed.
      const first = await run(env('ada'), ['dm', users.bob.email, '--json']);
      expect(first.code).toBe(0);
      const opened = JSON.parse(first.stdout) as { threadId: string; existed: boolean };
      expect(opened.existed).toBe(false);
      const again = await run(env('ada'), ['dm', users.bob.id, '-w', ws]);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe(`${opened.threadId}\n`);
      const fromBob = await run(env('bob'), ['dm', users.ada.email, '-w', ws, '--json']);
      expect(JSON.parse(fromBob.stdout)).toMatchObject({ threadId: opened.threadId, existed: true });
      expect(await listed(env('bob'))).toContainEqual(
        expect.objectContaining({ id: opened.threadId, visibility: 'private', conversation: true }),
      );
      const text = await run(env('bob'), ['threads', 'ls']);
      expect(text.stdout).toMatch(new RegExp(`${opened.threadId}\\s+active\\s+dm\\s`));
      expect((await listed(env('cat'))).map((t) => t.id)).not.toContain(opened.threadId);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    '`dm` offline is queued, and `sync` follows the conversation the other side opened meanwhile',
    async ({ ts, users, env }) => {
      const ws = users.ada.workspaceId;
      await ts.stop({ keepData: true });
      // By email and without --workspace: both as last seen, kept in the state dir.
      const offline = await run(env('ada'), ['dm', users.cat.email, '--json']);
      expect(offline.code).toBe(3);
      const queued = JSON.parse(offline.stdout) as { threadId: string; queued: boolean; known: string };
      expect(queued).toMatchObject({ queued: true, known: 'new' });
      const twice = await run(env('ada'), ['dm', users.cat.email]);
      expect(twice.code).toBe(3);
      expect(twice.stdout).toBe(`${queued.threadId}\n`);

      // The server again on its port and data, in the fixture's place (which stops it after the file).
      await ts.startAgain();
      const fromCat = await run(env('cat'), ['dm', users.ada.email, '-w', ws]);
      expect(fromCat.code).toBe(0);
      const catsThread = fromCat.stdout.trim();
      expect(catsThread).not.toBe(queued.threadId);

      const synced = await run(env('ada'), ['sync']);
      expect(synced.code).toBe(0);
      expect(synced.stdout).toContain(`conversation.open: accepted — conversation ${catsThread}`);
      expect(synced.stdout).not.toContain(queued.threadId);
      const after = await run(env('ada'), ['dm', users.cat.email]);
      expect(after.stdout).toBe(`${catsThread}\n`);
      expect((await listed(env('ada'))).map((t) => t.id)).toContain(catsThread);
      expect((await listed(env('bob'))).map((t) => t.id)).not.toContain(catsThread);
    },
    STEP_TIMEOUT_MS,
  );
});
