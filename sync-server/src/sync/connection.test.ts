import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CLOSE_CODES } from '@caucus/schema';
import { encodeSyncUpdate } from './codec.js';
import { TestSocketPair, testHub } from './test-kit.js';

describe('a connection, in memory', () => {
  it('syncs both ways and relays one client’s edit to the other, acknowledging it durably', async () => {
    const { hub, scheduler } = testHub();
    const alice = new TestSocketPair(hub, scheduler, { userId: 'alice' }).handshake();
    const bob = new TestSocketPair(hub, scheduler, { userId: 'bob' }).handshake();
    await alice.flush();
    await bob.flush();
    alice.doc.getText('body').insert(0, 'hello');
    await alice.flush();
    await bob.flush();
    expect(bob.doc.getText('body').toJSON()).toBe('hello');
    expect(await alice.storedBody()).toBe('hello');
    expect(alice.acks.at(-1)?.get(alice.doc.clientID)).toBe(5);
    // A late joiner gets everything in its handshake.
    const carol = new TestSocketPair(hub, scheduler, { userId: 'carol' }).handshake();
    await carol.flush();
    expect(carol.doc.getText('body').toJSON()).toBe('hello');
  });

  it('refuses a read-only connection’s edit in words and stores nothing', async () => {
    const { hub, scheduler } = testHub();
    const viewer = new TestSocketPair(hub, scheduler, { userId: 'v', access: 'read' }).handshake();
    await viewer.flush();
    viewer.doc.getText('body').insert(0, 'not allowed');
    await viewer.flush();
    expect(viewer.refusals.map((r) => r.code)).toEqual(['read-only']);
    expect(viewer.closed).toBeNull();
    expect(await viewer.storedBody()).toBe('');
  });

  it('asks for missing dependencies; a client that answers gets its update in', async () => {
    const { hub, scheduler } = testHub();
    const pair = new TestSocketPair(hub, scheduler, { userId: 'alice' }).handshake();
    await pair.flush();
    // An edit the server never got, then one that depends on it, sent alone.
    const offline = new Y.Doc();
    offline.clientID = pair.doc.clientID;
    offline.getText('body').insert(0, 'first ');
    const before = Y.encodeStateVector(offline);
    offline.getText('body').insert(6, 'second');
    Y.applyUpdate(pair.doc, Y.encodeStateAsUpdate(offline), 'test');
    pair.toServer.splice(0);
    pair.toServer.push(encodeSyncUpdate(Y.encodeStateAsUpdate(offline, before)));
    const stepOnes = pair.stepOnes.length;
    await pair.flush();
    expect(pair.stepOnes.length).toBe(stepOnes + 1);
    expect(pair.refusals).toEqual([]);
    expect(await pair.storedBody()).toBe('first second');
  });

  it('refuses an update whose dependencies never come, after asking three times', async () => {
    const { hub, scheduler } = testHub();
    const pair = new TestSocketPair(hub, scheduler, { userId: 'alice' }).handshake();
    await pair.flush();
    pair.answersStepOne = false;
    const offline = new Y.Doc();
    offline.getText('body').insert(0, 'lost ');
    const before = Y.encodeStateVector(offline);
    offline.getText('body').insert(5, 'dependent');
    const orphan = encodeSyncUpdate(Y.encodeStateAsUpdate(offline, before));
    const stepOnes = pair.stepOnes.length;
    for (let i = 0; i < 4; i++) pair.toServer.push(orphan);
    await pair.flush();
    expect(pair.stepOnes.length - stepOnes).toBe(3);
    expect(pair.refusals.map((r) => r.code)).toEqual(['missing-dependencies']);
    expect(pair.closed).toBeNull();
  });

  it('closes on a frame over the limit, a text frame and a flood, with their codes', async () => {
    const { hub, scheduler } = testHub({ limits: { maxFrameBytes: 64, messagesPerSecond: 5 } });
    const big = new TestSocketPair(hub, scheduler, { userId: 'a' }).handshake();
    await big.flush();
    big.conn.receive(new Uint8Array(65));
    expect(big.closed?.code).toBe(CLOSE_CODES.frameTooLarge);

    const text = new TestSocketPair(hub, scheduler, { userId: 'b' }).handshake();
    await text.flush();
    text.conn.receiveText();
    expect(text.closed).toEqual({ code: CLOSE_CODES.malformed, reason: 'text-frame' });

    const flood = new TestSocketPair(hub, scheduler, { userId: 'c' }).handshake();
    await flood.flush();
    // The bucket holds two seconds' worth: the eleventh message in one instant is one too many.
    for (let i = 0; i < 11 && !flood.closed; i++) flood.conn.receive(new Uint8Array([3]));
    expect(flood.closed).toEqual({ code: CLOSE_CODES.rateLimited, reason: 'rate-limited' });
  });

  it('holds at most maxPreAuthBytes before its document is loaded', async () => {
    const { hub, scheduler } = testHub({ limits: { maxPreAuthBytes: 100 } });
    const pair = new TestSocketPair(hub, scheduler, { userId: 'a' });
    // The document loads asynchronously: these arrive before it is there.
    pair.conn.receive(new Uint8Array(60).fill(3));
    pair.conn.receive(new Uint8Array(60).fill(3));
    expect(pair.closed).toEqual({ code: CLOSE_CODES.tooLarge, reason: 'too-much-before-ready' });
    await pair.flush();
  });

  it('closes with 4401 when its token has expired, and follows access changes', async () => {
    const { hub, scheduler } = testHub();
    const expired = new TestSocketPair(hub, scheduler, { userId: 'a', expiresAt: Date.now() - 1 });
    await expired.flush();
    expect(expired.closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: 'token-expired' });

    // A token that expires later closes the connection at that moment, on the hub's scheduler.
    const later = new TestSocketPair(hub, scheduler, { userId: 'c', expiresAt: Date.now() + 60_000 });
    await later.flush();
    scheduler.advance(50_000);
    expect(later.closed).toBeNull();
    scheduler.advance(15_000);
    expect(later.closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: 'token-expired' });

    const member = new TestSocketPair(hub, scheduler, { userId: 'b' }).handshake();
    await member.flush();
    member.conn.setAccess('read');
    expect(member.accessChanges).toEqual(['read']);
    member.conn.setAccess('none');
    expect(member.closed).toEqual({ code: CLOSE_CODES.forbidden, reason: 'access-revoked' });
  });
});
