import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileUrlStorage, URL_STORE_FILE } from './node-url-storage.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'caucus-url-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const upload = (url: string, creationTime = new Date().toString()) => ({
  size: 10,
  metadata: { filename: 'a' },
  creationTime,
  uploadUrl: url,
});

it('remembers uploads by fingerprint across instances (a restarted process), newest first', async () => {
  const first = new FileUrlStorage(join(dir, 'state'));
  await Promise.all([
    first.addUpload('fp-1', upload('http://x/files/old', 'Mon, 01 Jan 2024 00:00:00 GMT')),
    first.addUpload('fp-1', upload('http://x/files/new', 'Tue, 02 Jan 2024 00:00:00 GMT')),
    first.addUpload('fp-2', upload('http://x/files/other')),
  ]);
  const second = new FileUrlStorage(join(dir, 'state'));
  const found = await second.findUploadsByFingerprint('fp-1');
  expect(found.map((u) => u.uploadUrl)).toEqual(['http://x/files/new', 'http://x/files/old']);
  expect((await second.findAllUploads()).length).toBe(3);

  await second.removeUpload(found[0]?.urlStorageKey ?? '');
  expect((await first.findUploadsByFingerprint('fp-1')).map((u) => u.uploadUrl)).toEqual([
    'http://x/files/old',
  ]);
  // No fingerprint is a prefix match of another.
  expect(await first.findUploadsByFingerprint('fp')).toEqual([]);
});

it('treats a missing or unreadable file as empty, and replaces it whole', async () => {
  const store = new FileUrlStorage(dir);
  expect(await store.findAllUploads()).toEqual([]);
  writeFileSync(join(dir, URL_STORE_FILE), '{"tus::a::1": {"uploadUrl": "x", "creat');
  expect(await store.findAllUploads()).toEqual([]);
  await store.addUpload('fp', upload('http://x/files/1'));
  expect(Object.keys(JSON.parse(readFileSync(join(dir, URL_STORE_FILE), 'utf8')) as object)).toHaveLength(1);
});
