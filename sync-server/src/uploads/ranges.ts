/**
 * `Range: bytes=…` on downloads (RFC 9110 §14): one range is answered 206 with that part; a
 * range past the end is 416; anything else — other units, bad syntax, several ranges — is answered
 * with the whole file (200), which the RFC allows and every client handles (media players and
 * download managers ask for one range at a time).
 */

/** What to send for a `Range` header, given the file's size. */
export type RangeAnswer =
  { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;

export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  const match = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!match) return { kind: 'whole' };
  const specs = (match[1] ?? '').split(',');
  if (specs.length !== 1) return { kind: 'whole' };
  const spec = SPEC.exec((specs[0] ?? '').trim());
  if (!spec) return { kind: 'whole' };
  const [, first = '', last = ''] = spec;
  if (first === '') {
    // A suffix: the last N bytes.
    if (last === '') return { kind: 'whole' };
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  // An open end, or one past the file, means "to the end".
  const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  if (!Number.isSafeInteger(start) || end < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end: Math.min(end, size - 1) };
}
