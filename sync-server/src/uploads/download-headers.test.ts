import { describe, expect, it } from 'vitest';
import { contentDisposition, downloadHeaders, downloadName, isInline } from './download-headers.js';

describe('download headers', () => {
  it('serves only allow-listed raster images inline', () => {
    expect(isInline('image/png')).toBe(true);
    expect(isInline('image/jpeg')).toBe(true);
    expect(isInline('image/tiff')).toBe(false);
    expect(isInline('image/svg+xml')).toBe(false);
    expect(isInline('application/pdf')).toBe(false);
    expect(isInline('text/plain')).toBe(false);
  });

  it('appends the type’s extension to a name that does not carry one of its own', () => {
    expect(downloadName('notes.html', 'text/plain')).toBe('notes.html.txt');
    expect(downloadName('photo.JPEG', 'image/jpeg')).toBe('photo.JPEG');
    expect(downloadName('data', 'application/json')).toBe('data.json');
  });

  it('quotes names safely: an ASCII fallback and the UTF-8 name percent-encoded', () => {
    expect(contentDisposition('attachment', 'a "b"\\c%.pdf')).toBe(
      `attachment; filename="a _b__c_.pdf"; filename*=UTF-8''a%20%22b%22%5Cc%25.pdf`,
    );
    expect(contentDisposition('inline', "it's.png")).toBe(
      `inline; filename="it's.png"; filename*=UTF-8''it%27s.png`,
    );
    expect(contentDisposition('attachment', 'x\r\ny.txt')).not.toMatch(/[\r\n]/);
  });

  it('never lets a download run: nosniff, a sandbox, charset on text', () => {
    const h = downloadHeaders({ name: 'a.md', type: 'text/markdown', sha256: 'ab' });
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['Content-Security-Policy']).toBe('sandbox');
    expect(h['Content-Type']).toBe('text/markdown; charset=utf-8');
    expect(h['Content-Disposition']).toMatch(/^attachment; /);
    expect(h.ETag).toBe('"ab"');
  });
});
