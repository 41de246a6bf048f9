/**
 * `caucus admin rebuild-projection` on a real data dir: the read model the server left behind is
 * made again, row for row, from the update log. The data dir is the e2e fixture's server's: the
 * owner writes, the server stops (keeping its data) before the tests run the command on it.
 */
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import * as Y from 'yjs';
import { newId, threadDoc, type ThreadId } from '@caucus/schema';
import { openDb } from '@caucus/sync-server';
import { rebuildReadModel } from '../../packages/cli/src/commands/rebuild-projection.js';
import { it } from '../support/e2e.js';
import { connectClient, synced } from '../support/providers.js';
import { api, createThread } from '../support/server.js';
import { whenProjected } from './support.js';
import { runCaucus } from '../cli/support.js';

/** Every read-model row of a data dir, by natural key (rowid keys are local to a database). */
function rowsOf(dataDir: string) {
  const db = openDb({ path: join(dataDir, 'caucus.db') });
  try {
    const all = (sql: string) => db.$client.prepare(sql).all();
    return {
      threads: all(
        `SELECT thread_id, title, intent, body, message_count, attachment_count, attachment_bytes, activity_at,
                seq, hex(stamp) AS stamp FROM projected_threads ORDER BY thread_id`,
      ),
      messages: all('SELECT * FROM projected_messages ORDER BY thread_id, item_id').map((row) => {
        const { key: _key, ...rest } = row as Record<string, unknown>;
        return rest;
      }),
      attachments: all('SELECT * FROM projected_attachments ORDER BY thread_id, upload_id'),
      hits: all(
        `SELECT p.thread_id FROM thread_fts JOIN projected_threads p ON p.key = thread_fts.rowid
         WHERE thread_fts MATCH 'flamingo' ORDER BY 1`,
      ),
    };
  } finally {
    db.$client.close();
  }
}

function wipe(dataDir: string): void {
  const db = openDb({ path: join(dataDir, 'caucus.db') });
  db.$client.exec(
    'DELETE FROM projected_messages; DELETE FROM projected_attachments; DELETE FROM projected_threads;',
  );
  db.$client.close();
}

let live: ReturnType<typeof rowsOf>;

it.override('serverOptions', { compactEveryUpdates: 5 });

it.beforeAll(async ({ ts, owner: user }) => {
  const threads: string[] = [];
  for (let i = 0; i < 6; i++) threads.push(await createThread(ts.url, user, user.workspaceId, `Thread ${i}`));
  const writer = connectClient(ts.wsUrl, `thread:${threads[0]}`, user.accessToken);
  await synced(writer);
  for (const word of ['the ', 'flamingo ', 'budget ', 'is ', 'agreed'])
    writer.doc.getText('body').insert(0, word);
  const m = new Y.Map<unknown>();
  m.set('id', newId());
  m.set('author', user.id);
  m.set('text', 'a flamingo in a message');
  m.set('at', Date.now());
  writer.doc.getArray('messages').push([m]);
  const first = threads[0] as string;
  await whenProjected(
    ts.server,
    first,
    async () => {
      const { body } = await api<{ body: string; messageCount: number }>(
        ts.url,
        'GET',
        `/api/threads/${first}`,
        {
          token: user.accessToken,
        },
      );
      return body.body.includes('agreed') && body.messageCount === 1;
    },
    5000,
  );
  for (const [i, id] of threads.entries()) {
    for (let n = 0; n < i; n++) {
      await ts.server.hub.transact(
        threadDoc(id as ThreadId),
        { kind: 'thread', id: id as ThreadId },
        (doc) => {
          doc.getText('body').insert(0, `edit ${n} `);
          if (n % 2)
            doc
              .getMap('attachments')
              .set(`up${n}`, { id: `up${n}`, name: 'a.txt', size: n, type: 'text/plain', sha256: 'aa' });
        },
      );
    }
  }
  writer.destroy();
  // The fixture stops it again after the file (a no-op) and removes the data dir.
  await ts.stop({ keepData: true });
  live = rowsOf(ts.dataDir);
});

describe('caucus admin rebuild-projection', () => {
  it('makes the same rows again from the update log, with progress', async ({ ts }) => {
    expect(live.threads).toHaveLength(6);
    expect(live.hits).toHaveLength(1);
    wipe(ts.dataDir);
    expect(rowsOf(ts.dataDir).threads).toEqual([]);
    const progress: Array<[number, number]> = [];
    const report = await rebuildReadModel({
      dataDir: ts.dataDir,
      onProgress: ({ done, total }) => progress.push([done, total]),
    });
    expect(report).toMatchObject({ threads: 6, corrected: 6, removed: 0 });
    expect(progress[0]).toEqual([0, 6]);
    expect(progress.at(-1)).toEqual([6, 6]);
    expect(rowsOf(ts.dataDir)).toEqual(live);
  });

  it('runs from the command line', async ({ ts }) => {
    wipe(ts.dataDir);
    const cli = await runCaucus(['admin', 'rebuild-projection', '--data-dir', ts.dataDir, '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ threads: 6, corrected: 6 });
    expect(rowsOf(ts.dataDir)).toEqual(live);
    const plain = await runCaucus(['admin', 'rebuild-projection', '--data-dir', ts.dataDir]);
    expect(plain.stdout).toMatch(/^read model rebuilt: 6 threads in \d+ ms \(0 corrected, 0 removed/);
    const missing = await runCaucus(['admin', 'rebuild-projection', '--data-dir', join(ts.dataDir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no Caucus database');
  });
});
