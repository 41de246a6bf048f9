import { describe, expect, it } from 'vitest';
import { hasDotSegment } from './dot-segments.js';

describe('hasDotSegment', () => {
  it('finds literal and encoded dot segments', () => {
    for (const path of [
      '/files/../caucus.db',
      '/files/./x',
      '/files/%2e%2e',
      '/files/.%2E/x',
      '/files/..%2Fcaucus.db',
      '/files/..%5cx',
      '/files\\..\\x',
      '/..',
      '/files/..?x=1',
    ]) {
      expect({ path, dot: hasDotSegment(path) }).toEqual({ path, dot: true });
    }
  });

  it('leaves ordinary paths alone', () => {
    for (const path of [
      '/',
      '/files/',
      '/files/0192-ab_c',
      '/api/threads?q=..',
      '/files/a..b',
      '/files/.hidden',
      '/x/...',
    ]) {
      expect({ path, dot: hasDotSegment(path) }).toEqual({ path, dot: false });
    }
  });
});
