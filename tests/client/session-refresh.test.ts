/**
 * Sessions shared by processes on one state dir: refreshes are serialised by the state dir lock,
 * so the server (which revokes a reused refresh token's whole family) never sees one reused.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AuthRequired, CaucusApi, logIn, memorySessionStore, resumeSession } from '@caucus/client';
import { fileSessionStore, LockTimeout, SESSION_FILE, StateDirLock } from '@caucus/client/node';
import { signup, startTestServer, type TestServer, type TestUser } from '../support/server.js';
import { runTs } from './fixtures/spawn.js';

/** Access tokens live this long on the test server, so a few seconds see several expiries. */
const ACCESS_TTL_SECONDS = 2;
/** How long each child process keeps using the session. */
const CHILD_RUN_MS = 5_000;
const PASSWORD = 'correct horse battery';

let server: TestServer;
let user: TestUser;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'caucus-state-'));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  // Tokens live 2 s here instead of 900 s, so refreshes come hundreds of times as often as in use:
  // the refresh throttle's per-account budget (60 per 15 minutes) is raised to match.
  server = await startTestServer({
    accessTokenTtlSeconds: ACCESS_TTL_SECONDS,
    authThrottle: { refresh: { perAccount: 10_000, perAddress: 10_000 } },
  });
  user = await signup(server.url, 'ada');
});
afterAll(async () => {
  await server.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it('two processes sharing a state dir refresh again and again without revoking the session', async () => {
  const stateDir = tempDir();
  const login = await logIn(
    { email: user.email, password: PASSWORD },
    { url: server.url, store: fileSessionStore(stateDir) },
  );
  expect(login.ok).toBe(true);
  const before = await fileSessionStore(stateDir).load();
  expect(statSync(join(stateDir, SESSION_FILE)).mode & 0o777).toBe(0o600);

  const script = join('tests/client/fixtures/refresh-loop.ts');
  const children = [0, 1].map(() => runTs(script, [server.url, stateDir, String(CHILD_RUN_MS)]));
  const results = await Promise.all(children.map((c) => c.exited));
  for (const ran of results) {
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const report = JSON.parse(ran.stdout) as {
      calls: number;
      failures: number;
      forced: number;
      firstFailure: string | null;
    };
    expect(report.firstFailure).toBeNull();
    expect(report.failures).toBe(0);
    expect(report.forced).toBeGreaterThan(3);
  }

  const after = await fileSessionStore(stateDir).load();
  expect(after?.refreshToken).not.toBe(before?.refreshToken);
  expect(statSync(join(stateDir, SESSION_FILE)).mode & 0o777).toBe(0o600);
  // The session is alive: the last pair works, and refreshing once more works too.
  const auth = await resumeSession({ url: server.url, store: fileSessionStore(stateDir) });
  if (!auth) throw new Error('the session is gone');
  const api = new CaucusApi({ url: server.url, auth });
  expect((await api.me()).ok).toBe(true);
  await auth.refresh(await auth.token());
  expect((await api.me()).ok).toBe(true);
}, 30_000);

it('without a shared lock the server revokes the family: what the lock prevents', async () => {
  const first = memorySessionStore();
  const login = await logIn({ email: user.email, password: PASSWORD }, { url: server.url, store: first });
  if (!login.ok) throw new Error(login.error.message);
  const copy = memorySessionStore(await first.load());
  const a = login.value;
  const b = await resumeSession({ url: server.url, store: copy });
  if (!b) throw new Error('no session');
  const token = await a.token();
  await a.refresh(token);
  // b presents the refresh token a already used.
  await expect(b.refresh(token)).rejects.toBeInstanceOf(AuthRequired);
  // …and the server revoked the whole login, a's fresh tokens included.
  await expect(a.refresh(await a.token())).rejects.toBeInstanceOf(AuthRequired);
});

it('a refreshed token is picked up from the store by a waiting refresher instead of refreshing again', async () => {
  const stateDir = tempDir();
  const login = await logIn(
    { email: user.email, password: PASSWORD },
    { url: server.url, store: fileSessionStore(stateDir) },
  );
  if (!login.ok) throw new Error(login.error.message);
  // Two independent store instances: two "processes" in one, sharing only the directory.
  const a = login.value;
  const b = await resumeSession({ url: server.url, store: fileSessionStore(stateDir) });
  if (!b) throw new Error('no session');
  const initial = await fileSessionStore(stateDir).load();
  const stale = await a.token();
  const [fromA, fromB] = await Promise.all([a.refresh(stale), b.refresh(stale)]);
  expect(fromA).toBe(fromB);
  // One rotation, not two: the second refresher adopted the first one's pair.
  const rotated = await fileSessionStore(stateDir).load();
  expect(rotated?.refreshToken).not.toBe(initial?.refreshToken);
  await Promise.all([a.refresh(fromA), b.refresh(fromB)]);
  const again = await fileSessionStore(stateDir).load();
  expect(again?.refreshToken).not.toBe(rotated?.refreshToken);
  expect((await new CaucusApi({ url: server.url, auth: a }).me()).ok).toBe(true);
  expect((await new CaucusApi({ url: server.url, auth: b }).me()).ok).toBe(true);
});

it('a process killed while holding the lock does not keep it', async () => {
  const path = join(tempDir(), 'session.lock');
  // --expose-gc: the holder collects garbage before it says it holds the lock, which once let a
  // collected connection drop the lock in a holder that was still running.
  const holder = runTs('tests/client/fixtures/hold-lock.ts', [path], { nodeArgs: ['--expose-gc'] });
  try {
    await holder.line((l) => l === 'locked');
    await expect(
      new StateDirLock(path, { waitMs: 200 }).run(() => Promise.resolve('got it')),
    ).rejects.toBeInstanceOf(LockTimeout);
  } finally {
    // Killed on a failed assertion too: a holder left running would outlive the test run.
    holder.child.kill('SIGKILL');
  }
  await holder.exited;
  const started = Date.now();
  await expect(new StateDirLock(path, { waitMs: 5_000 }).run(() => Promise.resolve('got it'))).resolves.toBe(
    'got it',
  );
  expect(Date.now() - started).toBeLessThan(1_000);
});
