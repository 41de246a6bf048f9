/**
 * An upgraded client still sends what an older one queued: a v1 outbox record, written raw into
 * the SQLite state dir as the older client stored it, is read, sent and settled; a record of a
 * newer format is kept untouched and never sent.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CaucusApi, Outbox, OUTBOX_FORMAT_VERSION, staticToken } from '@caucus/client';
import { OUTBOX_DB_FILE, sqliteOutboxStore } from '@caucus/client/node';
import { newId, type UserId } from '@caucus/schema';
import { test } from '../support/e2e.js';
import { api } from '../support/server.js';

/** `stateDir`: the client's SQLite state dir, removed after the file. */
// eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern
const it = test.extend('stateDir', { scope: 'file' }, ({}, { onCleanup }) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'caucus-outbox-'));
  onCleanup(() => rmSync(stateDir, { recursive: true, force: true }));
  return stateDir;
});

it('sends a stored v1 record and keeps a newer-format one untouched', async ({
  ts: server,
  owner: user,
  stateDir,
}) => {
  // The table as the store makes it, then rows as older and newer clients wrote them.
  await sqliteOutboxStore(stateDir).close();
  const threadId = newId();
  const v1 = {
    v: 1,
    id: newId(),
    type: 'thread.create',
    args: { threadId, workspaceId: user.workspaceId, title: 'Queued by an older client' },
    queuedAt: Date.now() - 60_000,
  };
  const future = { v: 9, id: newId(), something: 'a later client knows' };
  const raw = new Database(join(stateDir, OUTBOX_DB_FILE));
  raw.prepare('INSERT INTO outbox (id, record) VALUES (?, ?)').run(v1.id, JSON.stringify(v1));
  raw.prepare('INSERT INTO outbox (id, record) VALUES (?, ?)').run(future.id, JSON.stringify(future));
  raw.close();

  const caucus = new CaucusApi({ url: server.url, auth: staticToken(user.accessToken) });
  const outbox = await Outbox.open({
    store: sqliteOutboxStore(stateDir),
    send: (intents) => caucus.submitIntents(intents),
    actor: () => user.id as UserId,
  });
  expect(outbox.current.pending.map((p) => p.id)).toEqual([v1.id]);
  expect(outbox.current.unreadable).toEqual([
    { id: future.id, reason: expect.stringContaining('format 9 is newer') as string },
  ]);

  const report = await outbox.flush();
  expect(report.error).toBeNull();
  expect(report.verdicts.map((v) => [v.id, v.verdict.status])).toEqual([[v1.id, 'accepted']]);
  await outbox.close();

  const created = await api(server.url, 'GET', `/api/threads/${threadId}`, { token: user.accessToken });
  expect(created.status).toBe(200);

  // Rewritten in the current format; the unknown one is byte for byte what the newer client wrote.
  const after = new Database(join(stateDir, OUTBOX_DB_FILE), { readonly: true });
  const rows = after.prepare('SELECT id, record FROM outbox ORDER BY seq').all() as Array<{
    id: string;
    record: string;
  }>;
  after.close();
  const upgraded = JSON.parse(rows[0]?.record ?? '{}') as {
    v: number;
    state: string;
    verdict: { status: string };
  };
  expect(upgraded).toMatchObject({
    v: OUTBOX_FORMAT_VERSION,
    state: 'settled',
    verdict: { status: 'accepted' },
  });
  expect(rows[1]?.record).toBe(JSON.stringify(future));

  // A restarted client still has the verdict.
  const again = await Outbox.open({
    store: sqliteOutboxStore(stateDir),
    send: (intents) => caucus.submitIntents(intents),
    actor: () => user.id as UserId,
  });
  expect(again.current.settled.map((s) => [s.id, s.verdict.status])).toEqual([[v1.id, 'accepted']]);
  expect(again.current.pending).toEqual([]);
  await again.close();
});
