import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonBytes, CanonicalJsonError } from './canonical-json.js';

describe('canonical JSON (RFC 8785)', () => {
  it('writes the example of RFC 8785 §3.2.2 exactly', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        '"literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts members by UTF-16 code units (RFC 8785 §3.2.3), nested objects too', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'] as const;
    const members = order.map((k) => `${JSON.stringify(k)}:${JSON.stringify(input[k])}`).join(',');
    expect(canonicalJson({ a: input })).toBe(`{"a":{${members}}}`);
  });

  it('is the same for a value and its JSON round trip; UTF-8 bytes', () => {
    const value = { b: [1, -0, { z: undefined, y: 'ü' }], a: 'x', skipped: undefined };
    expect(canonicalJson(value)).toBe('{"a":"x","b":[1,0,{"y":"ü"}]}');
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
    expect([...canonicalJsonBytes({ y: 'ü' })]).toEqual([...new TextEncoder().encode('{"y":"ü"}')]);
  });

  it('never throws on strings: a lone surrogate is escaped as JSON.stringify does', () => {
    expect(canonicalJson('a\ud800b')).toBe('"a\\ud800b"');
  });

  it('refuses what is not JSON with a code', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [Number.NaN, Infinity, 1n, () => 1, [undefined], new Date(0), cyclic]) {
      expect(() => canonicalJson(bad)).toThrow(CanonicalJsonError);
    }
  });
});
