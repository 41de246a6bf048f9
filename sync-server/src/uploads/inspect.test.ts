import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { decideType, digestFile, inspectFile, RunningDigest } from './inspect.js';

const dir = mkdtempSync(join(tmpdir(), 'caucus-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('decideType', () => {
  const text = { sniffed: undefined, isText: true };
  it('accepts sniffed allowed types declared alike or not declared', () => {
    expect(decideType({ sniffed: 'image/png', isText: false, declared: 'image/png', name: 'a.png' })).toEqual(
      {
        ok: true,
        type: 'image/png',
      },
    );
    expect(decideType({ sniffed: 'application/pdf', isText: false, declared: null, name: 'x' })).toEqual({
      ok: true,
      type: 'application/pdf',
    });
  });

  it('refuses a declared type the bytes contradict, and sniffed types off the allow-list', () => {
    expect(
      decideType({ sniffed: 'image/png', isText: false, declared: 'application/pdf', name: 'a.pdf' }).ok,
    ).toBe(false);
    expect(
      decideType({ sniffed: 'application/x-elf', isText: false, declared: 'image/png', name: 'a.png' }).ok,
    ).toBe(false);
    expect(
      decideType({ sniffed: 'application/x-msdownload', isText: false, declared: null, name: 'a.exe' }).ok,
    ).toBe(false);
    expect(
      decideType({ sniffed: 'text/html', isText: false, declared: 'text/html', name: 'a.html' }).ok,
    ).toBe(false);
  });

  it('tells legacy office documents from other compound files by declaration or extension', () => {
    expect(
      decideType({ sniffed: 'application/x-cfb', isText: false, declared: 'application/msword', name: 'a' }),
    ).toEqual({
      ok: true,
      type: 'application/msword',
    });
    expect(
      decideType({ sniffed: 'application/x-cfb', isText: false, declared: null, name: 'budget.xls' }),
    ).toEqual({
      ok: true,
      type: 'application/vnd.ms-excel',
    });
    expect(
      decideType({ sniffed: 'application/x-cfb', isText: false, declared: null, name: 'setup.msi' }).ok,
    ).toBe(false);
  });

  it('accepts zip-based office documents sniffed as plain zip and the reverse', () => {
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    expect(decideType({ sniffed: 'application/zip', isText: false, declared: docx, name: 'a.docx' })).toEqual(
      { ok: true, type: docx },
    );
    expect(decideType({ sniffed: docx, isText: false, declared: 'application/zip', name: 'a.zip' })).toEqual({
      ok: true,
      type: docx,
    });
  });

  it('types text by declaration, then extension, then as plain text; refuses non-text declared as text', () => {
    expect(decideType({ ...text, declared: 'text/markdown', name: 'x' })).toEqual({
      ok: true,
      type: 'text/markdown',
    });
    expect(decideType({ ...text, declared: null, name: 'data.json' })).toEqual({
      ok: true,
      type: 'application/json',
    });
    expect(decideType({ ...text, declared: null, name: 'notes' })).toEqual({ ok: true, type: 'text/plain' });
    expect(decideType({ ...text, declared: 'application/vnd.ms-excel', name: 'x.csv' })).toEqual({
      ok: true,
      type: 'text/csv',
    });
    expect(decideType({ ...text, declared: 'image/png', name: 'a.png' }).ok).toBe(false);
    expect(decideType({ ...text, declared: 'text/html', name: 'a.html' }).ok).toBe(false);
    expect(decideType({ sniffed: undefined, isText: false, declared: 'text/plain', name: 'a.txt' }).ok).toBe(
      false,
    );
  });
});

describe('RunningDigest', () => {
  it('hashes like one pass and keeps UTF-8 valid across chunk boundaries', () => {
    const bytes = Buffer.from('päivää — 你好 🎉\n'.repeat(50));
    for (const size of [1, 2, 3, 7, 64]) {
      const digest = new RunningDigest();
      for (let i = 0; i < bytes.length; i += size) digest.update(bytes.subarray(i, i + size));
      expect(digest.digest()).toEqual({
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: bytes.length,
        isText: true,
      });
    }
  });

  it('is not text with a NUL, invalid UTF-8, or a truncated sequence at the end', () => {
    for (const bytes of [
      Buffer.from('ab\0c'),
      Buffer.from([0x61, 0xff, 0x62]),
      Buffer.from([0x61, 0xe4, 0xbd]),
    ]) {
      const digest = new RunningDigest();
      digest.update(bytes);
      expect(digest.digest().isText).toBe(false);
    }
  });
});

describe('inspectFile', () => {
  it('reads a file when no digest is known and agrees with one made on the way in', async () => {
    const path = join(dir, 'a.pdf');
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3 * 1024 * 1024, 7)]);
    writeFileSync(path, bytes);
    const read = await inspectFile(path, 'application/pdf', 'a.pdf');
    const running = new RunningDigest();
    running.update(bytes);
    const known = await inspectFile(path, 'application/pdf', 'a.pdf', running.digest());
    expect(read).toEqual({
      ok: true,
      type: 'application/pdf',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(known).toEqual(read);
    expect(await digestFile(path, false)).toMatchObject({ isText: false, size: bytes.length });
  });
});
