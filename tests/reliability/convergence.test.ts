/**
 * Convergence fuzz through the real server: five official y-websocket clients make random edits
 * to text, arrays and maps while a controllable proxy delays, reorders and duplicates their frames
 * and drops their connections. In the end every client, the server's document and the document
 * reloaded from SQLite must be identical. A failing run prints its seed; replay it with
 * CAUCUS_FUZZ_SEED=<seed>. Rounds: 500 (CAUCUS_FUZZ_ROUNDS to change; 10,000 with CAUCUS_SOAK=1).
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { parseDocName, type DocRef } from '@caucus/schema';
import { SqliteDocStore, buildDoc } from '@caucus/sync-server';
import {
  addMember,
  createThread,
  signup,
  withApiToken,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server.js';
import { ControlledSocket } from '../support/controlled-socket.js';
import { Rng, fuzzSeed } from '../support/prng.js';
import { recordFigure } from '../support/figures.js';

const SOAK = process.env.CAUCUS_SOAK === '1';
const ROUNDS = Number(process.env.CAUCUS_FUZZ_ROUNDS ?? (SOAK ? 10_000 : 500));
const CLIENTS = 5;
/** How long the final convergence may take before the run counts as failed. */
const CONVERGE_DEADLINE_MS = 30_000;

interface FuzzClient {
  user: TestUser;
  doc: Y.Doc;
  provider: WebsocketProvider;
  sockets: Set<ControlledSocket>;
  passthrough: boolean;
}

let ts: TestServer | null = null;
const clients: FuzzClient[] = [];

afterAll(async () => {
  for (const c of clients) {
    c.provider.destroy();
    c.doc.destroy();
  }
  await ts?.stop();
});

function connect(server: TestServer, user: TestUser, docName: string): FuzzClient {
  const client = {
    user,
    doc: new Y.Doc(),
    sockets: new Set<ControlledSocket>(),
    passthrough: true,
  } as FuzzClient;
  class Socket extends ControlledSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      client.sockets.add(this);
    }
    protected override passthrough(): boolean {
      return client.passthrough;
    }
  }
  client.provider = new WebsocketProvider(server.wsUrl, docName, client.doc, {
    params: { token: user.accessToken },
    WebSocketPolyfill: Socket as unknown as typeof WebSocket,
    disableBc: true,
    maxBackoffTime: 50,
  });
  return client;
}

function edit(client: FuzzClient, r: Rng): void {
  const { doc, user } = client;
  const body = doc.getText('body');
  const messages = doc.getArray<Y.Map<unknown>>('messages');
  const mine = messages.toArray().filter((m) => m.get('author') === user.id);
  const action = r.int(7);
  if (action <= 2) body.insert(r.int(body.length + 1), r.word() + ' ');
  else if (action === 3 && body.length > 0) {
    const at = r.int(body.length);
    body.delete(at, Math.min(1 + r.int(5), body.length - at));
  } else if (action === 4) {
    const m = new Y.Map<unknown>();
    doc.transact(() => {
      m.set('id', `${user.id}-${r.int(1e9)}`);
      m.set('author', user.id);
      m.set('text', r.word());
      m.set('at', r.int(1e12));
      messages.insert(r.int(messages.length + 1), [m]);
    });
  } else if (action === 5 && mine.length > 0) {
    const m = r.pick(mine);
    if (r.chance(0.3)) messages.delete(messages.toArray().indexOf(m), 1);
    else m.set('text', r.word());
  } else doc.getMap('meta').set(r.chance(0.5) ? 'title' : 'intent', r.word());
}

function deliver(client: FuzzClient, r: Rng): string {
  const socket = [...client.sockets].find((s) => s.readyState === s.OPEN);
  if (!socket) return 'none';
  const direction = r.chance(0.5) ? 'out' : 'in';
  const queue = direction === 'out' ? socket.outbound : socket.inbound;
  if (queue.length === 0) return 'empty';
  const roll = r.next();
  if (roll < 0.75) socket.deliver(direction, 0);
  else if (roll < 0.9)
    socket.deliver(direction, r.int(queue.length)); // out of order
  else socket.deliver(direction, r.int(queue.length), true); // duplicate
  return direction;
}

function contentOf(doc: Y.Doc) {
  return {
    meta: doc.getMap('meta').toJSON(),
    body: doc.getText('body').toJSON(),
    messages: doc.getArray('messages').toJSON(),
    sv: Object.fromEntries([...Y.decodeStateVector(Y.encodeStateVector(doc))].sort(([a], [b]) => a - b)),
  };
}

describe('convergence through the real server', () => {
  it(`converges after ${ROUNDS} rounds of random edits, delays, reorders, duplicates and drops`, async () => {
    const seed = fuzzSeed();
    const r = new Rng(seed);
    const context = `seed ${seed} (replay with CAUCUS_FUZZ_SEED=${seed})`;
    ts = await startTestServer({ limits: { messagesPerSecond: 100_000 } });
    const owner = await signup(ts.url, 'owner');
    const users = [owner];
    for (let i = 1; i < CLIENTS; i++) {
      const u = await signup(ts.url, `fuzz${i}`);
      await addMember(ts.url, owner, owner.workspaceId, u, 'editor');
      users.push(u);
    }
    const threadId = await createThread(ts.url, owner);
    // The soak's 10,000 rounds outlive an access token, and clients reconnect after drops: they
    // hold API tokens, as scripts do.
    for (const [i, u] of users.entries()) users[i] = await withApiToken(ts.url, u);
    const name = `thread:${threadId}`;
    const server = ts;
    for (const u of users) clients.push(connect(server, u, name));
    await Promise.all(
      clients.map((c) => new Promise<void>((resolve) => c.provider.once('sync', () => resolve()))),
    );

    for (const c of clients) c.passthrough = false;
    const stats = { edits: 0, delivered: 0, drops: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const c = r.pick(clients);
      const roll = r.next();
      if (roll < 0.35) {
        edit(c, r);
        stats.edits++;
      } else if (roll < 0.99) {
        // Usually one frame, sometimes a burst.
        const burst = r.chance(0.3) ? 1 + r.int(6) : 1;
        for (let i = 0; i < burst; i++) if (['out', 'in'].includes(deliver(c, r))) stats.delivered++;
      } else {
        // A dropped connection: queued frames are lost; the provider reconnects by itself.
        for (const s of c.sockets) s.close();
        c.sockets.clear();
        stats.drops++;
      }
      // Let the network and the server run between rounds.
      await new Promise((resolve) => setImmediate(resolve));
    }

    // Heal: forward everything from now on, and reconnect each client once so that a sync
    // handshake repairs whatever the proxy lost.
    for (const c of clients) {
      c.passthrough = true;
      for (const s of c.sockets) s.flush();
      c.provider.disconnect();
      c.sockets.clear();
    }
    for (const c of clients) c.provider.connect();

    const ref = parseDocName(name) as DocRef;
    const serverContent = () => server.server.hub.read(name as never, ref, contentOf);
    const converged = async () => {
      const target = JSON.stringify(await serverContent());
      return clients.every((c) => c.provider.synced && JSON.stringify(contentOf(c.doc)) === target);
    };
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`did not converge within ${CONVERGE_DEADLINE_MS} ms; ${context}`)),
        CONVERGE_DEADLINE_MS,
      );
      const check = () => {
        void converged().then((done) => {
          if (!done) return;
          clearTimeout(deadline);
          for (const off of offs) off();
          resolve();
        });
      };
      const offs = [
        ...clients.map((c) => {
          c.doc.on('update', check);
          c.provider.on('sync', check);
          return () => {
            c.doc.off('update', check);
            c.provider.off('sync', check);
          };
        }),
        server.server.hub.onCommitted(check),
      ];
      check();
    });

    const expected = await serverContent();
    for (const c of clients) expect(contentOf(c.doc), context).toEqual(expected);
    // The server's memory is not the last word: the document as stored must be the same.
    const stored = buildDoc(await new SqliteDocStore(server.server.db).load(name as never));
    expect(contentOf(stored), context).toEqual(expected);
    expect(stats.edits, context).toBeGreaterThan(ROUNDS / 4);
    recordFigure('convergence', { rounds: ROUNDS, clients: CLIENTS, ...stats, seed });
  });
});
