/**
 * Seeded fuzz (tests/support/prng.ts): three clients make random edits to one thread while their
 * links are cut, go offline for stretches and restart from their stores; at every checkpoint all
 * come back and every client's document equals the server's. Replay with CAUCUS_FUZZ_SEED=<seed>;
 * CAUCUS_SOAK=1 runs thousands of rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import * as Y from 'yjs';
import { memoryStorage, type CaucusClient, type ClientStorage, type ThreadView } from '@caucus/client';
import { sqliteStorage } from '@caucus/client/node';
import { test } from '../support/e2e.js';
import { fuzzSeed, Rng } from '../support/prng.js';
import { connectClient, synced } from '../support/providers.js';
import { addMember, signup, type TestServer, type TestUser } from '../support/server.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { apiToken, nodeClient, online } from './support.js';

const SOAK = process.env.CAUCUS_SOAK === '1';
const ROUNDS = SOAK ? 3000 : 400;
const CHECK_EVERY = SOAK ? 250 : 80;

interface Peer {
  user: TestUser;
  token: string;
  proxy: TcpProxy;
  makeStorage: () => ClientStorage;
  storage: ClientStorage;
  client: CaucusClient;
  thread: ThreadView;
  offline: boolean;
}

/** The server, the thread the peers edit, and the peers. */
interface Fuzz {
  ts: TestServer;
  threadId: string;
  peers: Peer[];
}

const target = (ts: TestServer) => ({ host: '127.0.0.1', port: Number(new URL(ts.url).port) });

function start(fuzz: Fuzz, peer: Peer): void {
  peer.client = nodeClient(peer.proxy.url, peer.user, peer.token, {
    storage: peer.storage,
    backoff: { baseMs: 40, capMs: 400 },
  });
  peer.thread = peer.client.thread(fuzz.threadId);
}

/**
 * Three peers on the fixture's thread, each behind a proxy of its own; closed, and the state dir
 * removed, after the file.
 */
const it = test.extend('fuzz', { scope: 'file' }, async ({ ts, owner, threadId }, { onCleanup }) => {
  const fuzz: Fuzz = { ts, threadId, peers: [] };
  const stateDir = mkdtempSync(join(tmpdir(), 'caucus-fuzz-state-'));
  onCleanup(async () => {
    for (const p of fuzz.peers) {
      await p.client.close();
      await p.proxy.close();
    }
    rmSync(stateDir, { recursive: true, force: true });
  });
  for (let i = 0; i < 3; i++) {
    const user = i === 0 ? owner : await signup(ts.url, `peer${i}`);
    if (i > 0) await addMember(ts.url, owner, owner.workspaceId, user, 'editor');
    const proxy = await TcpProxy.start({ target: target(ts) });
    // Peer 0 restarts from a SQLite state dir, the others from memory stores.
    const makeStorage =
      i === 0
        ? () => sqliteStorage(stateDir)
        : (() => {
            const kept = memoryStorage();
            return () => kept;
          })();
    const peer = { user, token: await apiToken(ts.url, user), proxy, makeStorage, offline: false } as Peer;
    peer.storage = makeStorage();
    start(fuzz, peer);
    fuzz.peers.push(peer);
  }
  return fuzz;
});

async function act(fuzz: Fuzz, rng: Rng, peer: Peer): Promise<void> {
  const t = peer.thread;
  const mine = () => t.messages().filter((m) => m.author === peer.user.id);
  switch (rng.int(10)) {
    case 0:
    case 1:
      await t.post(rng.word());
      return;
    case 2:
    case 3: {
      const len = t.body().length;
      await t.editBody(rng.int(len + 1), rng.chance(0.3) ? rng.int(4) : 0, rng.word());
      return;
    }
    case 4: {
      const m = mine();
      if (m.length) await t.editMessage(rng.pick(m).id, rng.word());
      return;
    }
    case 5: {
      const m = mine();
      if (m.length && rng.chance(0.5)) await t.deleteMessage(rng.pick(m).id);
      return;
    }
    case 6:
      peer.proxy.cutAll();
      return;
    case 7:
      // An offline stretch: new connections are held until the link is back.
      peer.offline = !peer.offline;
      peer.proxy.setTarget(peer.offline ? null : target(fuzz.ts));
      if (peer.offline) peer.proxy.cutAll();
      return;
    case 8: {
      if (!rng.chance(0.3)) return;
      await peer.client.close();
      peer.storage = peer.makeStorage();
      start(fuzz, peer);
      await peer.thread.whenLoaded;
      return;
    }
    default:
      await t.setTitle(rng.word());
  }
}

/** Brings every peer back, waits until all is acknowledged, and compares with the server's copy. */
async function converge({ ts, threadId, peers }: Fuzz, round: number, seed: number): Promise<void> {
  for (const p of peers) {
    if (p.offline) p.proxy.setTarget(target(ts));
    p.offline = false;
  }
  for (const p of peers) {
    p.client.connect();
    await online(p.client);
    await p.client.flush({ timeoutMs: 20_000 });
  }
  const y = connectClient(ts.wsUrl, `thread:${threadId}`, peers[0]!.user.accessToken);
  try {
    await synced(y);
    const expected = {
      messages: y.doc.getArray('messages').toJSON(),
      body: y.doc.getText('body').toJSON(),
      meta: y.doc.getMap('meta').toJSON(),
    };
    for (const p of peers) {
      // A peer may still be receiving what the others sent last: wait for the server's state.
      const sv = Y.decodeStateVector(Y.encodeStateVector(y.doc));
      await new Promise<void>((resolve) => {
        const caughtUp = () =>
          [...sv].every(([client, clock]) => Y.getState(p.thread.doc.store, client) >= clock);
        if (caughtUp()) return resolve();
        const off = p.thread.subscribe(() => caughtUp() && (off(), resolve()));
      });
      const actual = {
        messages: p.thread.doc.getArray('messages').toJSON(),
        body: p.thread.body(),
        meta: p.thread.doc.getMap('meta').toJSON(),
      };
      expect(actual, `seed ${seed}, round ${round}, ${p.user.name}`).toEqual(expected);
    }
    for (const p of peers) expect(p.client.status.current.refused, `seed ${seed}`).toEqual([]);
  } finally {
    y.destroy();
  }
}

describe('client fuzz', () => {
  it(
    `three clients converge with the server through cuts, offline stretches and restarts (${ROUNDS} rounds)`,
    { timeout: SOAK ? 1_800_000 : 120_000 },
    async ({ fuzz }) => {
      const seed = fuzzSeed();
      const rng = new Rng(seed);
      for (let round = 1; round <= ROUNDS; round++) {
        await act(fuzz, rng, rng.pick(fuzz.peers));
        if (rng.chance(0.5)) await new Promise<void>((r) => setImmediate(r));
        if (round % CHECK_EVERY === 0 || round === ROUNDS) await converge(fuzz, round, seed);
      }
    },
  );
});
