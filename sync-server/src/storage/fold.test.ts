import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { threadDoc, type ThreadId } from '@caucus/schema';
import {
  loadConcurrentTrace,
  loadSequentialTrace,
  replayTrace,
  type Replay,
  type SequentialTrace,
} from '../../../tests/support/traces.js';
import { openDb } from './db.js';
import type { AppendEntry, DocStore, StoredDoc } from './doc-store.js';
import { buildDoc, foldToSnapshot } from './fold.js';
import { SqliteDocStore } from './sqlite-doc-store.js';

const DOC = threadDoc('svelte' as ThreadId);
const CLIENT_ID = 4242;
const APPEND_BATCH_SIZE = 500;

/** Applies trace patches to a plain string: the reference the Yjs replay must agree with. */
function applyToString(trace: SequentialTrace, txnCount: number): string {
  let text = trace.startContent;
  for (const { patches } of trace.txns.slice(0, txnCount)) {
    for (const [position, deleteCount, insertText] of patches) {
      text = text.slice(0, position) + insertText + text.slice(position + deleteCount);
    }
  }
  return text;
}

function fromLog(updates: Uint8Array[]): StoredDoc {
  return { snapshot: null, snapshotSeq: 0, updates, lastSeq: updates.length, clients: new Map() };
}

/**
 * Byte equality of the full encoded state is the strongest check there is, and it holds: Yjs
 * writes clients, structs and the delete set in a canonical order, and for this trace the
 * structs merge into the same runs whether the history arrives as one transaction per edit, as
 * one transaction over the whole log, or as a snapshot plus a tail. Text and state vector are
 * compared too, so that a failure says what differs.
 */
function expectSameDoc(actual: Y.Doc, expected: Y.Doc): void {
  expect(actual.getText('body').toJSON()).toBe(expected.getText('body').toJSON());
  expect(Array.from(Y.encodeStateVector(actual))).toEqual(Array.from(Y.encodeStateVector(expected)));
  expect(Buffer.compare(Y.encodeStateAsUpdate(actual), Y.encodeStateAsUpdate(expected))).toBe(0);
}

function appendEntries(updates: readonly Uint8Array[]): AppendEntry[] {
  return updates.map((update, index) => ({
    doc: DOC,
    seq: index + 1,
    update,
    actor: 'user-1',
    at: 1_700_000_000_000 + index,
    ...(index === 0 ? { newClients: [[CLIENT_ID, 'user-1']] as const } : {}),
  }));
}

async function appendInBatches(store: DocStore, entries: readonly AppendEntry[]): Promise<void> {
  for (let start = 0; start < entries.length; start += APPEND_BATCH_SIZE) {
    await store.append(entries.slice(start, start + APPEND_BATCH_SIZE));
  }
}

describe('replayTrace', () => {
  it('replays sveltecomponent to its endContent, one update per transaction', () => {
    const trace = loadSequentialTrace('sveltecomponent.json.gz');
    const { doc, updates } = replayTrace(trace);
    expect(doc.getText('body').toJSON()).toBe(trace.endContent);
    expect(updates).toHaveLength(trace.txns.length);
  });

  it('stops after `limit` transactions', () => {
    const trace = loadSequentialTrace('sveltecomponent.json.gz');
    const txnCount = 2_000;
    const { doc, updates } = replayTrace(trace, { limit: txnCount });
    expect(updates).toHaveLength(txnCount);
    expect(doc.getText('body').toJSON()).toBe(applyToString(trace, txnCount));
    expect(doc.getText('body').toJSON()).not.toBe(trace.endContent);
  });

  it('parses the concurrent trace', () => {
    const trace = loadConcurrentTrace('clownschool.json.gz');
    expect(trace.kind).toBe('concurrent');
    expect(trace.numAgents).toBe(3);
    expect(trace.txns).toHaveLength(23_136);
    expect(
      trace.txns.every((txn, index) => txn.agent < trace.numAgents && txn.parents.every((p) => p < index)),
    ).toBe(true);
  });
});

describe('compaction and restart keep documents byte-for-byte equivalent', () => {
  let trace: SequentialTrace;
  let replay: Replay;
  let dir: string | undefined;
  let store: DocStore | undefined;

  beforeAll(() => {
    trace = loadSequentialTrace('sveltecomponent.json.gz');
    replay = replayTrace(trace, { clientId: CLIENT_ID });
  });

  afterEach(async () => {
    await store?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    store = dir = undefined;
  });

  function openStore(): DocStore {
    dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'caucus-'));
    return new SqliteDocStore(openDb({ path: path.join(dir, 'caucus.db') }));
  }

  it('rebuilds the same document from the log, from snapshot + tail, and after reopening', async () => {
    const { updates } = replay;
    const total = updates.length;
    const midSeq = Math.floor(total / 2);
    store = openStore();
    await appendInBatches(store, appendEntries(updates));

    const direct = buildDoc(fromLog(updates));
    expectSameDoc(direct, replay.doc);
    expect(direct.getText('body').toJSON()).toBe(trace.endContent);

    const logOnly = await store.load(DOC);
    expect(logOnly.updates).toHaveLength(total);
    const docA = buildDoc(logOnly);
    expectSameDoc(docA, replay.doc);

    // Mid-way compaction, folded the way the server does: from what the store returned.
    const halfway = buildDoc(fromLog(logOnly.updates.slice(0, midSeq)));
    await store.writeSnapshot(foldToSnapshot(halfway, DOC, midSeq));
    const afterMid = await store.load(DOC);
    expect(afterMid.snapshotSeq).toBe(midSeq);
    expect(afterMid.updates).toHaveLength(total - midSeq);
    expectSameDoc(buildDoc(afterMid), replay.doc);

    await store.writeSnapshot(foldToSnapshot(buildDoc(afterMid), DOC, total));
    await store.close();

    store = openStore();
    const reopened = await store.load(DOC);
    expect(reopened.snapshotSeq).toBe(total);
    expect(reopened.updates).toEqual([]);
    expect(reopened.lastSeq).toBe(total);
    expect([...reopened.clients]).toEqual([[CLIENT_ID, 'user-1']]);
    const docB = buildDoc(reopened);
    expectSameDoc(docB, docA);
    expectSameDoc(docB, direct);
    expect(docB.getText('body').toJSON()).toBe(trace.endContent);
  });

  it('after a snapshot at K, loads exactly the updates K+1..N, byte for byte', async () => {
    const { updates } = replay;
    const snapshotSeq = 7_001;
    store = openStore();
    await appendInBatches(store, appendEntries(updates));
    await store.writeSnapshot(
      foldToSnapshot(buildDoc(fromLog(updates.slice(0, snapshotSeq))), DOC, snapshotSeq),
    );

    const loaded = await store.load(DOC);
    expect(loaded.snapshotSeq).toBe(snapshotSeq);
    expect(loaded.lastSeq).toBe(updates.length);
    expect(loaded.updates).toHaveLength(updates.length - snapshotSeq);
    const mismatched = loaded.updates.findIndex(
      (update, i) => Buffer.compare(update, updates[snapshotSeq + i]!) !== 0,
    );
    expect(mismatched).toBe(-1);
  });

  it('applies the stored history in one transaction', () => {
    const doc = new Y.Doc();
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);
    buildDoc(fromLog(replay.updates), doc);
    expect(transactions).toBe(1);
    expect(doc.getText('body').toJSON()).toBe(trace.endContent);
  });
});
