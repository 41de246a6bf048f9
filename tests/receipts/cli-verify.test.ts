/**
 * `caucus receipts verify` on sets exported from a real server, run as a user would (the CLI in
 * its own process) for the exit codes, and through its function for the rest.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { newId, type Receipt, type ReceiptKey } from '@caucus/schema';
import {
  runReceiptsVerify,
  type ReceiptsVerifyOptions,
} from '../../packages/cli/src/commands/receipts-verify.js';
import { test } from '../support/e2e.js';
import { api, signup, startTestServer, type TestServer } from '../support/server.js';
import { runCaucus } from '../cli/support.js';

/** A CLI process compiles its sources with tsx at start: slow on a busy machine. */
const CLI_TIMEOUT_MS = 120_000;

async function receiptsFrom(server: TestServer, n: number): Promise<Receipt[]> {
  const user = await signup(server.url);
  const intents = Array.from({ length: n }, (_, i) => ({
    id: newId(),
    type: 'thread.create',
    args: { threadId: newId(), workspaceId: user.workspaceId, title: `Thread ${i}` },
  }));
  const res = await api<{ results: Array<{ receipt: Receipt }> }>(server.url, 'POST', '/api/intents', {
    token: user.accessToken,
    body: { intents },
  });
  return res.body.results.map((r) => r.receipt);
}

/**
 * `other`: a second server, with its own receipt key; `dir`: the test folder (removed after the
 * file) and `file(name, content)`, which writes `content` as JSON into it and returns its path;
 * `receipts`: three from the file's server, `foreign`: one from `other`; `keys`: the file's
 * server's published keys.
 */
const it = test
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern
  .extend('other', { scope: 'file' }, async ({}, { onCleanup }) => {
    const other = await startTestServer();
    onCleanup(() => other.stop());
    return other;
  })
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern
  .extend('dir', { scope: 'file' }, ({}, { onCleanup }) => {
    const dir = mkdtempSync(join(tmpdir(), 'caucus-receipts-cli-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })
  .extend('file', { scope: 'file' }, ({ dir }) => (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  })
  .extend('receipts', { scope: 'file' }, ({ ts }) => receiptsFrom(ts, 3))
  .extend('foreign', { scope: 'file' }, async ({ other }) => (await receiptsFrom(other, 1))[0] as Receipt)
  .extend(
    'keys',
    { scope: 'file' },
    async ({ ts }) => (await api<{ keys: ReceiptKey[] }>(ts.url, 'GET', '/api/receipts/keys')).body.keys,
  );

async function verify(path: string, options: ReceiptsVerifyOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runReceiptsVerify(path, options, {
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
  });
  return { code, out, err };
}

describe('caucus receipts verify', () => {
  it(
    'exit 0 for a good set, 2 for a tampered or foreign receipt, 1 for what is not a set',
    async ({ file, receipts, foreign, keys }) => {
      const keysFile = file('keys.json', { keys });
      const good = file('good.json', { keys, receipts });
      const tampered = structuredClone(receipts);
      (tampered[1] as Receipt).payload.actor = 'mallory' as Receipt['payload']['actor'];
      const bad = file('bad.json', { keys, receipts: [...tampered, foreign] });

      const [ok, failed, junk] = await Promise.all([
        runCaucus(['receipts', 'verify', good, '--keys', keysFile]),
        runCaucus(['receipts', 'verify', bad, '--keys', keysFile]),
        runCaucus(['receipts', 'verify', file('junk.json', 'not json')]),
      ]);
      expect(ok).toMatchObject({ code: 0, stderr: '' });
      expect(ok.stdout).toContain('3 of 3 receipts verified against the keys file');
      expect(failed.code).toBe(2);
      expect(failed.stderr).toContain(`receipt 2 (intent ${receipts[1]?.payload.intentId}): bad-signature:`);
      expect(failed.stderr).toContain(`receipt 4 (intent ${foreign.payload.intentId}): unknown-key:`);
      expect(failed.stderr).toContain('2 of 4 receipts FAILED');
      expect(junk).toMatchObject({ code: 1, stdout: '' });
      expect(junk.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^caucus: not-json: .* is not JSON$/),
      ]);
    },
    CLI_TIMEOUT_MS,
  );

  it('--url fetches the trusted keys; without keys given, the set’s own are used and that is said', async ({
    ts,
    other,
    file,
    receipts,
    foreign,
    keys,
  }) => {
    const set = file('set.json', { keys, receipts });
    const viaUrl = await verify(set, { url: ts.url });
    expect(viaUrl).toMatchObject({ code: 0, err: [] });
    const wrongServer = await verify(set, { url: other.url });
    expect(wrongServer.code).toBe(2);
    expect(wrongServer.err.filter((l) => l.includes('unknown-key'))).toHaveLength(3);

    const own = await verify(set);
    expect(own.code).toBe(0);
    expect(own.err.join('\n')).toMatch(/keys came from the file itself/);
    // A foreign receipt with its own server's key smuggled into the set: consistent, but not
    // what a trusted key signed.
    const smuggled = file('smuggled.json', {
      keys: [
        ...keys,
        ...(await api<{ keys: ReceiptKey[] }>(other.url, 'GET', '/api/receipts/keys')).body.keys,
      ],
      receipts: [foreign],
    });
    expect((await verify(smuggled)).code).toBe(0);
    expect((await verify(smuggled, { keys: file('trusted.json', keys) })).code).toBe(2);
  });

  it('--json prints one parseable report; usage errors are one line with a code', async ({
    ts,
    dir,
    file,
    receipts,
    keys,
  }) => {
    const set = file('mixed.json', { receipts: [receipts[0], { payload: {} }] });
    const json = await verify(set, { keys: file('k.json', { keys }), json: true });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out.join(''))).toMatchObject({
      ok: false,
      valid: 1,
      failed: 1,
      keySource: 'keys-file',
      results: [
        { index: 0, ok: true, kid: keys[0]?.kid },
        { index: 1, ok: false, reason: 'malformed' },
      ],
    });
    for (const [path, options, code] of [
      [join(dir, 'missing.json'), {}, 'unreadable-file'],
      [file('empty.json', { receipts: [] }), {}, 'no-receipts'],
      [file('shape.json', { receipt: [] }), {}, 'not-a-receipt-set'],
      [set, { keys: set, url: ts.url }, 'usage'],
      [set, { url: 'http://127.0.0.1:9' }, 'keys-unavailable'],
    ] as const) {
      const res = await verify(path, options);
      expect(res.code).toBe(1);
      expect(res.err).toEqual([expect.stringMatching(new RegExp(`^caucus: ${code}: `))]);
    }
  });

  it(
    'admin rotate-receipt-key rotates the key of a data dir',
    async ({ ts, keys }) => {
      const res = await runCaucus(['admin', 'rotate-receipt-key', '--data-dir', ts.dataDir, '--json']);
      expect(res.code).toBe(0);
      const rotation = JSON.parse(res.stdout) as { active: ReceiptKey; retired: ReceiptKey[] };
      expect(rotation.retired.map((k) => k.kid)).toEqual([keys[0]?.kid]);
      const now = (await api<{ keys: ReceiptKey[] }>(ts.url, 'GET', '/api/receipts/keys')).body.keys;
      expect(now.map((k) => k.kid)).toEqual([keys[0]?.kid, rotation.active.kid]);
    },
    CLI_TIMEOUT_MS,
  );
});
