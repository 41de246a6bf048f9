import { describe, expect, it } from 'vitest';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords.js';

const HASH_FORMAT = /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{86}==$/;

describe('passwords', () => {
  it('hashes to a self-describing scrypt string and verifies', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(HASH_FORMAT);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('treats canonically equivalent Unicode as the same password', async () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
  });

  it('refuses malformed or tampered hashes instead of throwing', async () => {
    const hash = await hashPassword('pw');
    const parts = hash.split('$');
    const tampered = (i: number, value: string) => parts.map((p, j) => (j === i ? value : p)).join('$');
    for (const bad of [
      '',
      'plain',
      'bcrypt$2b$10$abc',
      hash.slice(0, -4),
      tampered(1, '1000'), // not a power of two
      tampered(1, String(2 ** 30)), // cost far beyond the cap
      tampered(2, '-1'),
      tampered(4, ''),
      tampered(5, 'AAAA'),
    ]) {
      expect(await verifyPassword('pw', bad), bad).toBe(false);
    }
  });

  it('has a well-formed dummy hash that matches nothing we would guess', async () => {
    expect(DUMMY_PASSWORD_HASH).toMatch(HASH_FORMAT);
    expect(await verifyPassword('', DUMMY_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword('password', DUMMY_PASSWORD_HASH)).toBe(false);
  });
});
