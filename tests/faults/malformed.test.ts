/**
 * Hostile input (DESIGN §3): thousands of random, truncated and corrupt frames — bad varints,
 * unknown message types, corrupt and mutated updates, huge declared lengths, text frames,
 * oversized frames. The server stays up, closes each offending connection with a clear code,
 * other clients are unaffected and the document is unchanged.
 *
 * Seeded: set CAUCUS_FUZZ_SEED to replay a run; the seed is printed when a test fails.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { MESSAGE_TYPES } from '@caucus/schema';
import { addMember, api, createThread, signup, startTestServer, type TestServer, type TestUser } from '../support/server.js';
import { connectClient, synced, until, type TestClient } from '../support/providers.js';
import { RawClient } from '../support/raw-client.js';
import {
  HOSTILE_CLOSE_CODES,
  Rng,
  awarenessFrame,
  awarenessPayload,
  buildUpdateCorpus,
  generateFrame,
  toHex,
  type FuzzFrame,
  type FuzzLimits,
  type GeneratorOptions,
} from '../support/fuzz-frames.js';

const SEED = process.env.CAUCUS_FUZZ_SEED ? Number(process.env.CAUCUS_FUZZ_SEED) : randomInt(2 ** 31);
const VIEWER_FRAMES = 5000;
const WRITER_FRAMES = 2000;

const LIMITS: FuzzLimits & { messagesPerSecond: number; maxConnectionsPerUser: number } = {
  maxFrameBytes: 16 * 1024,
  maxUpdateBytes: 4 * 1024,
  messagesPerSecond: 1_000_000,
  maxConnectionsPerUser: 10_000,
};

/** The awareness clientID the fuzzing connection pings itself with; the generator never uses it. */
const PING_ID = 4_242_424_242;

function reportSeedOnFailure(): void {
  onTestFailed(() => {
    console.error(`malformed-frame fuzz seed: ${SEED} (replay with CAUCUS_FUZZ_SEED=${SEED})`);
  });
}

/** Error-level log calls of an in-process server (its logger is silent, so they are captured here). */
function captureErrorLogs(ts: TestServer): unknown[][] {
  const calls: unknown[][] = [];
  const logger = ts.server.logger as unknown as Record<'error' | 'fatal', (...args: unknown[]) => void>;
  logger.error = (...args: unknown[]) => void calls.push(args);
  logger.fatal = (...args: unknown[]) => void calls.push(args);
  return calls;
}

type Outcome = { open: true; denied: boolean } | { open: false; code: number };

/**
 * One hostile client: sends a frame, then an awareness "ping" for its own clientID, which the
 * server relays back to every member including the sender. The ping's echo proves the frame was
 * processed and the connection survived it; a close instead is the server's verdict on the frame.
 * Reconnects after every close.
 */
class Fuzzer {
  private conn: RawClient | null = null;
  private clock = 0;
  connections = 0;

  constructor(private readonly url: string) {}

  private async open(): Promise<RawClient> {
    const conn = await RawClient.open(this.url);
    conn.ws.on('error', () => {});
    this.connections++;
    // The first ping also proves the document is attached, so no frame lands in the pre-load queue.
    const first = await this.ping(conn);
    if (!first) throw new Error(`a fresh fuzz connection was closed before any frame: ${JSON.stringify(await conn.closed)}`);
    return conn;
  }

  /** Resolves true on the ping's echo, false when the connection closed first. */
  private async ping(conn: RawClient): Promise<boolean> {
    const clock = ++this.clock;
    const echo = conn.next((type, frame) => type === MESSAGE_TYPES.awareness && isPing(frame, clock)).then(() => true);
    conn.send(awarenessFrame(awarenessPayload([{ clientId: PING_ID, clock, state: JSON.stringify({ ping: clock }) }])));
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

function isPing(frame: Uint8Array, clock: number): boolean {
  const outer = decoding.createDecoder(frame);
  decoding.readVarUint(outer);
  const d = decoding.createDecoder(decoding.readVarUint8Array(outer));
  const count = decoding.readVarUint(d);
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(d);
    const c = decoding.readVarUint(d);
    decoding.readVarString(d);
    if (clientId === PING_ID && c === clock) return true;
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
  return { index, category: frame.category, expected: JSON.stringify(frame.expect), got, frame: toHex(frame.data) };
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
  let ts: TestServer;
  let errorLogs: unknown[][];
  let owner: TestUser;
  let editor: TestUser;
  let viewer: TestUser;
  let threadId: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    ts = await startTestServer({ limits: LIMITS });
    errorLogs = captureErrorLogs(ts);
    owner = await signup(ts.url, 'owner');
    editor = await signup(ts.url, 'editor');
    viewer = await signup(ts.url, 'viewer');
    await addMember(ts.url, owner, owner.workspaceId, editor, 'editor');
    await addMember(ts.url, owner, owner.workspaceId, viewer, 'viewer');
    threadId = await createThread(ts.url, owner, owner.workspaceId, 'Fuzzed');
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await ts?.stop();
  });

  it('survives thousands of hostile frames; honest clients stay connected and the document is unchanged', { timeout: 60_000 }, async () => {
    reportSeedOnFailure();
    const docName = `thread:${threadId}`;
    const a = connectClient(ts.wsUrl, docName, owner.accessToken);
    const b = connectClient(ts.wsUrl, docName, editor.accessToken);
    clients.push(a, b);
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
      await until(reader.doc, () => reader.doc.getText('body').toString().includes(text));
    };
    await honestEdit(a, b, 'Hello from A. ');
    await honestEdit(b, a, 'Hello from B. ');

    const rng = new Rng(SEED);
    const options: GeneratorOptions = {
      corpus: buildUpdateCorpus(rng, Y.encodeStateAsUpdate(a.doc)),
      limits: LIMITS,
      reservedClientIds: new Set([PING_ID]),
      readOnly: true,
    };
    const fuzzer = new Fuzzer(`${ts.wsUrl}/${docName}?token=${viewer.accessToken}`);
    // Honest clients keep editing while the fuzzing goes on.
    const { violations, tally } = await fuzz(fuzzer, rng, options, VIEWER_FRAMES, {
      n: 500,
      run: (i) => (i % 1000 === 499 ? honestEdit(b, a, `[B ${i}] `) : honestEdit(a, b, `[A ${i}] `)),
    });
    console.info(`seed ${SEED}: ${VIEWER_FRAMES} frames over ${fuzzer.connections} connections`, tally);
    expect(violations.slice(0, 10), `seed ${SEED}: ${violations.length} frames answered wrongly`).toEqual([]);
    // The run exercised every category and both verdicts.
    const categories = new Set(Object.keys(tally).map((k) => k.split(' → ')[0]));
    expect(categories.size).toBeGreaterThanOrEqual(18);
    expect(Object.keys(tally).some((k) => k.endsWith('→ denied'))).toBe(true);
    expect(fuzzer.connections).toBeGreaterThan(1000);

    // A legitimate edit at the end still reaches the client that was connected all along.
    await honestEdit(a, b, 'Final edit from A.');
    const bClient = b.doc.getText('body').toString();
    await until(a.doc, () => Y.getState(a.doc.store, b.doc.clientID) === Y.getState(b.doc.store, b.doc.clientID));
    expect(a.closes).toEqual([]);
    expect(b.closes).toEqual([]);
    expect(a.denied).toEqual([]);
    expect(b.denied).toEqual([]);
    expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true);

    // The server is up, logged no error, and holds exactly what the honest clients wrote.
    expect(await healthz(ts)).toBe(200);
    expect(errorLogs).toEqual([]);
    const fresh = connectClient(ts.wsUrl, docName, editor.accessToken);
    clients.push(fresh);
    await synced(fresh);
    expect(contentOf(fresh.doc)).toEqual(contentOf(expected));
    expect(contentOf(a.doc)).toEqual(contentOf(expected));
    expect(contentOf(b.doc)).toEqual(contentOf(expected));
    expect(bClient).toContain('Final edit from A.');
  });
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
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await ts?.stop();
  });

  it('stays up, keeps an honest client connected, and stores exactly what it accepted', { timeout: 60_000 }, async () => {
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
      reservedClientIds: new Set([PING_ID]),
      readOnly: false,
    };
    const fuzzer = new Fuzzer(`${ts.wsUrl}/${docName}?token=${fuzzWriter.accessToken}`);
    const { violations, tally } = await fuzz(fuzzer, rng, options, WRITER_FRAMES);
    console.info(`seed ${SEED}: ${WRITER_FRAMES} writer frames over ${fuzzer.connections} connections`, tally);
    expect(violations.slice(0, 10), `seed ${SEED}: ${violations.length} frames answered wrongly`).toEqual([]);

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
    await until(fresh.doc, () => fresh.doc.getText('body').toString().includes('After the fuzz. '));
    const inMemory = await ts.server.hub.read(docName as never, { kind: 'thread', id: threadId as never }, (d) => Y.encodeStateAsUpdate(d));
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
  });
});
