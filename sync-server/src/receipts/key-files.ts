/**
 * The receipt signing keys on disk, in `<dataDir>/receipt-keys/` (0700):
 * - `keys.json` (0600): `{ keys: [{ kid, alg, publicKey, createdAt, retiredAt }] }`, every key ever
 *   used, the retired ones too, so that old receipts stay verifiable; written whole by rename.
 * - `<kid>.pem` (0600): the PKCS#8 private key of the signing key only. A rotation deletes the
 *   retired one's: nothing signs with it again, so nothing can backdate a receipt with it.
 * The server re-reads `keys.json` when it changes, so a rotation needs no restart.
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { jwkThumbprintInput, receiptKeySchema, RECEIPT_ALG, type ReceiptKey } from '@caucus/schema';

/** The folder under the data dir. */
export const RECEIPT_KEYS_DIR = 'receipt-keys';
export const KEY_INDEX_FILE = 'keys.json';

/** A key file that is missing, unreadable or not what it should be. */
export class ReceiptKeyError extends Error {
  override name = 'ReceiptKeyError';
  readonly code = 'receipt-keys';
}

const indexSchema = z.object({ keys: z.array(receiptKeySchema).min(1) });

export function receiptKeysDir(dataDir: string): string {
  return join(dataDir, RECEIPT_KEYS_DIR);
}

/** A key's id: the RFC 7638 thumbprint (sha256, base64url) of its public JWK. */
export function keyId(publicKey: string): string {
  return createHash('sha256').update(jwkThumbprintInput(publicKey)).digest('base64url');
}

/** The listed keys in the order they were made; null when the folder has no index yet. */
export function readKeyIndex(dir: string): ReceiptKey[] | null {
  let text: string;
  try {
    text = readFileSync(join(dir, KEY_INDEX_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ReceiptKeyError(`cannot read ${join(dir, KEY_INDEX_FILE)}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ReceiptKeyError(`${join(dir, KEY_INDEX_FILE)} is not JSON`);
  }
  const parsed = indexSchema.safeParse(json);
  if (!parsed.success) throw new ReceiptKeyError(`${join(dir, KEY_INDEX_FILE)} is not a receipt key list`);
  for (const key of parsed.data.keys) {
    if (keyId(key.publicKey) !== key.kid) {
      throw new ReceiptKeyError(`${join(dir, KEY_INDEX_FILE)}: key ${key.kid} is not its public key's id`);
    }
  }
  return parsed.data.keys;
}

/** The key that signs: the last listed one not retired (a rotation retires all others). */
export function activeKey(keys: readonly ReceiptKey[]): ReceiptKey {
  const active = keys.filter((k) => k.retiredAt === null).at(-1);
  if (!active) throw new ReceiptKeyError('every receipt key is retired; rotate to make a new one');
  return active;
}

export function loadPrivateKey(dir: string, kid: string): KeyObject {
  const file = join(dir, `${kid}.pem`);
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ReceiptKeyError(`cannot load the receipt signing key ${file}: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ReceiptKeyError(`${file} is not an Ed25519 key`);
  return key;
}

/** A new key pair: the public half as listed, the private half as a KeyObject. */
export function generateReceiptKey(now: number): { key: ReceiptKey; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('an Ed25519 public key without x');
  return {
    key: { kid: keyId(x), alg: RECEIPT_ALG, publicKey: x, createdAt: now, retiredAt: null },
    privateKey,
  };
}

function writePrivateKey(dir: string, kid: string, privateKey: KeyObject): void {
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  writeFileSync(join(dir, `${kid}.pem`), pem, { mode: 0o600, flag: 'wx' });
}

function writeKeyIndex(dir: string, keys: readonly ReceiptKey[]): void {
  const file = join(dir, KEY_INDEX_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  renameSync(tmp, file);
}

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** The listed keys, making the first one when there is none (at the server's first start). */
export function ensureReceiptKeys(dir: string, now: number = Date.now()): ReceiptKey[] {
  ensureDir(dir);
  const existing = readKeyIndex(dir);
  if (existing) return existing;
  const { key, privateKey } = generateReceiptKey(now);
  writePrivateKey(dir, key.kid, privateKey);
  writeKeyIndex(dir, [key]);
  return [key];
}

export interface Rotation {
  /** The new signing key. */
  active: ReceiptKey;
  /** The keys this rotation retired (normally one). */
  retired: ReceiptKey[];
  /** Every listed key, as now published. */
  keys: ReceiptKey[];
}

/**
 * Makes a new signing key and retires the current one: its public key stays listed (old receipts
 * stay verifiable), its private key file is deleted. A running server picks the new key up at its
 * next signature. Run one rotation at a time.
 */
export function rotateReceiptKey(dataDir: string, now: number = Date.now()): Rotation {
  const dir = receiptKeysDir(dataDir);
  const before = ensureReceiptKeys(dir, now);
  const { key, privateKey } = generateReceiptKey(now);
  // The private key is on disk before the index names it, so a crash in between leaves only an
  // unlisted file behind, never a listed key that cannot sign.
  writePrivateKey(dir, key.kid, privateKey);
  const retired = before.filter((k) => k.retiredAt === null).map((k) => ({ ...k, retiredAt: now }));
  const keys = [...before.map((k) => retired.find((r) => r.kid === k.kid) ?? k), key];
  writeKeyIndex(dir, keys);
  for (const old of retired) rmSync(join(dir, `${old.kid}.pem`), { force: true });
  return { active: key, retired, keys };
}
