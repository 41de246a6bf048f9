import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { parseDocName, type DocName, type DocRef } from '@caucus/schema';
import type { StoredDoc } from '../storage/doc-store.js';
import { Room } from './room.js';

const ref = parseDocName('thread:lazy') as DocRef;
const name = 'thread:lazy' as DocName;
const limits = { maxDocBytes: 1 << 20, maxFieldChars: 1000 };
const EMPTY_SV = new Uint8Array([0]);
const EMPTY_UPDATE = new Uint8Array([0, 0]);

function typed(text: string, clientID = 1): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  doc.getText('body').insert(0, text);
  return doc;
}

function stored(parts: { snapshot?: Uint8Array; updates?: Uint8Array[] }): StoredDoc {
  const updates = parts.updates ?? [];
  return {
    snapshot: parts.snapshot ?? null,
    snapshotSeq: parts.snapshot ? 10 : 0,
    updates,
    lastSeq: (parts.snapshot ? 10 : 0) + updates.length,
    clients: new Map([[1, 'alice']]),
  };
}

describe('Room built on demand', () => {
  it('serves a new client and its state vector from the stored snapshot without building a Y.Doc', () => {
    const source = typed('stored text');
    const snapshot = Y.encodeStateAsUpdate(source);
    const room = new Room(name, ref, stored({ snapshot }));
    expect(room.missingFor(EMPTY_SV)).toBe(snapshot);
    expect(room.stateVector()).toEqual(Y.encodeStateVector(source));
    expect(room.applyClientUpdate(EMPTY_UPDATE, 'bob', limits)).toEqual({ kind: 'noop' });
    expect(room.snapshot()).toEqual({
      doc: name,
      state: snapshot,
      stateVector: Y.encodeStateVector(source),
      upTo: 10,
    });
    expect(room.built).toBe(false);
  });

  it('builds the document (and its shadow) for the first write, and for a client that has part of it', () => {
    const source = typed('abc');
    const room = new Room(name, ref, stored({ updates: [Y.encodeStateAsUpdate(source)] }));
    const partial = Y.encodeStateVector(source);
    const diff = room.missingFor(partial);
    expect(room.built).toBe(true);
    expect(Y.decodeUpdate(diff).structs).toHaveLength(0);

    const other = new Room(name, ref, stored({ updates: [Y.encodeStateAsUpdate(source)] }));
    const before = Y.encodeStateVector(source);
    source.getText('body').insert(3, 'd');
    const result = other.applyClientUpdate(Y.encodeStateAsUpdate(source, before), 'alice', limits);
    expect(result).toMatchObject({ kind: 'accepted', seq: 2 });
    expect(other.built).toBe(true);
    expect(other.doc.getText('body').toJSON()).toBe('abcd');
  });

  it('still checks the content rules of the first write', () => {
    const room = new Room(name, ref, stored({ updates: [Y.encodeStateAsUpdate(typed('abc'))] }));
    const bad = new Y.Doc();
    bad.getMap('attachments').set('x', 'forged');
    const result = room.applyClientUpdate(Y.encodeStateAsUpdate(bad), 'bob', limits);
    expect(result).toMatchObject({ kind: 'refused', refusal: { code: 'server-only' } });
    expect(room.doc.getMap('attachments').size).toBe(0);
  });

  it('merges a short stored log into one state, and builds a long one at once', () => {
    const doc = typed('x');
    const updates: Uint8Array[] = [Y.encodeStateAsUpdate(doc)];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 40; i++) doc.getText('body').insert(0, String(i % 10));
    const short = new Room(name, ref, stored({ updates: updates.slice(0, 5) }));
    expect(short.built).toBe(false);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, short.missingFor(EMPTY_SV));
    expect(replica.getText('body').toJSON()).toBe('3210x');
    const long = new Room(name, ref, stored({ updates }));
    expect(long.built).toBe(true);
    expect(long.doc.getText('body').toJSON()).toBe(doc.getText('body').toJSON());
  });
});
