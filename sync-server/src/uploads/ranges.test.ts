import { describe, expect, it } from 'vitest';
import { parseRange } from './ranges.js';

describe('parseRange', () => {
  it('reads one range in each of its forms, clamped to the file', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'part', start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ kind: 'part', start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'part', start: 90, end: 99 });
    expect(parseRange('bytes=50-1000', 100)).toEqual({ kind: 'part', start: 50, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ kind: 'part', start: 0, end: 99 });
    expect(parseRange(' Bytes = 5-5 ', 100)).toEqual({ kind: 'part', start: 5, end: 5 });
    expect(parseRange('bytes=0-99999999999999999999', 100)).toEqual({ kind: 'part', start: 0, end: 99 });
  });

  it('is unsatisfiable when it starts at or past the end', () => {
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=100-200', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-5', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('answers the whole file for no, several, foreign or malformed ranges', () => {
    for (const header of [
      undefined,
      'bytes=0-1,5-6',
      'items=0-1',
      'bytes=',
      'bytes=-',
      'bytes=a-b',
      'bytes=5-1',
      'bytes=1.5-2',
      'bytes=99999999999999999999-',
    ]) {
      expect(parseRange(header, 100), String(header)).toEqual({ kind: 'whole' });
    }
  });
});
