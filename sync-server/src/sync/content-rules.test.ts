import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Refusal } from '@caucus/schema';
import {
  MAX_VALUE_DEPTH,
  checkThreadTransaction,
  defineThreadRoots,
  nestsDeeperThan,
  type RuleContext,
} from './content-rules.js';

const ALICE = 'user-alice';
const BOB = 'user-bob';
const MAX_FIELD_CHARS = 20;

/**
 * The server's side, as room.ts runs it: a shadow document with the thread's roots, checking each
 * client transaction in `beforeObserverCalls`. Each writer is a client document bound to a user.
 */
class Thread {
  readonly shadow = new Y.Doc();
  private readonly owners = new Map<number, string>();
  private refusal: Refusal | null = null;
  private actor = '';

  constructor() {
    defineThreadRoots(this.shadow);
    this.shadow.on('beforeObserverCalls', (tr: Y.Transaction) => {
      if (tr.origin !== 'client') return;
      const ctx: RuleContext = { actor: this.actor, owners: this.owners, maxFieldChars: MAX_FIELD_CHARS };
      this.refusal ??= checkThreadTransaction(this.shadow, tr, ctx);
    });
  }

  writer(user: string): Y.Doc {
    const doc = new Y.Doc();
    this.owners.set(doc.clientID, user);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(this.shadow));
    return doc;
  }

  /** What the rules say of `change` made by `user` on `doc`: null when accepted. */
  check(user: string, doc: Y.Doc, change: (doc: Y.Doc) => void): Refusal['code'] | null {
    const before = Y.encodeStateVector(doc);
    change(doc);
    this.actor = user;
    this.refusal = null;
    Y.applyUpdate(this.shadow, Y.encodeStateAsUpdate(doc, before), 'client');
    // Set by the shadow's handler during applyUpdate, which TypeScript cannot see.
    return (this.refusal as Refusal | null)?.code ?? null;
  }
}

function message(fields: Record<string, unknown>): Y.Map<unknown> {
  const m = new Y.Map<unknown>();
  for (const [k, v] of Object.entries(fields)) m.set(k, v);
  return m;
}

describe('thread content rules', () => {
  it('accept text in the body and the title and intent in meta', () => {
    const thread = new Thread();
    const alice = thread.writer(ALICE);
    expect(thread.check(ALICE, alice, (d) => d.getText('body').insert(0, 'hello'))).toBeNull();
    expect(thread.check(ALICE, alice, (d) => d.getMap('meta').set('title', 'Plan'))).toBeNull();
    expect(thread.check(ALICE, alice, (d) => d.getMap('meta').set('intent', 'Decide'))).toBeNull();
  });

  it('refuse other meta keys, non-string values and oversized fields', () => {
    const thread = new Thread();
    const alice = thread.writer(ALICE);
    expect(thread.check(ALICE, alice, (d) => d.getMap('meta').set('status', 'archived'))).toBe(
      'invalid-shape',
    );
    expect(thread.check(ALICE, thread.writer(ALICE), (d) => d.getMap('meta').set('title', 42))).toBe(
      'invalid-shape',
    );
    const long = 'x'.repeat(MAX_FIELD_CHARS + 1);
    expect(thread.check(ALICE, thread.writer(ALICE), (d) => d.getMap('meta').set('title', long))).toBe(
      'field-too-large',
    );
  });

  it('refuse unknown roots and writes to the server-only attachments', () => {
    const thread = new Thread();
    expect(thread.check(ALICE, thread.writer(ALICE), (d) => d.getMap('extra').set('k', 'v'))).toBe(
      'invalid-shape',
    );
    const fresh = new Thread();
    expect(fresh.check(ALICE, fresh.writer(ALICE), (d) => d.getMap('attachments').set('f', 'forged'))).toBe(
      'server-only',
    );
  });

  it('accept a message by its author and refuse one claiming another author', () => {
    const thread = new Thread();
    const alice = thread.writer(ALICE);
    const push = (author: string) => (d: Y.Doc) =>
      d.getArray('messages').push([message({ id: 'm', author, text: 'hi', at: 1 })]);
    expect(thread.check(ALICE, alice, push(ALICE))).toBeNull();
    expect(thread.check(ALICE, thread.writer(ALICE), push(BOB))).toBe('author-mismatch');
  });

  it('refuse a message that is not a map, and oversized message fields', () => {
    const thread = new Thread();
    expect(thread.check(ALICE, thread.writer(ALICE), (d) => d.getArray('messages').push(['text']))).toBe(
      'invalid-shape',
    );
    const fresh = new Thread();
    const long = 'x'.repeat(MAX_FIELD_CHARS + 1);
    expect(
      fresh.check(ALICE, fresh.writer(ALICE), (d) =>
        d.getArray('messages').push([message({ id: 'm', author: ALICE, text: long, at: 1 })]),
      ),
    ).toBe('field-too-large');
  });

  it("let only a message's author change or delete it", () => {
    const thread = new Thread();
    const alice = thread.writer(ALICE);
    thread.check(ALICE, alice, (d) =>
      d.getArray('messages').push([message({ id: 'm', author: ALICE, text: 'hi', at: 1 })]),
    );
    const bob = thread.writer(BOB);
    const first = (d: Y.Doc) => d.getArray<Y.Map<unknown>>('messages').get(0);
    expect(thread.check(BOB, bob, (d) => first(d).set('text', 'edited by bob'))).toBe('not-message-author');
    expect(thread.check(BOB, thread.writer(BOB), (d) => d.getArray('messages').delete(0))).toBe(
      'not-message-author',
    );
    expect(thread.check(ALICE, alice, (d) => first(d).set('text', 'edited'))).toBeNull();
    expect(thread.check(ALICE, alice, (d) => d.getArray('messages').delete(0))).toBeNull();
  });

  it('refuse values nested too deep and subdocuments', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i <= MAX_VALUE_DEPTH; i++) deep = [deep];
    const thread = new Thread();
    expect(
      thread.check(ALICE, thread.writer(ALICE), (d) =>
        d.getArray('messages').push([message({ id: 'm', author: ALICE, text: 'x', at: 1, extra: deep })]),
      ),
    ).toBe('invalid-shape');
    const fresh = new Thread();
    expect(
      fresh.check(ALICE, fresh.writer(ALICE), (d) =>
        d.getArray('messages').push([message({ id: 'm', author: ALICE, sub: new Y.Doc() })]),
      ),
    ).toBe('invalid-shape');
  });
});

describe('nestsDeeperThan', () => {
  it('measures arrays and objects, iteratively', () => {
    expect(nestsDeeperThan('flat', 0)).toBe(false);
    expect(nestsDeeperThan([1, [2]], 1)).toBe(true);
    expect(nestsDeeperThan({ a: { b: 1 } }, 2)).toBe(false);
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nestsDeeperThan(deep, MAX_VALUE_DEPTH)).toBe(true);
  });
});
