/**
 * The data directory holds password hashes, every document, signing keys and uploads: what the
 * server creates there is its owner's only (issue 11, item 10) — directories 0700, files 0600,
 * the database's WAL and shared-memory files included — under the usual umask (022), which would
 * otherwise make them 755/644.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@caucus/sync-server';
import { createThread, signup, startTestServer, type TestServer } from '../support/server.js';
import { createUploadRaw, pngBytes, tusUpload } from '../support/uploads.js';

/** Every file and directory under `root` with its permission bits, as `path → 0oNNN` strings. */
function modes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      out[relative(root, path)] = (statSync(path).mode & 0o777).toString(8);
      if (entry.isDirectory()) walk(path);
    }
  };
  out['.'] = (statSync(root).mode & 0o777).toString(8);
  walk(root);
  return out;
}

describe('data directory permissions', () => {
  const parent = mkdtempSync(join(tmpdir(), 'caucus-modes-'));
  let ts: TestServer | null = null;

  afterAll(async () => {
    await ts?.stop();
    rmSync(parent, { recursive: true, force: true });
  });

  it('creates the data dir 0700 and the database, WAL, SHM, lock, keys, uploads and thumbnails 0600', async () => {
    expect(process.umask() & 0o077, 'the test needs a umask that lets others read').not.toBe(0o077);
    const dataDir = join(parent, 'nested', 'data');
    ts = await startTestServer({ dataDir });
    const owner = await signup(ts.url, 'modes');
    const threadId = await createThread(ts.url, owner);
    const endpoint = `${ts.url}/files/`;
    const png = await tusUpload(endpoint, owner.accessToken, await pngBytes(400, 300), {
      filename: 'p.png',
      filetype: 'image/png',
      threadId,
    });
    const thumb = await fetch(`${png.url}/thumbnail`, {
      headers: { Authorization: `Bearer ${owner.accessToken}` },
    });
    expect(thumb.status).toBe(200);
    await thumb.arrayBuffer();
    // An unfinished upload too: its bytes file and tus record exist before any byte arrives.
    const pending = await createUploadRaw(
      ts.url,
      owner.accessToken,
      { filename: 'later.pdf', threadId },
      4096,
    );
    expect(pending.status).toBe(201);

    const seen = modes(dataDir);
    for (const name of [
      'caucus.db',
      'caucus.db-wal',
      'caucus.db-shm',
      'caucus.lock',
      'receipt-keys',
      'receipt-keys/keys.json',
      'uploads',
      `uploads/${png.id}`,
      `uploads/${png.id}.json`,
      'thumbnails',
      `thumbnails/${png.id}.webp`,
    ])
      expect(Object.keys(seen), name).toContain(name);
    expect(Object.keys(seen).filter((p) => p.startsWith('uploads/')).length).toBeGreaterThanOrEqual(4);
    const wrong = Object.entries(seen).filter(([path, mode]) => {
      const isDir = statSync(join(dataDir, path)).isDirectory();
      return mode !== (isDir ? '700' : '600');
    });
    expect(wrong).toEqual([]);
    // The parents it had to make are private too.
    expect((statSync(join(parent, 'nested')).mode & 0o777).toString(8)).toBe('700');
  });

  it('keeps the generated JWT secret 0600 in a data dir it makes 0700', () => {
    const dataDir = join(parent, 'secret-dir');
    loadConfig({}, { dataDir });
    expect(modes(dataDir)).toEqual({ '.': '700', 'jwt-secret': '600' });
  });
});
