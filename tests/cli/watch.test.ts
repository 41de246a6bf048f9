/**
 * `caucus watch` sees a post another client makes, as it arrives: the e2e fixture's server,
 * owner and thread, the other client through its `connect`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { expect } from 'vitest';
import { newId } from '@caucus/schema';
import { test } from '../support/e2e.js';
import { synced } from '../support/providers.js';
import { caucus, run } from './support.js';

/** `stateDir`: the CLI's state dir, removed after the file. */
const it = test
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern
  .extend('stateDir', { scope: 'file' }, ({}, { onCleanup }) => {
    const dir = mkdtempSync(join(tmpdir(), 'caucus-watch-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  });

it('prints a post from another client as it arrives (--json: one object a line)', async ({
  ts,
  owner: user,
  threadId,
  connect,
  stateDir,
}) => {
  const env = { url: ts.url, stateDir };
  const login = await run(env, ['login', '--email', user.email, '--password-stdin'], {
    stdin: 'correct horse battery\n',
  });
  expect(login.code).toBe(0);
  const watcher = caucus(env, ['watch', `thread:${threadId}`, '--json']);
  try {
    await new Promise<void>((resolve, reject) => {
      watcher.child.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('watching')) resolve();
      });
      void watcher.exited.then((r) => reject(new Error(`watch exited: ${r.stderr}`)));
    });
    // Destroyed by the fixture after the file.
    const other = connect(user);
    await synced(other);
    const line = watcher.line((l) => l.includes('from elsewhere'));
    const message = new Y.Map<unknown>();
    message.set('id', newId());
    message.set('author', user.id);
    message.set('text', 'from elsewhere');
    message.set('at', Date.now());
    other.doc.getArray('messages').push([message]);
    const change = JSON.parse(await line) as {
      doc: string;
      part: string;
      action: string;
      value: { text: string; author: string };
    };
    expect(change).toMatchObject({
      doc: `thread:${threadId}`,
      part: 'messages',
      action: 'added',
      value: { text: 'from elsewhere', author: user.id },
    });
  } finally {
    watcher.child.kill('SIGTERM');
    await watcher.exited;
  }
}, 120_000);
