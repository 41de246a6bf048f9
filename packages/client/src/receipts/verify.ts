/**
 * Checks verdict receipts offline, against public keys the caller already holds (cached from
 * `GET /api/receipts/keys`, or from an exported set). Synchronous and environment-free: Ed25519 and
 * SHA-512 come from @noble/ed25519 and @noble/hashes (audited, no dependencies), not from Web
 * Crypto, whose Ed25519 reached Chromium only in 2025, is marked experimental in Node 20 and is
 * missing altogether outside secure contexts (docs/RECEIPTS.md).
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import {
  fromBase64url,
  parseReceipt,
  receiptSigningBytes,
  type Receipt,
  type ReceiptKey,
  type ReceiptSet,
} from '@caucus/schema';
import { thumbprintOf } from './keys.js';

// @noble/ed25519's synchronous API takes its SHA-512 from here; the same function whoever sets it.
ed.hashes.sha512 ??= sha512;

/**
 * Why a receipt does not check:
 * - `malformed`: not a receipt of a format this code knows (a field missing, extra or of the wrong
 *   type, a signature that is not 64 bytes of base64url);
 * - `unknown-key`: signed by a key that is not among the trusted ones — another server's, or a
 *   forged one;
 * - `bad-signature`: the signature does not match the payload: it was changed after signing.
 */
export const RECEIPT_FAILURES = ['malformed', 'unknown-key', 'bad-signature'] as const;
export type ReceiptFailure = (typeof RECEIPT_FAILURES)[number];

export type ReceiptCheck =
  | { ok: true; receipt: Receipt; key: ReceiptKey }
  | {
      ok: false;
      reason: ReceiptFailure;
      /** For people: what is wrong. */
      message: string;
      /** The intent the receipt claims to answer, when that much can be read. */
      intentId: string | null;
    };

function claimedIntentId(receipt: unknown): string | null {
  const payload = (receipt as { payload?: { intentId?: unknown } } | null)?.payload;
  return typeof payload?.intentId === 'string' ? payload.intentId : null;
}

function fail(reason: ReceiptFailure, message: string, receipt: unknown): ReceiptCheck {
  return { ok: false, reason, message, intentId: claimedIntentId(receipt) };
}

/** Checks one receipt (any JSON value) against `keys`. Never throws. */
export function verifyReceipt(receipt: unknown, keys: readonly ReceiptKey[]): ReceiptCheck {
  const parsed = parseReceipt(receipt);
  if (!parsed.ok) return fail('malformed', `not a receipt: ${parsed.message}`, receipt);
  const { kid } = parsed.receipt.payload;
  const key = keys.find((k) => k.kid === kid);
  const publicKey = key ? fromBase64url(key.publicKey) : null;
  // A key listed under an id that is not its own thumbprint is not that key.
  if (!key || !publicKey || thumbprintOf(key.publicKey) !== kid) {
    return fail('unknown-key', `signed by key ${kid}, which is not one of the trusted keys`, receipt);
  }
  const signature = fromBase64url(parsed.receipt.signature);
  if (!signature) return fail('malformed', 'the signature is not base64url', receipt);
  let valid = false;
  try {
    // The signed bytes are those of the payload as received (not as parsed): nothing is dropped.
    const bytes = receiptSigningBytes((receipt as { payload: unknown }).payload);
    // Strict RFC 8032 / FIPS 186-5 checks: no non-canonical encodings, no small-order keys.
    valid = ed.verify(signature, bytes, publicKey, { zip215: false });
  } catch {
    valid = false;
  }
  if (!valid) {
    return fail(
      'bad-signature',
      'the signature does not match the content: it was changed after signing',
      receipt,
    );
  }
  return { ok: true, receipt: parsed.receipt, key };
}

export interface ReceiptsReport {
  /** True when no receipt failed. */
  ok: boolean;
  valid: number;
  failed: number;
  /** One per receipt, in order. */
  results: ReceiptCheck[];
}

/**
 * Checks a list of receipts, or an exported set `{ keys?, receipts }`, against `keys` (by default
 * the set's own keys — which proves only that the set is consistent: pass keys you trust, cached
 * from the server, to prove where the receipts come from).
 */
export function verifyReceipts(
  set: readonly unknown[] | ReceiptSet,
  keys?: readonly ReceiptKey[],
): ReceiptsReport {
  const receipts = Array.isArray(set) ? set : (set as ReceiptSet).receipts;
  const trusted = keys ?? (Array.isArray(set) ? [] : ((set as ReceiptSet).keys ?? []));
  const results = receipts.map((r: unknown) => verifyReceipt(r, trusted));
  const valid = results.filter((r) => r.ok).length;
  return { ok: valid === results.length, valid, failed: results.length - valid, results };
}
