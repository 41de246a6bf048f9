/** `caucus watch` sees a post another client makes, as it arrives. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '@caucus/schema';
import { connectClient, synced } from '../support/providers.js';
import { createThread, signup, startTestServer, type TestServer, type TestUser } from '../support/server.js';
import { caucus, run } from './support.js';

let server: TestServer;
let user: TestUser;
const stateDir = mkdtempSync(join(tmpdir(), 'caucus-watch-'));

beforeAll(async () => {
  server = await startTestServer();
  user = await signup(server.url, 'ada');
});
afterAll(async () => {
  await server.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

it('prints a post from another client as it arrives (--json: one object a line)', async () => {
  const env = { url: server.url, stateDir };
  const login = await run(env, ['login', '--email', user.email, '--password-stdin'], {
    stdin: 'correct horse battery\n',
  });
  expect(login.code).toBe(0);
  const threadId = await createThread(server.url, user);
  const watcher = caucus(env, ['watch', `thread:${threadId}`, '--json']);
  try {
    await new Promise<void>((resolve, reject) => {
      watcher.child.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('watching')) resolve();
      });
      void watcher.exited.then((r) => reject(new Error(`watch exited: ${r.stderr}`)));
    });
    const other = connectClient(server.wsUrl, `thread:${threadId}`, user.accessToken);
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
    other.destroy();
  } finally {
    watcher.child.kill('SIGTERM');
    await watcher.exited;
  }
}, 120_000);
