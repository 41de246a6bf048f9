/**
 * Hostile multiplexed frames (`caucus.mux.v1`): a viewer's socket sends thousands of seeded junk,
 * truncated, oversized and mis-addressed mux frames, and well-formed `doc` frames carrying every
 * hostile y-websocket message. The socket is closed only with a clear code; a document message
 * that breaks a per-document rule closes that subscription alone (`closed`); the server stays up,
 * logs no error, the honest clients (the official client and an honest mux client) stay connected
 * and the document holds exactly what they wrote.
 *
 * Seeded: set CAUCUS_FUZZ_SEED to replay a run; the seed is printed when the test fails.
 */
import { describe, expect, onTestFailed } from 'vitest';
import * as Y from 'yjs';
import { MESSAGE_TYPES, SYNC_STEPS, decodeMuxClient, type MuxServerMessage } from '@caucus/schema';
import { buildUpdateCorpus } from '../support/fuzz-corpus.js';
import { HOSTILE_CLOSE_CODES, toHex } from '../support/fuzz-frames.js';
import {
  MUX_CATEGORY_COUNT,
  MUX_HOSTILE_CLOSE_CODES,
  generateMuxFrame,
  type MuxFuzzFrame,
  type MuxGeneratorOptions,
} from '../support/fuzz-mux-frames.js';
import { MuxClient } from '../support/mux-client.js';
import { Rng, fuzzSeed } from '../support/prng.js';
import { it } from '../support/e2e.js';
import { synced, until } from '../support/providers.js';
import { addMember, api, createThread, signup, withApiToken } from '../support/server.js';

const SEED = fuzzSeed();
const FRAMES = process.env.CAUCUS_SOAK === '1' ? 40_000 : 4_000;
const LIMITS = {
  maxFrameBytes: 16 * 1024,
  maxUpdateBytes: 4 * 1024,
  messagesPerSecond: 1_000_000,
  muxMessagesPerSecond: 1_000_000,
  maxConnectionsPerUser: 10_000,
};
/** Ping ids of the fuzzer's own liveness checks: above every id a fuzzed ping uses. */
const PING_BASE = 1e12;

type Outcome = { open: true; closedWith: number | null; denied: boolean } | { open: false; code: number };

const isStep2 = (m: MuxServerMessage, doc: string) =>
  m.type === 'doc' &&
  m.doc === doc &&
  m.message[0] === MESSAGE_TYPES.sync &&
  m.message[1] === SYNC_STEPS.step2;

/** One hostile socket: sends a frame, then a ping; the pong proves the socket survived the frame. */
class MuxFuzzer {
  private client: MuxClient | null = null;
  private subscribed = false;
  private pingId = PING_BASE;
  connections = 0;

  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly doc: string,
  ) {}

  private async ready(): Promise<MuxClient> {
    if (!this.client) {
      this.client = await MuxClient.open(this.base, this.token);
      this.client.ws.on('error', () => undefined);
      this.connections++;
      this.subscribed = false;
    }
    const client = this.client;
    if (!this.subscribed) {
      // Wait for the answer to the state vector: the document is attached, no frame is buffered.
      const answered = client.next((m) => isStep2(m, this.doc));
      client.send({
        type: 'subscribe',
        docs: [{ doc: this.doc, acks: false, stateVector: Uint8Array.of(0) }],
      });
      const closed = client.closed.then(() => null);
      if ((await Promise.race([answered, closed])) === null)
        throw new Error('a fresh fuzz socket closed at once');
      this.subscribed = true;
    }
    return client;
  }

  async send(frame: MuxFuzzFrame): Promise<Outcome> {
    const client = await this.ready();
    const from = client.frames.length;
    if (typeof frame.data === 'string') client.ws.send(frame.data);
    else client.ws.send(frame.data, { binary: !frame.text });
    const id = ++this.pingId;
    const pong = client.next((m) => m.type === 'pong' && m.id === id).then(() => true);
    client.send({ type: 'ping', id });
    // A token is checked asynchronously, so the pong may overtake the verdict on an `auth` frame
    // (every fuzzed token is junk): wait for the close instead.
    const survived = isAuth(frame) ? false : await Promise.race([pong, client.closed.then(() => false)]);
    if (!survived) {
      this.client = null;
      return { open: false, code: (await client.closed).code };
    }
    const since = client.frames.slice(from);
    const closed = since.find((m) => m.type === 'closed' && m.doc === this.doc);
    if (closed) this.subscribed = false;
    const denied = since.some(
      (m) => m.type === 'doc' && m.doc === this.doc && m.message[0] === MESSAGE_TYPES.auth,
    );
    return { open: true, closedWith: closed?.type === 'closed' ? closed.code : null, denied };
  }

  close(): void {
    this.client?.destroy();
    this.client = null;
  }
}

function isAuth(frame: MuxFuzzFrame): boolean {
  if (typeof frame.data === 'string' || frame.text) return false;
  try {
    return decodeMuxClient(frame.data).type === 'auth';
  } catch {
    return false;
  }
}

/** Null when the outcome is what the frame deserves, else why not. */
function judge(frame: MuxFuzzFrame, outcome: Outcome): string | null {
  if (!outcome.open) {
    const allowed =
      frame.expect === 'any' ? MUX_HOSTILE_CLOSE_CODES : frame.expect === 'open' ? [] : frame.expect;
    return allowed.includes(outcome.code) ? null : `socket closed ${outcome.code}`;
  }
  if (Array.isArray(frame.expect)) return 'socket stayed open';
  const inner = frame.inner;
  if (inner === undefined || inner === 'any') {
    return outcome.closedWith === null || HOSTILE_CLOSE_CODES.includes(outcome.closedWith)
      ? null
      : `document closed ${outcome.closedWith}`;
  }
  if (inner === 'open') return outcome.closedWith === null ? null : `document closed ${outcome.closedWith}`;
  if (inner === 'denied') return outcome.denied && outcome.closedWith === null ? null : 'no PermissionDenied';
  return outcome.closedWith !== null && inner.includes(outcome.closedWith)
    ? null
    : `document not closed with ${inner.join('/')}`;
}

it.override('serverOptions', { limits: LIMITS });

describe('hostile multiplexed frames', () => {
  it(
    'close only with clear codes, one document at a time, and change nothing',
    { timeout: 300_000 },
    async ({ ts, connect }) => {
      onTestFailed(() => console.error(`mux fuzz seed: ${SEED} (replay with CAUCUS_FUZZ_SEED=${SEED})`));
      const errors: unknown[][] = [];
      const logger = ts.server.logger as unknown as Record<'error' | 'fatal', (...args: unknown[]) => void>;
      logger.error = (...args: unknown[]) => void errors.push(args);
      logger.fatal = (...args: unknown[]) => void errors.push(args);

      let owner = await signup(ts.url, 'mux-owner');
      let editor = await signup(ts.url, 'mux-editor');
      let viewer = await signup(ts.url, 'mux-viewer');
      await addMember(ts.url, owner, owner.workspaceId, editor, 'editor');
      await addMember(ts.url, owner, owner.workspaceId, viewer, 'viewer');
      const doc = `thread:${await createThread(ts.url, owner, owner.workspaceId, 'Mux-fuzzed')}`;
      // The soak outlives an access token: connect as scripts do, with API tokens.
      [owner, editor, viewer] = await Promise.all([
        withApiToken(ts.url, owner),
        withApiToken(ts.url, editor),
        withApiToken(ts.url, viewer),
      ]);

      const official = connect(owner, doc);
      await synced(official);
      await until(official.doc, () => official.doc.getMap('meta').get('title') === 'Mux-fuzzed');
      const honest = await MuxClient.open(ts.wsUrl, editor.accessToken);
      const [mine] = honest.subscribe([doc]);
      if (!mine) throw new Error('no subscription');
      await mine.synced;
      const edit = async (writer: Y.Doc, reader: Y.Doc, text: string) => {
        writer.getText('body').insert(writer.getText('body').length, text);
        await until(reader, () => reader.getText('body').toJSON().includes(text));
      };

      const rng = new Rng(SEED);
      const options: MuxGeneratorOptions = {
        doc,
        maxFrameBytes: LIMITS.maxFrameBytes,
        inner: {
          corpus: buildUpdateCorpus(rng, Y.encodeStateAsUpdate(official.doc)),
          limits: LIMITS,
          readOnly: true,
        },
      };
      const fuzzer = new MuxFuzzer(ts.wsUrl, viewer.accessToken, doc);
      const tally: Record<string, number> = {};
      const violations: string[] = [];
      for (let i = 0; i < FRAMES; i++) {
        const frame = generateMuxFrame(rng, options);
        const outcome = await fuzzer.send(frame);
        const verdict = outcome.open
          ? outcome.closedWith
            ? `closed ${outcome.closedWith}`
            : outcome.denied
              ? 'denied'
              : 'open'
          : outcome.code;
        const key = `${frame.category.startsWith('doc:') ? 'doc:*' : frame.category} → ${verdict}`;
        tally[key] = (tally[key] ?? 0) + 1;
        const wrong = judge(frame, outcome);
        if (wrong) violations.push(`#${i} ${frame.category}: ${wrong} (${toHex(frame.data)})`);
        if (i % 500 === 499) {
          await edit(official.doc, mine.doc, `[O ${i}] `);
          await edit(mine.doc, official.doc, `[M ${i}] `);
        }
      }
      fuzzer.close();
      console.info(`mux seed ${SEED}: ${FRAMES} frames over ${fuzzer.connections} sockets`, tally);
      expect(violations.slice(0, 10), `seed ${SEED}: ${violations.length} frames answered wrongly`).toEqual(
        [],
      );
      const categories = new Set(Object.keys(tally).map((k) => k.split(' → ')[0]));
      expect(categories.size).toBe(MUX_CATEGORY_COUNT);
      expect(Object.keys(tally).some((k) => k.startsWith('doc:* → closed'))).toBe(true);
      expect(Object.keys(tally).some((k) => k.startsWith('doc:* → denied'))).toBe(true);

      // Honest clients were never disturbed, and the document holds exactly what they wrote.
      await edit(official.doc, mine.doc, 'Final.');
      expect(official.closes).toEqual([]);
      expect(official.denied).toEqual([]);
      expect(mine.denied).toEqual([]);
      expect(honest.frames.filter((f) => f.type === 'closed')).toEqual([]);
      expect(honest.ws.readyState).toBe(honest.ws.OPEN);
      expect((await api(ts.url, 'GET', '/healthz')).status).toBe(200);
      expect(errors).toEqual([]);
      const fresh = connect(editor, doc);
      await synced(fresh);
      await until(
        fresh.doc,
        () => fresh.doc.getText('body').toJSON() === official.doc.getText('body').toJSON(),
      );
      expect(fresh.doc.getText('body').toJSON()).toBe(mine.doc.getText('body').toJSON());
      expect(fresh.doc.getMap('meta').toJSON()).toEqual({ title: 'Mux-fuzzed' });
      expect(fresh.doc.getArray('messages').length).toBe(0);
      honest.destroy();
    },
  );
});
