/**
 * A script queues intents while the server is down, exits, starts again from its state dir once
 * the server is back, and everything is adjudicated in the order it was made, with the verdicts
 * kept in the client's state. Real processes: the server and each run of the script.
 */
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { logIn, Outbox } from '@caucus/client';
import { fileSessionStore, sqliteOutboxStore } from '@caucus/client/node';
import type { UserId } from '@caucus/schema';
import { ProcessServer } from '../support/process-server.js';
import { api, signup } from '../support/server.js';
import { runTs } from './fixtures/spawn.js';

const SCRIPT = 'tests/client/fixtures/outbox-script.ts';
const stateDir = mkdtempSync(join(tmpdir(), 'caucus-state-'));
let server: ProcessServer | null = null;
afterAll(async () => {
  await server?.dispose();
  rmSync(stateDir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Printed {
  pending: Array<{ id: string; type: string; args: { decisionId?: string; threadId?: string } }>;
  verdicts: Array<{ id: string; type: string; status: string }>;
  error: string | null;
}

it('queues offline, exits, restarts from the state dir and converges in order', async () => {
  server = await ProcessServer.start({ port: await freePort() });
  const user = await signup(server.url, 'ada');
  const login = await logIn(
    { email: user.email, password: 'correct horse battery' },
    { url: server.url, store: fileSessionStore(stateDir) },
  );
  expect(login.ok).toBe(true);
  await server.kill('SIGTERM');

  const queued = await runTs(SCRIPT, ['queue', server.url, stateDir, user.workspaceId]).exited;
  expect(queued.stderr).toBe('');
  expect(queued.code).toBe(3);
  const offline = JSON.parse(queued.stdout) as Printed;
  expect(offline.error).toBe('network');
  expect(offline.verdicts).toEqual([]);
  expect(offline.pending.map((p) => p.type)).toEqual([
    'thread.create',
    'decision.propose',
    'decision.approve',
    'decision.resolve',
  ]);

  await server.restart();
  const synced = await runTs(SCRIPT, ['sync', server.url, stateDir]).exited;
  expect(synced.stderr).toBe('');
  expect(synced.code).toBe(0);
  const online = JSON.parse(synced.stdout) as Printed;
  expect(online.error).toBeNull();
  expect(online.pending).toEqual([]);
  // In order: each of these is only possible after the one before it.
  expect(online.verdicts).toEqual(
    offline.pending.map((p) => ({ id: p.id, type: p.type, status: 'accepted' })),
  );

  const decisionId = offline.pending[1]?.args.decisionId ?? '';
  const decision = await api<{ status: string; outcome: string; threadId: string }>(
    server.url,
    'GET',
    `/api/decisions/${decisionId}`,
    {
      token: user.accessToken,
    },
  );
  expect(decision.body).toMatchObject({
    status: 'resolved',
    outcome: 'yes',
    threadId: offline.pending[0]?.args.threadId,
  });

  // The verdicts are in the client's state for the next run too.
  const outbox = await Outbox.open({
    store: sqliteOutboxStore(stateDir),
    send: () => Promise.reject(new Error('nothing should be sent')),
    actor: () => user.id as UserId,
  });
  expect(outbox.current.settled.map((s) => [s.id, s.verdict.status])).toEqual(
    offline.pending.map((p) => [p.id, 'accepted']),
  );
  await outbox.close();
}, 60_000);
