/**
 * Canonical JSON (RFC 8785, the JSON Canonicalization Scheme): one exact text for a JSON value, so
 * that its bytes can be signed and checked by anyone, with any JCS implementation, without ours.
 *
 * - object members sorted by their names' UTF-16 code units (what `Array.prototype.sort` does),
 *   no whitespace anywhere;
 * - numbers as ECMAScript writes them (`JSON.stringify`, which RFC 8785 §3.2.2.3 adopts);
 * - strings as `JSON.stringify` writes them: `"` `\` and the C0 controls escaped (`\b \t \n \f \r`,
 *   others as `\u00xx`), everything else literal. For I-JSON (RFC 7493) text this is exactly
 *   RFC 8785; a lone surrogate, which I-JSON forbids, comes out as a `\udxxx` escape rather than
 *   failing, so that no input can make the encoder throw.
 *
 * Members whose value is `undefined` are left out, as `JSON.stringify` leaves them out: the encoding
 * of a value equals the encoding of `JSON.parse(JSON.stringify(value))`.
 */

/** A value that is not JSON (a function, a bigint, `undefined` in an array, `NaN`, a cycle…). */
export class CanonicalJsonError extends Error {
  override name = 'CanonicalJsonError';
  readonly code = 'not-json';
}

/** How deep a value may nest; deeper is refused rather than exhausting the stack. */
export const MAX_CANONICAL_DEPTH = 64;

/** The RFC 8785 text of `value`. Throws {@link CanonicalJsonError} for what is not JSON. */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

/** The UTF-8 bytes of {@link canonicalJson}: what is signed. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

function encode(value: unknown, depth: number): string {
  if (depth > MAX_CANONICAL_DEPTH) throw new CanonicalJsonError(`nested deeper than ${MAX_CANONICAL_DEPTH}`);
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        return `[${value
          .map((item: unknown) => {
            if (item === undefined) throw new CanonicalJsonError('undefined in an array');
            return encode(item, depth + 1);
          })
          .join(',')}]`;
      }
      return encodeObject(value, depth);
    default:
      throw new CanonicalJsonError(`a ${typeof value} is not JSON`);
  }
}

function encodeObject(value: object, depth: number): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalJsonError('only plain objects are JSON objects');
  }
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${encode(record[key], depth + 1)}`);
  return `{${members.join(',')}}`;
}
