/**
 * `caucus admin notice` and `caucus admin notices` against a real server on port 0 (the e2e
 * fixture's): an instance admin (its owner, the server's first account) posts (now, or scheduled
 * with --at/--until), lists (table and --json) and withdraws; bad input is exit 1, a non-admin
 * (its outsider) exit 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../support/e2e.js';
import { api, type TestUser } from '../support/server.js';
import { errorLine, run } from './support.js';

const STEP_TIMEOUT_MS = 180_000;

/** `as(user, ...args)` runs `caucus admin ...args` with the user's token and a state dir of the file. */
const it = test.extend('as', { scope: 'file' }, ({ ts }, { onCleanup }) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'caucus-cli-notices-'));
  onCleanup(() => rmSync(stateDir, { recursive: true, force: true }));
  return (user: TestUser, ...args: string[]) =>
    run({ url: ts.url, stateDir }, ['admin', ...args, '--token', user.accessToken]);
});

interface Notice {
  id: string;
  kind: string;
  title: string;
  workspaceId: string | null;
  startsAt: number;
  endsAt: number | null;
  withdrawnAt: number | null;
}

describe('caucus admin notice', () => {
  it(
    'posts now and scheduled notices, lists them, withdraws one; usage and refusals have their exit codes',
    { timeout: STEP_TIMEOUT_MS },
    async ({ ts, owner: admin, outsider: other, as }) => {
      const at = '2099-06-01T22:00:00Z';
      const until = '2099-06-01T23:30:00Z';
      const [now, later, text, refused, noBody, badTime, badKind, badRange] = await Promise.all([
        as(admin, 'notice', '--title', 'Incident', '--body', 'Sync is slow.', '--kind', 'error', '--json'),
        as(
          admin,
          'notice',
          '--title',
          'Maintenance',
          '--body',
          'Down 10 min.',
          '--kind',
          'warning',
          '--workspace',
          admin.workspaceId,
          '--at',
          at,
          '--until',
          until,
          '--json',
        ),
        as(admin, 'notice', '--title', 'New version', '--body', '1.2 is out.'),
        as(other, 'notice', '--title', 'Not mine', '--body', '-'),
        as(admin, 'notice', '--title', 'No body'),
        as(admin, 'notice', '--title', 'T', '--body', 'B', '--at', 'tomorrow'),
        as(admin, 'notice', '--title', 'T', '--body', 'B', '--kind', 'panic'),
        as(admin, 'notice', '--title', 'T', '--body', 'B', '--at', until, '--until', at),
      ]);
      expect(now.code, now.stderr).toBe(0);
      expect(JSON.parse(now.stdout)).toMatchObject({ kind: 'error', title: 'Incident', workspaceId: null });
      expect(later.code, later.stderr).toBe(0);
      const scheduled = JSON.parse(later.stdout) as Notice;
      expect(scheduled).toMatchObject({
        kind: 'warning',
        workspaceId: admin.workspaceId,
        startsAt: Date.parse(at),
        endsAt: Date.parse(until),
      });
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(
        /^notice \S+ \(info\) for everyone: goes out \S+Z, shown until withdrawn$/m,
      );
      expect(refused.code).toBe(2);
      expect(errorLine(refused)).toContain('instance admins');
      for (const usage of [noBody, badTime, badKind, badRange]) expect(usage.code, usage.stderr).toBe(1);
      expect(errorLine(badTime)).toContain('--at takes an ISO 8601 time');
      expect(errorLine(badRange)).toContain('endsAt: must be after startsAt');

      // What users see now: the current ones, not the scheduled one.
      const current = await api<{ notices: Notice[] }>(ts.url, 'GET', '/api/notices', {
        token: admin.accessToken,
      });
      expect(current.body.notices.map((n) => n.title).sort()).toEqual(['Incident', 'New version']);

      const [table, json] = await Promise.all([as(admin, 'notices'), as(admin, 'notices', '--json')]);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toMatch(/^id\s+kind\s+state\s+starts\s+ends\s+delivered\s+to\s+title$/m);
      expect(table.stdout).toMatch(
        new RegExp(
          `^${scheduled.id}\\s+warning\\s+scheduled\\s+2099-06-01T22:00:00Z\\s+2099-06-01T23:30:00Z\\s+-\\s+${admin.workspaceId}\\s+Maintenance$`,
          'm',
        ),
      );
      expect(table.stdout).toMatch(/^\S+\s+error\s+current\s+.*everyone\s+Incident$/m);
      expect(json.code).toBe(0);
      expect((JSON.parse(json.stdout) as Notice[]).map((n) => n.title).sort()).toEqual([
        'Incident',
        'Maintenance',
        'New version',
      ]);

      const withdrawn = await as(admin, 'notice', '--withdraw', scheduled.id, '--json');
      expect(withdrawn.code, withdrawn.stderr).toBe(0);
      expect(JSON.parse(withdrawn.stdout)).toMatchObject({
        id: scheduled.id,
        withdrawnAt: expect.any(Number) as unknown,
      });
      const listed = await as(admin, 'notices');
      expect(listed.stdout).toMatch(new RegExp(`^${scheduled.id}\\s+warning\\s+withdrawn\\s`, 'm'));
      const [missing, mixed] = await Promise.all([
        as(admin, 'notice', '--withdraw', 'no-such-notice'),
        as(admin, 'notice', '--withdraw', scheduled.id, '--title', 'T'),
      ]);
      expect(missing.code).toBe(2);
      expect(mixed.code).toBe(1);
      expect(errorLine(mixed)).toContain('--withdraw takes no --title');
    },
  );
});
