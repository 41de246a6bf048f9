/**
 * The keys that sign receipts, as the running server holds them: the signing key and every public
 * key ever used. {@link FileReceiptKeyring} follows the data dir (a rotation by `caucus admin
 * rotate-receipt-key` takes effect at the next signature); {@link MemoryReceiptKeyring} is an
 * ephemeral one for tests and servers without a data dir.
 */
import { statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { ReceiptKey } from '@caucus/schema';
import type { Logger } from '../logger.js';
import {
  activeKey,
  ensureReceiptKeys,
  generateReceiptKey,
  KEY_INDEX_FILE,
  loadPrivateKey,
  readKeyIndex,
} from './key-files.js';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export interface ReceiptKeyring {
  /** The key that signs from now on. */
  signingKey(): SigningKey;
  /** Every public key, oldest first, the retired ones included. */
  publicKeys(): ReceiptKey[];
}

interface Loaded {
  keys: ReceiptKey[];
  signing: SigningKey;
  /** What the index file looked like when it was read. */
  stamp: string;
}

function stampOf(stats: BigIntStats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

export class FileReceiptKeyring implements ReceiptKeyring {
  readonly #dir: string;
  readonly #logger: Logger | undefined;
  #loaded: Loaded;

  /** Opens `dir`, making the first key when there is none; throws `ReceiptKeyError` when it is broken. */
  constructor(dir: string, options: { logger?: Logger; now?: number } = {}) {
    this.#dir = dir;
    this.#logger = options.logger;
    ensureReceiptKeys(dir, options.now);
    this.#loaded = this.#load();
  }

  signingKey(): SigningKey {
    return this.#current().signing;
  }

  publicKeys(): ReceiptKey[] {
    return this.#current().keys;
  }

  #load(): Loaded {
    const stamp = stampOf(statSync(join(this.#dir, KEY_INDEX_FILE), { bigint: true }));
    const keys = readKeyIndex(this.#dir) ?? [];
    const active = activeKey(keys);
    return { keys, signing: { kid: active.kid, privateKey: loadPrivateKey(this.#dir, active.kid) }, stamp };
  }

  /** The keys as the index now lists them; the last good ones when it cannot be read. */
  #current(): Loaded {
    try {
      const stamp = stampOf(statSync(join(this.#dir, KEY_INDEX_FILE), { bigint: true }));
      if (stamp !== this.#loaded.stamp) {
        const before = this.#loaded.signing.kid;
        this.#loaded = this.#load();
        if (this.#loaded.signing.kid !== before) {
          this.#logger?.info(
            { kid: this.#loaded.signing.kid, retired: before },
            'receipt signing key rotated',
          );
        }
      }
    } catch (err) {
      // Signing on with the key we have beats refusing every verdict; the operator sees why.
      this.#logger?.error(
        { err, dir: this.#dir },
        'cannot reload the receipt keys; signing with the last good key',
      );
    }
    return this.#loaded;
  }
}

export class MemoryReceiptKeyring implements ReceiptKeyring {
  readonly #keys: ReceiptKey[] = [];
  #signing: SigningKey;

  constructor(now: number = Date.now()) {
    this.#signing = this.#add(now);
  }

  signingKey(): SigningKey {
    return this.#signing;
  }

  publicKeys(): ReceiptKey[] {
    return [...this.#keys];
  }

  /** Retires the signing key for a new one; returns the new key's id. */
  rotate(now: number = Date.now()): string {
    for (const [i, k] of this.#keys.entries()) {
      if (k.retiredAt === null) this.#keys[i] = { ...k, retiredAt: now };
    }
    this.#signing = this.#add(now);
    return this.#signing.kid;
  }

  #add(now: number): SigningKey {
    const { key, privateKey } = generateReceiptKey(now);
    this.#keys.push(key);
    return { kid: key.kid, privateKey };
  }
}
