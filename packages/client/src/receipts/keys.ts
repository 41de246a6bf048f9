/**
 * The server's receipt keys on the client: parsed at the edge, fetched once while online, cached by
 * the caller (they are public), and merged so that a key once seen is never forgotten — receipts
 * it signed stay checkable after the server rotated.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { jwkThumbprintInput, receiptKeySchema, toBase64url, type ReceiptKey } from '@caucus/schema';

/** The error of a key list that cannot be used; `code` says why. */
export class ReceiptKeysError extends Error {
  override name = 'ReceiptKeysError';
  constructor(
    readonly code: 'malformed-keys' | 'keys-unavailable',
    message: string,
  ) {
    super(message);
  }
}

/** A key's id as it must be: the RFC 7638 thumbprint of its public key. */
export function thumbprintOf(publicKey: string): string {
  return toBase64url(sha256(new TextEncoder().encode(jwkThumbprintInput(publicKey))));
}

/**
 * The keys of a key list: `{ keys: [...] }` (as `GET /api/receipts/keys` answers) or a bare array.
 * Entries that are not keys, or whose id is not their public key's thumbprint, are dropped (a key
 * cannot be passed off under another key's id); a list that is neither shape is an error.
 */
export function parseReceiptKeys(json: unknown): ReceiptKey[] {
  const list: unknown = Array.isArray(json)
    ? json
    : typeof json === 'object' && json !== null
      ? (json as { keys?: unknown }).keys
      : undefined;
  if (!Array.isArray(list)) {
    throw new ReceiptKeysError(
      'malformed-keys',
      'not a receipt key list: expected { keys: [...] } or an array',
    );
  }
  const keys: ReceiptKey[] = [];
  for (const entry of list) {
    const parsed = receiptKeySchema.safeParse(entry);
    if (parsed.success && thumbprintOf(parsed.data.publicKey) === parsed.data.kid) keys.push(parsed.data);
  }
  return keys;
}

/** Every key of both lists, once each; a key retired in either list is retired (ids name public keys). */
export function mergeReceiptKeys(
  cached: readonly ReceiptKey[],
  fetched: readonly ReceiptKey[],
): ReceiptKey[] {
  const byKid = new Map<string, ReceiptKey>();
  for (const key of [...cached, ...fetched]) {
    const known = byKid.get(key.kid);
    byKid.set(key.kid, known ? { ...known, retiredAt: key.retiredAt ?? known.retiredAt } : key);
  }
  return [...byKid.values()];
}

export interface FetchKeysOptions {
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
}

/** The server's public keys (`GET <url>/api/receipts/keys`, no token needed). */
export async function fetchReceiptKeys(url: string, options: FetchKeysOptions = {}): Promise<ReceiptKey[]> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const endpoint = `${url.replace(/\/+$/, '')}/api/receipts/keys`;
  let res: Response;
  try {
    res = await doFetch(endpoint, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    throw new ReceiptKeysError(
      'keys-unavailable',
      `cannot reach ${endpoint}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!res.ok) throw new ReceiptKeysError('keys-unavailable', `${endpoint} answered ${res.status}`);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ReceiptKeysError('malformed-keys', `${endpoint} did not answer JSON`);
  }
  return parseReceiptKeys(json);
}
