import { describe, expect, it } from 'vitest';
import { parseUploadMetadata, sanitizeFileName } from './metadata.js';

describe('sanitizeFileName', () => {
  it('keeps the last path segment, without control or bidi-override characters', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(sanitizeFileName('evil\u202Etxt.exe')).toBe('eviltxt.exe');
    expect(sanitizeFileName('a\u0000b\nc.txt')).toBe('abc.txt');
    expect(sanitizeFileName('  ..  ')).toBe('');
    expect(sanitizeFileName('x'.repeat(300))).toHaveLength(255);
    expect(sanitizeFileName('Minutes – März.pdf')).toBe('Minutes – März.pdf');
  });
});

describe('parseUploadMetadata', () => {
  it('normalizes the declared type and drops generic ones', () => {
    const base = { filename: 'a.jpg', threadId: 't1' };
    expect(parseUploadMetadata({ ...base, filetype: 'image/JPG' })).toEqual({
      ok: true,
      value: { filename: 'a.jpg', filetype: 'image/jpeg', threadId: 't1' },
    });
    expect(parseUploadMetadata({ ...base, filetype: 'application/octet-stream' })).toMatchObject({
      ok: true,
      value: { filetype: null },
    });
    expect(parseUploadMetadata({ ...base, filetype: 'text/plain; charset=utf-8' })).toMatchObject({
      value: { filetype: 'text/plain' },
    });
    expect(parseUploadMetadata({ ...base, filetype: null })).toMatchObject({
      ok: true,
      value: { filetype: null },
    });
  });

  it('refuses missing or malformed fields', () => {
    expect(parseUploadMetadata(undefined).ok).toBe(false);
    expect(parseUploadMetadata({ filename: 'a', threadId: 'a/b' }).ok).toBe(false);
    expect(parseUploadMetadata({ filename: '/', threadId: 't' }).ok).toBe(false);
    expect(parseUploadMetadata({ filename: null, threadId: 't' }).ok).toBe(false);
    expect(parseUploadMetadata({ filename: 'a', threadId: 't', filetype: '<script>' }).ok).toBe(false);
  });
});
