/**
 * Hostile input (DESIGN §3): thousands of random, truncated and corrupt frames — bad varints,
 * unknown message types, corrupt and mutated updates, huge declared lengths, text frames,
 * oversized frames. The server stays up, closes each offending connection with a clear code,
 * other clients are unaffected and the document is unchanged.
 *
 * Seeded: set CAUCUS_FUZZ_SEED to replay a run; the seed is printed when a test fails.
 *
 * The file's server (the e2e fixture, with the fuzzing limits) serves the read-only fuzz and the
 * awareness test; the writer's fuzz restarts its server and the nested-JSON test needs a server
 * process (a crash must show as an exit), so each starts its own.
 */
import { randomInt } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { recordFigure } from '../support/figures.js';
import { Connection } from '../../sync-server/src/sync/connection.js';
import { afterAll, afterEach, beforeAll, describe, expect, onTestFailed } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { MESSAGE_TYPES } from '@caucus/schema';
import {
  addMember,
  api,
  createThread,
  signup,
  withApiToken,
  startTestServer,
  type TestServer,
  type TestUser,
  signupMember,
} from '../support/server.js';
import { it } from '../support/e2e.js';
import { connectClient, synced, until, type TestClient } from '../support/providers.js';
import { ProcessServer } from '../support/process-server.js';
import { RawClient, decodeAwarenessStates } from '../support/raw-client.js';
import { Rng } from '../support/prng.js';
import { awarenessFrame, awarenessPayload, buildUpdateCorpus } from '../support/fuzz-corpus.js';
import {
  HOSTILE_CLOSE_CODES,
  RESERVED_CLIENT_ID_BASE,
  generateFrame,
  toHex,
  type FuzzFrame,
  type FuzzLimits,
  type GeneratorOptions,
} from '../support/fuzz-frames.js';

const SEED = process.env.CAUCUS_FUZZ_SEED ? Number(process.env.CAUCUS_FUZZ_SEED) : randomInt(2 ** 31);
const SOAK = process.env.CAUCUS_SOAK === '1';
/** 20,000 frames in npm test, 100,000 in soak, split between a viewer and a writer. */
const VIEWER_FRAMES = SOAK ? 80_000 : 15_000;
const WRITER_FRAMES = SOAK ? 20_000 : 5_000;
/** Longest the event loop may stall while fuzzing (the server and the fuzzer share this process). */
const MAX_STALL_MS = 100;
/** Heap growth allowed over a whole run: thousands of connections must not leave anything behind. */
const MAX_HEAP_GROWTH_BYTES = 150 * 1024 * 1024;

const LIMITS: FuzzLimits & { messagesPerSecond: number; maxConnectionsPerUser: number } = {
  maxFrameBytes: 16 * 1024,
  maxUpdateBytes: 4 * 1024,
  messagesPerSecond: 1_000_000,
  maxConnectionsPerUser: 10_000,
};

it.override('serverOptions', { limits: LIMITS });
it.override('threadId', ({ ts, owner }) => createThread(ts.url, owner, owner.workspaceId, 'Fuzzed'));

function reportSeedOnFailure(): void {
  onTestFailed(() => {
    console.error(`malformed-frame fuzz seed: ${SEED} (replay with CAUCUS_FUZZ_SEED=${SEED})`);
  });
}

/** Error-level log calls of an in-process server (its logger is silent, so they are captured here). */
/**
 * Measures the CPU time of every synchronous task in which the server handles one frame (the
 * connection's `receive`), so a stall caused by a frame is told apart from the process merely not
 * being scheduled. Returns the frame count and, on stop, the longest task in milliseconds.
 */
function measureFrameCpu(): { readonly frames: number; stop(): number } {
  const proto = Connection.prototype as { receive: (frame: Uint8Array) => void };
  const original = proto.receive;
  let maxMicros = 0;
  let frames = 0;
  proto.receive = function (this: Connection, frame: Uint8Array) {
    const before = process.cpuUsage();
    try {
      original.call(this, frame);
    } finally {
      const spent = process.cpuUsage(before);
      maxMicros = Math.max(maxMicros, spent.user + spent.system);
      frames++;
    }
  };
  return {
    get frames() {
      return frames;
    },
    stop() {
      proto.receive = original;
      return maxMicros / 1000;
    },
  };
}

function captureErrorLogs(ts: TestServer): unknown[][] {
  const calls: unknown[][] = [];
  const logger = ts.server.logger as unknown as Record<'error' | 'fatal', (...args: unknown[]) => void>;
  logger.error = (...args: unknown[]) => void calls.push(args);
  logger.fatal = (...args: unknown[]) => void calls.push(args);
  return calls;
}

type Outcome = { open: true; denied: boolean } | { open: false; code: number };

/**
 * One hostile client: sends a frame, then an awareness "ping" for a clientID of its own, which the
 * server relays back to every member including the sender. The ping's echo proves the frame was
 * processed and the connection survived it; a close instead is the server's verdict on the frame.
 * Reconnects after every close, with a new ping clientID (from a range the generator never uses):
 * the honest official clients re-broadcast the removal of the old one, which may claim it.
 */
class Fuzzer {
  private conn: RawClient | null = null;
  private clock = 0;
  private pingId = RESERVED_CLIENT_ID_BASE;
  connections = 0;

  constructor(private readonly url: string) {}

  private async open(): Promise<RawClient> {
    const conn = await RawClient.open(this.url);
    conn.ws.on('error', () => {});
    this.connections++;
    this.pingId = RESERVED_CLIENT_ID_BASE + this.connections;
    // The first ping also proves the document is attached, so no frame lands in the pre-load queue.
    const first = await this.ping(conn);
    if (!first)
      throw new Error(
        `a fresh fuzz connection was closed before any frame: ${JSON.stringify(await conn.closed)}`,
      );
    return conn;
  }

  /** Resolves true on the ping's echo, false when the connection closed first. */
  private async ping(conn: RawClient): Promise<boolean> {
    const clock = ++this.clock;
    const id = this.pingId;
    const echo = conn
      .next((type, frame) => type === MESSAGE_TYPES.awareness && isPing(frame, id, clock))
      .then(() => true);
    conn.send(
      awarenessFrame(awarenessPayload([{ clientId: id, clock, state: JSON.stringify({ ping: clock }) }])),
    );
    return Promise.race([echo, conn.closed.then(() => false)]);
  }

  async send(frame: FuzzFrame): Promise<Outcome> {
    this.conn ??= await this.open();
    const conn = this.conn;
    const before = conn.messages.length;
    if (typeof frame.data === 'string') conn.ws.send(frame.data);
    else conn.ws.send(frame.data, { binary: !frame.text });
    if (await this.ping(conn)) {
      const denied = conn.messages.slice(before).some((m) => m[0] === MESSAGE_TYPES.auth);
      return { open: true, denied };
    }
    this.conn = null;
    return { open: false, code: (await conn.closed).code };
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    if (!conn) return;
    conn.close();
    await conn.closed;
  }
}

function isPing(frame: Uint8Array, id: number, clock: number): boolean {
  const outer = decoding.createDecoder(frame);
  decoding.readVarUint(outer);
  const d = decoding.createDecoder(decoding.readVarUint8Array(outer));
  const count = decoding.readVarUint(d);
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(d);
    const c = decoding.readVarUint(d);
    decoding.readVarString(d);
    if (clientId === id && c === clock) return true;
  }
  return false;
}

interface Violation {
  index: number;
  category: string;
  expected: string;
  got: string;
  frame: string;
}

function check(index: number, frame: FuzzFrame, outcome: Outcome): Violation | null {
  const got = outcome.open ? (outcome.denied ? 'open+denied' : 'open') : `closed ${outcome.code}`;
  let ok: boolean;
  if (!outcome.open && !HOSTILE_CLOSE_CODES.includes(outcome.code)) ok = false;
  else if (frame.expect === 'any') ok = true;
  else if (frame.expect === 'open') ok = outcome.open;
  else if (frame.expect === 'denied') ok = outcome.open && outcome.denied;
  else ok = !outcome.open && frame.expect.includes(outcome.code);
  if (ok) return null;
  return {
    index,
    category: frame.category,
    expected: JSON.stringify(frame.expect),
    got,
    frame: toHex(frame.data),
  };
}

/** Runs `count` frames through one fuzzer; returns the violations and a tally of outcomes. */
async function fuzz(
  fuzzer: Fuzzer,
  rng: Rng,
  options: GeneratorOptions,
  count: number,
  every?: { n: number; run: (i: number) => Promise<void> },
): Promise<{ violations: Violation[]; tally: Record<string, number> }> {
  const violations: Violation[] = [];
  const tally: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const frame = generateFrame(rng, options);
    const outcome = await fuzzer.send(frame);
    const key = `${frame.category} → ${outcome.open ? (outcome.denied ? 'denied' : 'open') : outcome.code}`;
    tally[key] = (tally[key] ?? 0) + 1;
    const v = check(i, frame, outcome);
    if (v) violations.push(v);
    if (every && (i + 1) % every.n === 0) await every.run(i);
  }
  await fuzzer.close();
  return { violations, tally };
}

/** Everything a thread document holds, comparable with toEqual. */
function contentOf(doc: Y.Doc) {
  return {
    stateVector: [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort((a, b) => a[0] - b[0]),
    meta: doc.getMap('meta').toJSON(),
    body: doc.getText('body').toDelta() as unknown,
    messages: doc.getArray('messages').toJSON(),
    attachments: doc.getMap('attachments').toJSON(),
  };
}

async function healthz(ts: TestServer): Promise<number> {
  const res = await api(ts.url, 'GET', '/healthz');
  return res.status;
}

describe('malformed frames from a read-only connection', () => {
  let errorLogs: unknown[][];

  // From the server's start, before any user or thread is made.
  it.beforeAll(({ ts }) => {
    errorLogs = captureErrorLogs(ts);
  });

  it(
    'survives thousands of hostile frames; honest clients stay connected and the document is unchanged',
    { timeout: SOAK ? 1_200_000 : 120_000 },
    async ({ ts, threadId, connect, owner: ownerSession, editor: editorSession, viewer: viewerSession }) => {
      reportSeedOnFailure();
      // The soak outlives an access token: connect as scripts do, with API tokens.
      const [owner, editor, viewer] = await Promise.all([
        withApiToken(ts.url, ownerSession),
        withApiToken(ts.url, editorSession),
        withApiToken(ts.url, viewerSession),
      ]);
      const docName = `thread:${threadId}`;
      const a = connect(owner, docName);
      const b = connect(editor, docName);
      await Promise.all([synced(a), synced(b)]);
      await until(a.doc, () => a.doc.getMap('meta').get('title') === 'Fuzzed');

      // What the document must hold at the end: its state now plus the honest clients' own edits.
      const expected = new Y.Doc();
      Y.applyUpdate(expected, Y.encodeStateAsUpdate(a.doc));
      for (const c of [a, b]) {
        c.doc.on('update', (update: Uint8Array, origin: unknown) => {
          if (origin !== c.provider) Y.applyUpdate(expected, update);
        });
      }
      const honestEdit = async (writer: TestClient, reader: TestClient, text: string) => {
        writer.doc.getText('body').insert(writer.doc.getText('body').length, text);
        await until(reader.doc, () => reader.doc.getText('body').toJSON().includes(text));
      };
      await honestEdit(a, b, 'Hello from A. ');
      await honestEdit(b, a, 'Hello from B. ');

      const rng = new Rng(SEED);
      const options: GeneratorOptions = {
        corpus: buildUpdateCorpus(rng, Y.encodeStateAsUpdate(a.doc)),
        limits: LIMITS,
        readOnly: true,
      };
      const fuzzer = new Fuzzer(`${ts.wsUrl}/${docName}?token=${viewer.accessToken}`);
      const heapBefore = process.memoryUsage().heapUsed;
      const stalls = monitorEventLoopDelay({ resolution: 10 });
      stalls.enable();
      const frameCpu = measureFrameCpu();
      // Honest clients keep editing while the fuzzing goes on.
      const { violations, tally } = await fuzz(fuzzer, rng, options, VIEWER_FRAMES, {
        n: 500,
        run: (i) => (i % 1000 === 499 ? honestEdit(b, a, `[B ${i}] `) : honestEdit(a, b, `[A ${i}] `)),
      });
      stalls.disable();
      const maxFrameCpuMs = frameCpu.stop();
      // Loop delay counts every moment this process was not scheduled (other test files share the
      // cores), so it is reported; what the server itself blocks for is the CPU time of its
      // longest synchronous task handling one frame.
      const maxStallMs = stalls.max / 1e6;
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      expect(frameCpu.frames).toBeGreaterThan(VIEWER_FRAMES);
      expect(
        maxFrameCpuMs,
        `handling one frame blocked the loop for ${maxFrameCpuMs.toFixed(1)} ms`,
      ).toBeLessThan(MAX_STALL_MS);
      expect(heapGrowth, `the heap grew by ${heapGrowth} bytes`).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
      recordFigure('malformed-viewer', {
        frames: VIEWER_FRAMES,
        connections: fuzzer.connections,
        categories: new Set(Object.keys(tally).map((k) => k.split(' → ')[0])).size,
        maxFrameHandlingCpuMs: Math.round(maxFrameCpuMs * 10) / 10,
        maxEventLoopDelayMs: Math.round(maxStallMs * 10) / 10,
        heapGrowthMiB: Math.round((heapGrowth / 2 ** 20) * 10) / 10,
        seed: SEED,
      });
      console.info(`seed ${SEED}: ${VIEWER_FRAMES} frames over ${fuzzer.connections} connections`, tally);
      expect(violations.slice(0, 10), `seed ${SEED}: ${violations.length} frames answered wrongly`).toEqual(
        [],
      );
      // The run exercised every category and both verdicts.
      const categories = new Set(Object.keys(tally).map((k) => k.split(' → ')[0]));
      expect(categories.size).toBe(21);
      expect(Object.keys(tally).some((k) => k.endsWith('→ denied'))).toBe(true);
      expect(fuzzer.connections).toBeGreaterThan(1000);

      // A legitimate edit at the end still reaches the client that was connected all along.
      await honestEdit(a, b, 'Final edit from A.');
      const bClient = b.doc.getText('body').toJSON();
      await until(
        a.doc,
        () => Y.getState(a.doc.store, b.doc.clientID) === Y.getState(b.doc.store, b.doc.clientID),
      );
      expect(a.closes).toEqual([]);
      expect(b.closes).toEqual([]);
      expect(a.denied).toEqual([]);
      expect(b.denied).toEqual([]);
      expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true);

      // The server is up, logged no error, and holds exactly what the honest clients wrote.
      expect(await healthz(ts)).toBe(200);
      expect(errorLogs).toEqual([]);
      const fresh = connect(editor, docName);
      await synced(fresh);
      expect(contentOf(fresh.doc)).toEqual(contentOf(expected));
      expect(contentOf(a.doc)).toEqual(contentOf(expected));
      expect(contentOf(b.doc)).toEqual(contentOf(expected));
      expect(bClient).toContain('Final edit from A.');
    },
  );
});

describe('malformed and mutated updates from a writer, on its own document', () => {
  let ts: TestServer;
  let errorLogs: unknown[][];
  let owner: TestUser;
  let fuzzWriter: TestUser;
  let threadId: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ts = await startTestServer({ limits: LIMITS });
    errorLogs = captureErrorLogs(ts);
    owner = await signup(ts.url, 'owner');
    fuzzWriter = await signup(ts.url, 'fuzz-writer');
    await addMember(ts.url, owner, owner.workspaceId, fuzzWriter, 'editor');
    threadId = await createThread(ts.url, owner, owner.workspaceId, 'Writer-fuzzed');
    [owner, fuzzWriter] = await Promise.all([withApiToken(ts.url, owner), withApiToken(ts.url, fuzzWriter)]);
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await ts?.stop();
  });

  it(
    'stays up, keeps an honest client connected, and stores exactly what it accepted',
    { timeout: SOAK ? 1_200_000 : 120_000 },
    async () => {
      reportSeedOnFailure();
      const docName = `thread:${threadId}`;
      const honest = connectClient(ts.wsUrl, docName, owner.accessToken);
      clients.push(honest);
      await synced(honest);
      await until(honest.doc, () => honest.doc.getMap('meta').get('title') === 'Writer-fuzzed');
      honest.doc.getText('body').insert(0, 'Honest text. ');

      const rng = new Rng(SEED ^ 0x5eed);
      const options: GeneratorOptions = {
        corpus: buildUpdateCorpus(rng, Y.encodeStateAsUpdate(honest.doc)),
        limits: LIMITS,
        readOnly: false,
      };
      const fuzzer = new Fuzzer(`${ts.wsUrl}/${docName}?token=${fuzzWriter.accessToken}`);
      const { violations, tally } = await fuzz(fuzzer, rng, options, WRITER_FRAMES);
      recordFigure('malformed-writer', {
        frames: WRITER_FRAMES,
        connections: fuzzer.connections,
        seed: SEED,
      });
      console.info(
        `seed ${SEED}: ${WRITER_FRAMES} writer frames over ${fuzzer.connections} connections`,
        tally,
      );
      expect(violations.slice(0, 10), `seed ${SEED}: ${violations.length} frames answered wrongly`).toEqual(
        [],
      );

      // The honest client is still connected and still gets edits.
      honest.doc.getText('body').insert(0, 'After the fuzz. ');
      expect(honest.closes).toEqual([]);
      expect(await healthz(ts)).toBe(200);
      expect(errorLogs).toEqual([]);

      // What the server holds in memory, what a new client gets, and what a restarted server loads
      // from storage are one and the same document.
      const fresh = connectClient(ts.wsUrl, docName, owner.accessToken);
      clients.push(fresh);
      await synced(fresh);
      await until(fresh.doc, () => fresh.doc.getText('body').toJSON().includes('After the fuzz. '));
      const inMemory = await ts.server.hub.read(
        docName as never,
        { kind: 'thread', id: threadId as never },
        (d) => Y.encodeStateAsUpdate(d),
      );
      const memoryDoc = new Y.Doc();
      Y.applyUpdate(memoryDoc, inMemory);
      expect(contentOf(fresh.doc)).toEqual(contentOf(memoryDoc));
      await until(honest.doc, () => Y.equalSnapshots(Y.snapshot(honest.doc), Y.snapshot(memoryDoc)));

      for (const c of clients.splice(0)) c.destroy();
      const dataDir = ts.dataDir;
      await ts.stop({ keepData: true });
      ts = await startTestServer({ dataDir, limits: LIMITS });
      errorLogs = captureErrorLogs(ts);
      const reloaded = new Y.Doc();
      const after = await RawClient.open(`${ts.wsUrl}/${docName}?token=${owner.accessToken}`);
      await after.syncInto(reloaded);
      after.close();
      expect(contentOf(reloaded)).toEqual(contentOf(memoryDoc));
      expect(errorLogs).toEqual([]);
    },
  );
});

/**
 * Well-formed but hostile content: JSON nested deeper than `JSON.stringify` can recurse. Yjs
 * decodes embeds and format attributes with `JSON.parse` (iterative in V8) but encodes them with
 * `JSON.stringify` (recursive), so such an update is accepted and committed, and the server fails
 * later, whenever it encodes the document (a client's sync, compaction, loading). Run against a
 * real server process, so that a crash shows as an exit instead of taking the test runner down.
 */
describe('deeply nested JSON in a thread body (hostile, well-formed)', () => {
  let server: ProcessServer | null = null;

  afterEach(async () => {
    await server?.dispose();
    server = null;
  });

  /** An update inserting, on top of `base`, an embed (or a format attribute) holding `depth` nested arrays. */
  function deepJsonUpdate(base: Uint8Array, depth: number, kind: 'embed' | 'format'): Uint8Array {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, base);
    const sv = Y.encodeStateVector(doc);
    const placeholder = { k: 'Z'.repeat(2 * depth - 8) }; // serialises to exactly 2 * depth bytes
    const body = doc.getText('body');
    if (kind === 'embed') body.insertEmbed(0, placeholder);
    else body.insert(0, 'deep', { link: placeholder });
    const update = Buffer.from(Y.encodeStateAsUpdate(doc, sv));
    const at = update.indexOf(Buffer.from(JSON.stringify(placeholder)));
    if (at < 0) throw new Error('placeholder not found in the update');
    // Same length, so every length prefix in the update stays right.
    Buffer.from('['.repeat(depth) + ']'.repeat(depth)).copy(update, at);
    return new Uint8Array(update);
  }

  it.each(['embed', 'format'] as const)(
    'a writer embedding 20,000 nested arrays (%s) neither crashes the server nor makes the document unloadable',
    { timeout: 30_000 },
    async (kind) => {
      const ps = await ProcessServer.start();
      server = ps;
      onTestFailed(() => {
        console.error(
          `server stderr:\n${ps.stderr}\nerror logs:\n${ps.errorLogs.map((l) => JSON.stringify(l)).join('\n')}`,
        );
      });
      const owner = await signup(ps.url, 'owner');
      const editor = await signup(ps.url, 'editor');
      await addMember(ps.url, owner, owner.workspaceId, editor, 'editor');
      const threadId = await createThread(ps.url, owner, owner.workspaceId, 'Deep');
      const docUrl = (user: TestUser) => `${ps.wsUrl}/thread:${threadId}?token=${user.accessToken}`;

      const writer = await RawClient.open(`${docUrl(editor)}&acks=1`);
      writer.ws.on('error', () => {});
      const base = new Y.Doc();
      await writer.syncInto(base);
      const verdict = Promise.race([
        writer.next((t) => t === MESSAGE_TYPES.durableAck).then(() => 'accepted'),
        writer.next((t) => t === MESSAGE_TYPES.auth).then(() => 'refused'),
        writer.closed.then(({ code }) => `closed ${code}`),
      ]);
      writer.sendUpdate(deepJsonUpdate(Y.encodeStateAsUpdate(base), 20_000, kind));
      // Refusing it is fine; accepting it is fine too, as long as the server can serve it.
      expect(['accepted', 'refused', 'closed 4400', 'closed 4413']).toContain(await verdict);

      // A client joining now gets the document, and the server is still running.
      const reader = await RawClient.open(docUrl(owner));
      reader.ws.on('error', () => {});
      const joined = await Promise.race([
        reader.syncInto(new Y.Doc()).then(() => 'synced'),
        reader.closed.then(({ code }) => `closed ${code}`),
      ]);
      expect({ joined, running: ps.running, stderr: ps.stderr.slice(0, 800) }).toEqual({
        joined: 'synced',
        running: true,
        stderr: '',
      });
      expect(await api(ps.url, 'GET', '/healthz').then((r) => r.status)).toBe(200);

      // And after a restart the document still loads.
      await ps.restart();
      const again = await RawClient.open(docUrl(owner));
      again.ws.on('error', () => {});
      const reloaded = await Promise.race([
        again.syncInto(new Y.Doc()).then(() => 'synced'),
        again.closed.then(({ code }) => `closed ${code}`),
      ]);
      expect(reloaded).toBe('synced');
      expect(ps.errorLogs.map((l) => l.msg)).toEqual([]);
      again.close();
    },
  );
});

/**
 * Awareness ownership (DESIGN §3: "a connection may only set the states of the clientIDs it
 * owns"). The official client re-broadcasts every awareness change it learns, removals included,
 * so when a connection closes, the other clients echo the removal of its clientIDs back to the
 * server. That echo must not make them the owners of those clientIDs, or the client cannot take
 * its own clientID back when it reconnects.
 */
describe('awareness after a reconnect', () => {
  it('lets a reader reclaim its awareness clientID after another client echoed its removal', async ({
    ts,
    connect,
  }) => {
    const owner = await signup(ts.url, 'owner');
    const viewer = await signupMember(ts.url, owner, 'viewer', 'viewer');
    const threadId = await createThread(ts.url, owner, owner.workspaceId, 'Presence');
    const viewerUrl = `${ts.wsUrl}/thread:${threadId}?token=${viewer.accessToken}`;
    const CLIENT = 777_001;

    // An official client stays connected throughout.
    const other = connect(owner, `thread:${threadId}`);
    await synced(other);
    const otherKnows = (present: boolean) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (other.provider.awareness.getStates().has(CLIENT) !== present) return;
          other.provider.awareness.off('change', check);
          resolve();
        };
        other.provider.awareness.on('change', check);
        check();
      });

    // The viewer (a reader that never writes) announces its presence, then loses its connection.
    const first = await RawClient.open(viewerUrl);
    await first.syncInto(new Y.Doc());
    const seen = otherKnows(true);
    first.sendAwareness(awarenessPayload([{ clientId: CLIENT, clock: 1, state: '{"cursor":1}' }]));
    await seen;
    const gone = otherKnows(false);
    first.close();
    await gone; // the official client has now echoed the removal to the server

    // It reconnects with the same clientID. Once a later edit of the official client reaches it,
    // the server has also processed the echo, which was sent before that edit.
    const second = await RawClient.open(viewerUrl);
    await second.syncInto(new Y.Doc());
    const edit = second.next((t, f) => t === MESSAGE_TYPES.sync && f[1] === 2);
    other.doc.getText('body').insert(0, 'later');
    await edit;

    // Its old clock is the one its removal was announced with: the server answers with that
    // removal (peers would ignore the state), and the client announces past it, as y-protocols does.
    const removal = second.next(
      (t, f) => t === MESSAGE_TYPES.awareness && decodeAwarenessStates(f).get(CLIENT) === null,
    );
    second.sendAwareness(awarenessPayload([{ clientId: CLIENT, clock: 2, state: '{"cursor":2}' }]));
    await removal;
    second.sendAwareness(awarenessPayload([{ clientId: CLIENT, clock: 3, state: '{"cursor":2}' }]));
    const answer = second.next(
      (t, f) => t === MESSAGE_TYPES.awareness && decodeAwarenessStates(f).has(other.doc.clientID),
    );
    second.send(Uint8Array.of(MESSAGE_TYPES.queryAwareness));
    const states = decodeAwarenessStates(await answer);
    expect(states.get(CLIENT)).toMatchObject({ cursor: 2 });
    second.close();
  });
});
