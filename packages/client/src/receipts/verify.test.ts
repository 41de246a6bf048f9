/**
 * The offline verifier against receipts signed here with node:crypto (an implementation other than
 * the one that checks them): a good one checks; any change to it, or a key it does not name,
 * fails with the reason that says what happened.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  fromBase64url,
  receiptSigningBytes,
  toBase64url,
  type Receipt,
  type ReceiptKey,
  type ReceiptPayload,
} from '@caucus/schema';
import { mergeReceiptKeys, parseReceiptKeys, thumbprintOf } from './keys.js';
import { verifyReceipt, verifyReceipts } from './verify.js';

function makeKey(createdAt = 1): { key: ReceiptKey; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x ?? '';
  return {
    key: { kid: thumbprintOf(x), alg: 'Ed25519', publicKey: x, createdAt, retiredAt: null },
    privateKey,
  };
}

function payloadFor(kid: string): ReceiptPayload {
  return {
    format: 'caucus.receipt.v1',
    kid,
    kind: 'verdict',
    intentId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' as ReceiptPayload['intentId'],
    actor: 'user-1' as ReceiptPayload['actor'],
    type: 'decision.resolve',
    workspaceId: 'ws-1' as ReceiptPayload['workspaceId'],
    args: { decisionId: 'd-1', outcome: 'Lunch at noon — ünïcödé 😀' },
    verdict: { status: 'accepted', result: { decisionId: 'd-1', status: 'resolved', version: 3 } },
    checkpoint: null,
    policyVersion: 1,
    at: 1_900_000_000_123,
    audit: { seq: 42, hash: 'ab'.repeat(32) },
  };
}

function signed(privateKey: KeyObject, payload: ReceiptPayload): Receipt {
  return { payload, signature: sign(null, receiptSigningBytes(payload), privateKey).toString('base64url') };
}

/** The receipt as it travels: JSON text, parsed again. */
const wire = (r: unknown) => JSON.parse(JSON.stringify(r)) as Receipt;

const server = makeKey();
const good = wire(signed(server.privateKey, payloadFor(server.key.kid)));
const keys = [server.key];

describe('verifyReceipt', () => {
  it('checks a good receipt offline, whatever order its members arrive in', () => {
    expect(verifyReceipt(good, keys)).toMatchObject({ ok: true, key: server.key });
    const reordered = {
      signature: good.signature,
      payload: Object.fromEntries(Object.entries(good.payload).reverse()),
    };
    expect(verifyReceipt(reordered, keys).ok).toBe(true);
  });

  it('fails bad-signature when any bit of the signature changes', () => {
    const bytes = fromBase64url(good.signature) ?? new Uint8Array();
    for (let i = 0; i < bytes.length; i++) {
      const flipped = Uint8Array.from(bytes);
      flipped[i] = (flipped[i] ?? 0) ^ (1 << (i % 8));
      const check = verifyReceipt({ ...good, signature: toBase64url(flipped) }, keys);
      expect(check).toMatchObject({ ok: false, reason: 'bad-signature', intentId: good.payload.intentId });
    }
  });

  it('fails bad-signature when a payload field changes', () => {
    const changes: Array<Partial<Record<keyof ReceiptPayload, unknown>>> = [
      { actor: 'user-2' },
      { type: 'decision.defer' },
      { intentId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c' },
      { workspaceId: null },
      { args: { decisionId: 'd-1', outcome: 'Lunch at one' } },
      { verdict: { status: 'rejected', code: 'forbidden', reason: 'no', remedy: 'ask' } },
      { verdict: { status: 'accepted', result: { decisionId: 'd-1', status: 'resolved', version: 4 } } },
      { policyVersion: 2 },
      { at: good.payload.at + 1 },
      { audit: { seq: 41, hash: good.payload.audit.hash } },
      { audit: { seq: 42, hash: 'ac' + 'ab'.repeat(31) } },
    ];
    for (const change of changes) {
      const check = verifyReceipt({ ...good, payload: { ...good.payload, ...change } }, keys);
      expect(check, JSON.stringify(change)).toMatchObject({ ok: false, reason: 'bad-signature' });
    }
  });

  it('fails unknown-key for another server’s receipt, a changed kid or a key listed under a false id', () => {
    const foreign = makeKey();
    const theirs = wire(signed(foreign.privateKey, payloadFor(foreign.key.kid)));
    expect(verifyReceipt(theirs, keys)).toMatchObject({ ok: false, reason: 'unknown-key' });
    expect(verifyReceipt(theirs, [...keys, foreign.key]).ok).toBe(true);
    const relabelled = { ...good, payload: { ...good.payload, kid: foreign.key.kid } };
    expect(verifyReceipt(relabelled, keys)).toMatchObject({ reason: 'unknown-key' });
    // Named after another trusted key, it is checked with that key, and fails.
    expect(verifyReceipt(relabelled, [...keys, foreign.key])).toMatchObject({ reason: 'bad-signature' });
    // Their public key passed off under our key's id is not our key.
    const impostor = { ...foreign.key, kid: server.key.kid };
    expect(verifyReceipt(good, [impostor])).toMatchObject({ reason: 'unknown-key' });
    // Their signature over our receipt's payload (with our kid) does not check with our key.
    const forged = { payload: good.payload, signature: signed(foreign.privateKey, good.payload).signature };
    expect(verifyReceipt(forged, keys)).toMatchObject({ reason: 'bad-signature' });
  });

  it('fails malformed for what is not a receipt of this format', () => {
    const { audit: _audit, ...missing } = good.payload;
    const malformed: unknown[] = [
      null,
      'receipt',
      {},
      { payload: missing, signature: good.signature },
      { ...good, payload: { ...good.payload, extra: 1 } },
      { ...good, payload: { ...good.payload, format: 'caucus.receipt.v2' } },
      { ...good, payload: { ...good.payload, kind: 'outcome' } },
      { ...good, signature: good.signature.slice(0, -2) },
      { ...good, signature: `${good.signature}==` },
      { ...good, extra: true },
    ];
    for (const bad of malformed)
      expect(verifyReceipt(bad, keys)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('verifyReceipts and keys', () => {
  it('reports each receipt of a set, by default against the set’s own keys', () => {
    const foreign = makeKey();
    const theirs = wire(signed(foreign.privateKey, payloadFor(foreign.key.kid)));
    const tampered = { ...good, payload: { ...good.payload, actor: 'mallory' } };
    const report = verifyReceipts({ keys, receipts: [good, tampered, theirs, 'junk'] });
    expect(report).toMatchObject({ ok: false, valid: 1, failed: 3 });
    expect(report.results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'ok',
      'bad-signature',
      'unknown-key',
      'malformed',
    ]);
    expect(verifyReceipts([good, good], keys)).toMatchObject({ ok: true, valid: 2, failed: 0 });
    // Keys given explicitly are the ones trusted, not the set's.
    expect(verifyReceipts({ keys: [foreign.key], receipts: [good] }, keys).ok).toBe(true);
    expect(verifyReceipts({ keys, receipts: [good] }, [foreign.key]).ok).toBe(false);
  });

  it('parses key lists, dropping keys whose id is not their thumbprint; merging keeps every key', () => {
    const other = makeKey(5);
    expect(parseReceiptKeys({ keys: [server.key, { ...other.key, kid: server.key.kid }, 'x'] })).toEqual([
      server.key,
    ]);
    expect(parseReceiptKeys([other.key])).toEqual([other.key]);
    expect(() => parseReceiptKeys({ nope: [] })).toThrow(expect.objectContaining({ code: 'malformed-keys' }));
    const retired = { ...server.key, retiredAt: 9 };
    expect(mergeReceiptKeys([server.key], [retired, other.key])).toEqual([retired, other.key]);
    expect(mergeReceiptKeys([retired], [server.key])).toEqual([retired]);
  });
});
