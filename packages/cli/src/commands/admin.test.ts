/**
 * Every `caucus admin` command answers scripts: `--json` prints its result as one JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '@caucus/sync-server';
import { adminCommand } from './admin.js';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=caucus-source', '--import', 'tsx', join(ROOT, 'packages/cli/src/bin.ts'), ...args],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'caucus-admin-'));
  openDb({ path: join(dataDir, 'caucus.db') }).$client.close();
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('caucus admin', () => {
  it('offers --json on every command', () => {
    const commands = adminCommand().commands;
    expect(commands.length).toBeGreaterThanOrEqual(2);
    const without = commands.filter((c) => !c.options.some((o) => o.long === '--json')).map((c) => c.name());
    expect(without).toEqual([]);
  });

  // One run of the real CLI (starting it takes seconds): a broken chain, the case scripts act on.
  it(
    'verify-audit --json prints the report, and exits 1 when the chain is broken',
    { timeout: 60_000 },
    async () => {
      const db = openDb({ path: join(dataDir, 'caucus.db') });
      db.$client
        .prepare(
          `INSERT INTO audit_events (seq, at, actor, workspace_id, intent_id, type, intent, verdict, status,
           policy_version, prev_hash, hash) VALUES (1, 0, 'u', NULL, NULL, 't', '{}', '{}', 'accepted', 1, ?, 'forged')`,
        )
        .run('0'.repeat(64));
      db.$client.close();
      const broken = await runCli(['admin', 'verify-audit', '--json', '--data-dir', dataDir]);
      expect(broken.code).toBe(1);
      expect(JSON.parse(broken.stdout)).toEqual({
        ok: false,
        events: 0,
        brokenAt: { seq: 1, reason: expect.stringContaining('hash') as unknown },
      });
    },
  );
});
