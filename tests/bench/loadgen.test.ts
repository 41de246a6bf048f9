/**
 * The load generator measures what it claims: its hand-built updates are the bytes Yjs emits, its
 * markers are found however a server merges updates, and a tiny fan-out run through the bare
 * relay delivers every update to every receiver, once, with sane latencies. Performance itself is
 * measured by `npm run bench`, never here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { runFanout } from './fanout.js';
import { startRelay, type ServerHandle } from './servers.js';
import { TEXT_ROOT, appendUpdate, marker, scanMarkers, type Mark } from './wire.js';

describe('hand-built updates', () => {
  it('are byte-identical to what Y.Text#insert at the end emits', () => {
    const doc = new Y.Doc();
    doc.clientID = 3_141_592_653;
    const emitted: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => emitted.push(u));
    const text = doc.getText(TEXT_ROOT);
    const built: Uint8Array[] = [];
    let clock = 0;
    for (const piece of ['x', marker(7, 0, 0, 123_456), 'é', marker(7, 0, 1, 9_999_999_999), 'ab']) {
      text.insert(text.length, piece);
      built.push(appendUpdate(doc.clientID, clock, piece));
      clock += piece.length;
    }
    expect(built).toEqual(emitted);
  });
});

describe('markers', () => {
  const updates = Array.from({ length: 5 }, (_, seq) => marker(3, 1, seq, 1_000 + seq));
  const texts = updates.map((m, i) => appendUpdate(42, updates.slice(0, i).join('').length, m));
  const found = (bytes: Uint8Array): Mark[] => {
    const marks: Mark[] = [];
    scanMarkers(Buffer.from(bytes), (m) => marks.push(m));
    return marks;
  };
  const expected = updates.map((_, seq) => ({ run: 3, writer: 1, seq, sentMicros: 1_000 + seq }));

  it('are found in every update of a merged message', () => {
    expect(found(Y.mergeUpdates(texts))).toEqual(expected);
  });

  it('are found in an encoded document state', () => {
    const doc = new Y.Doc();
    for (const u of texts) Y.applyUpdate(doc, u);
    expect(found(Y.encodeStateAsUpdate(doc))).toEqual(expected);
  });

  it('ignore malformed marker-like bytes', () => {
    expect(found(Buffer.from('⟦1.2⟧ ⟦a.b.c.D⟧ ⟦1.2.3.4⟧'))).toEqual([
      { run: 1, writer: 2, seq: 3, sentMicros: 4 },
    ]);
  });
});

describe('a tiny fan-out through the bare relay', () => {
  let relay: ServerHandle;
  beforeAll(async () => {
    relay = await startRelay();
  });
  afterAll(async () => {
    await relay?.stop();
  });

  it('delivers every update to every receiver once, with non-negative latencies', async () => {
    const result = await runFanout(relay, {
      doc: 'smoke',
      receivers: 3,
      ratePerSecond: 1_000,
      warmupUpdates: 5,
      measuredUpdates: 20,
      drainMs: 5_000,
    });
    expect(result.sent).toBe(20);
    expect(result.expected).toBe(60);
    expect(result.delivered).toBe(60);
    expect(result.missing).toBe(0);
    expect(result.duplicates).toBe(0);
    expect(result.closedReceivers).toBe(0);
    expect(result.latencyMs.min).toBeGreaterThanOrEqual(0);
    expect(result.latencyMs.p50).toBeLessThanOrEqual(result.latencyMs.p99);
    expect(result.latencyMs.p99).toBeLessThanOrEqual(result.latencyMs.max);
    expect(result.cpuMicrosPerDelivery).toBeGreaterThanOrEqual(0);
  });
});
