import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { keyId, readKeyIndex, receiptKeysDir, ReceiptKeyError, rotateReceiptKey } from './key-files.js';
import { FileReceiptKeyring } from './keyring.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'caucus-receipt-keys-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;
const silent = createLogger('silent');

describe('receipt key files', () => {
  it('names a key by its RFC 7638 thumbprint (the RFC 8037 example key)', () => {
    expect(keyId('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo')).toBe(
      'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
    );
  });

  it('makes the first key on first open, private to the owner, and keeps it', () => {
    const dir = receiptKeysDir(dataDir);
    const first = new FileReceiptKeyring(dir, { logger: silent });
    const [key] = first.publicKeys();
    expect(key).toMatchObject({ alg: 'Ed25519', retiredAt: null });
    expect(key?.kid).toBe(keyId(key?.publicKey ?? ''));
    expect(first.signingKey().kid).toBe(key?.kid);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'keys.json'))).toBe(0o600);
    expect(mode(join(dir, `${key?.kid}.pem`))).toBe(0o600);
    expect(new FileReceiptKeyring(dir, { logger: silent }).publicKeys()).toEqual([key]);
  });

  it('rotation: a new key signs, the old one stays published without its private key', () => {
    const dir = receiptKeysDir(dataDir);
    const running = new FileReceiptKeyring(dir, { logger: silent });
    const old = running.signingKey().kid;
    const rotation = rotateReceiptKey(dataDir, 1_000);
    expect(rotation.retired.map((k) => [k.kid, k.retiredAt])).toEqual([[old, 1_000]]);
    expect(rotation.active).toMatchObject({ createdAt: 1_000, retiredAt: null });
    // A running server follows the folder: the next signature uses the new key.
    expect(running.signingKey().kid).toBe(rotation.active.kid);
    expect(running.publicKeys().map((k) => k.kid)).toEqual([old, rotation.active.kid]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.pem'))).toEqual([`${rotation.active.kid}.pem`]);
  });

  it('refuses a broken key list at open; a running keyring keeps its last good key', () => {
    const dir = receiptKeysDir(dataDir);
    const running = new FileReceiptKeyring(dir, { logger: silent });
    const kid = running.signingKey().kid;
    writeFileSync(join(dir, 'keys.json'), '{"keys": "nope"}');
    expect(running.signingKey().kid).toBe(kid);
    expect(() => new FileReceiptKeyring(dir, { logger: silent })).toThrow(ReceiptKeyError);
    expect(() => readKeyIndex(dir)).toThrow(/not a receipt key list/);
  });

  it('refuses a listed signing key whose private key is missing', () => {
    const dir = receiptKeysDir(dataDir);
    const kid = new FileReceiptKeyring(dir, { logger: silent }).signingKey().kid;
    rmSync(join(dir, `${kid}.pem`));
    expect(() => new FileReceiptKeyring(dir, { logger: silent })).toThrow(
      /cannot load the receipt signing key/,
    );
  });
});
