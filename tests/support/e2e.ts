/**
 * The end-to-end preamble as vitest fixtures, set up once per file for the tests that use them
 * (scope `file`) and torn down after its last test:
 *
 * - `ts`: a real server in this process on port 0 with a fresh data dir (stopped and removed);
 * - `owner` (with their personal workspace), `editor`, `viewer` (members of it) and `outsider`
 *   (an account in no workspace of the owner's);
 * - `threadId`: a thread in the owner's workspace;
 * - `connect(user, docName?, doc?)`: an official y-websocket client on the thread (or `docName`),
 *   destroyed after the file's last test.
 *
 * A file that needs other server settings says so once, at its top:
 * `test.override('serverOptions', { scope: 'file' }, { limits: { maxFieldChars: 100 } })`.
 */
import { test as base } from 'vitest';
import * as Y from 'yjs';
import { connectClient, type TestClient } from './providers.js';
import {
  createThread,
  signup,
  startTestServer,
  type TestServerOptions,
  type TestUser,
  signupMember,
} from './server.js';

const serverOptions: TestServerOptions = {};

export const test = base
  .extend('serverOptions', { scope: 'file' }, serverOptions)
  .extend('ts', { scope: 'file' }, async ({ serverOptions }, { onCleanup }) => {
    const ts = await startTestServer(serverOptions);
    onCleanup(() => ts.stop());
    return ts;
  })
  .extend('owner', { scope: 'file' }, ({ ts }) => signup(ts.url, 'owner'))
  .extend('editor', { scope: 'file' }, async ({ ts, owner }) => {
    const editor = await signupMember(ts.url, owner, 'editor', 'editor');
    return editor;
  })
  .extend('viewer', { scope: 'file' }, async ({ ts, owner }) => {
    const viewer = await signupMember(ts.url, owner, 'viewer', 'viewer');
    return viewer;
  })
  .extend('outsider', { scope: 'file' }, ({ ts }) => signup(ts.url, 'outsider'))
  .extend('threadId', { scope: 'file' }, ({ ts, owner }) => createThread(ts.url, owner))
  .extend('connect', { scope: 'file' }, ({ ts, threadId }, { onCleanup }) => {
    const clients: TestClient[] = [];
    onCleanup(() => {
      for (const client of clients) client.destroy();
    });
    return (user: TestUser | string, docName = `thread:${threadId}`, doc = new Y.Doc()): TestClient => {
      const token = typeof user === 'string' ? user : user.accessToken;
      const client = connectClient(ts.wsUrl, docName, token, doc);
      clients.push(client);
      return client;
    };
  });

export const it = test;
