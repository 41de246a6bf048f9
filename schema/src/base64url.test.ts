import { describe, expect, it } from 'vitest';
import { fromBase64url, toBase64url } from './base64url.js';

describe('base64url', () => {
  it('agrees with Node for every length and content', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n * 11) & 0xff);
      const text = Buffer.from(bytes).toString('base64url');
      expect(toBase64url(bytes)).toBe(text);
      expect([...(fromBase64url(text) ?? [])]).toEqual([...bytes]);
    }
  });

  it('refuses anything but the one canonical text of some bytes', () => {
    expect(fromBase64url('AA')).toEqual(new Uint8Array([0]));
    // Unused low bits set: would decode to the same byte as "AA".
    expect(fromBase64url('AB')).toBeNull();
    for (const bad of ['A', 'AA==', 'A+', 'A/', 'A A', 'Zm9v!']) expect(fromBase64url(bad)).toBeNull();
  });
});
