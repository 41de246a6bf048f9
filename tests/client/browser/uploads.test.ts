/**
 * Uploads from a page in Chromium: the upload URL is remembered in IndexedDB, not `localStorage`
 * (tus-js-client #664), a reload mid-upload resumes from the server's offset, and the entry is
 * forgotten once the upload is done. tus-js-client arrives with the first upload (a lazy chunk).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api, createThread, signup, type TestUser } from '../../support/server.js';
import { pdfBytes, sha256 } from '../../support/uploads.js';
import { load, startHarness, type Harness } from './harness.js';
import type { PageGlobals } from './page.js';

const CHUNK_BYTES = 64 * 1024;
const FILE_BYTES = 16 * CHUNK_BYTES;
/** PATCH requests let through before the network "hangs" and the page is reloaded. */
const PATCHES_BEFORE_RELOAD = 2;

let h: Harness;
let user: TestUser;
let threadId: string;
beforeAll(async () => {
  h = await startHarness();
  user = await signup(h.server.url, 'uploader');
  threadId = await createThread(h.server.url, user);
}, 60_000);
afterAll(() => h?.stop());

interface UploadArgs {
  url: string;
  token: string;
  threadId: string;
  base64: string;
  chunk: number;
}

/** Starts an upload of the same file (same name, type, size, date: the same fingerprint) as `window.upload`. */
function startUpload(page: Page, args: UploadArgs): Promise<void> {
  return page.evaluate((a) => {
    const g = globalThis as unknown as PageGlobals & {
      upload: ReturnType<PageGlobals['caucus']['createUpload']>;
      File: new (parts: unknown[], name: string, o: { type: string; lastModified: number }) => Blob;
      atob(s: string): string;
    };
    const bytes = Uint8Array.from(g.atob(a.base64), (c) => c.charCodeAt(0));
    const file = new g.File([bytes], 'minutes.pdf', {
      type: 'application/pdf',
      lastModified: 1_700_000_000_000,
    });
    g.upload = g.caucus.createUpload({
      url: a.url,
      token: a.token,
      threadId: a.threadId,
      file,
      chunkSizeBytes: a.chunk,
    });
    void g.upload.start().catch(() => undefined);
  }, args);
}

/** The upload's state once `bytesAccepted` reached `bytes` (for the whole file: once it is done), or its failure. */
function accepted(page: Page, bytes: number) {
  return page.evaluate(
    (n) =>
      new Promise<Omit<ReturnType<PageGlobals['caucus']['createUpload']>['current'], never>>((resolve) => {
        const { upload } = globalThis as unknown as {
          upload: ReturnType<PageGlobals['caucus']['createUpload']>;
        };
        const check = (s: typeof upload.current) =>
          (s.bytesAccepted >= n && s.bytesAccepted < (s.bytesTotal ?? 0)) ||
          s.status === 'done' ||
          s.status === 'error'
            ? (resolve(s), true)
            : false;
        if (!check(upload.current)) {
          const off = upload.subscribe((s) => {
            if (check(s)) off();
          });
        }
      }),
    bytes,
  );
}

/** Entries in the client's IndexedDB upload store, and tus keys in `localStorage`. */
function remembered(page: Page): Promise<{ idb: number; localStorage: number }> {
  return page.evaluate(
    () =>
      new Promise<{ idb: number; localStorage: number }>((resolve, reject) => {
        const g = globalThis as unknown as {
          localStorage: { length: number; key(i: number): string | null };
          indexedDB: {
            open(n: string): {
              result: {
                transaction(
                  s: string[],
                  m: string,
                ): {
                  objectStore(n: string): { count(): { result: number; onsuccess: (() => void) | null } };
                };
                close(): void;
              };
              onsuccess: (() => void) | null;
              onerror: (() => void) | null;
            };
          };
        };
        let tusKeys = 0;
        for (let i = 0; i < g.localStorage.length; i++)
          if (g.localStorage.key(i)?.startsWith('tus::')) tusKeys++;
        const req = g.indexedDB.open('caucus-uploads');
        req.onerror = () => reject(new Error('cannot open caucus-uploads'));
        req.onsuccess = () => {
          const count = req.result.transaction(['uploads'], 'readonly').objectStore('uploads').count();
          count.onsuccess = () => {
            req.result.close();
            resolve({ idb: count.result, localStorage: tusKeys });
          };
        };
      }),
  );
}

it('resumes an upload after a reload from the URL kept in IndexedDB, then forgets it', async () => {
  const bytes = pdfBytes(FILE_BYTES);
  const args: UploadArgs = {
    url: h.server.url,
    token: user.accessToken,
    threadId,
    base64: bytes.toString('base64'),
    chunk: CHUNK_BYTES,
  };
  const { context, page } = await h.context();
  // The network lets two chunks through, then hangs: the page is reloaded in the middle.
  let patches = 0;
  await page.route('**/files/**', async (route) => {
    if (route.request().method() !== 'PATCH') return route.continue();
    if (++patches <= PATCHES_BEFORE_RELOAD) return route.continue();
    // Held until the page goes away.
  });
  await startUpload(page, args);
  const before = await accepted(page, PATCHES_BEFORE_RELOAD * CHUNK_BYTES);
  expect(before).toMatchObject({ status: 'uploading', bytesAccepted: PATCHES_BEFORE_RELOAD * CHUNK_BYTES });
  expect(await remembered(page)).toEqual({ idb: 1, localStorage: 0 });

  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await load(page);
  await startUpload(page, args);
  const after = await accepted(page, FILE_BYTES);
  expect(after).toMatchObject({
    status: 'done',
    pickedUp: true,
    file: { size: FILE_BYTES, sha256: sha256(bytes) },
  });
  // It went on from what the server had (the held chunk may have reached it as the page went), not from 0.
  expect(after.resumedFrom).toBeGreaterThanOrEqual(PATCHES_BEFORE_RELOAD * CHUNK_BYTES);
  expect(after.resumedFrom).toBeLessThan(FILE_BYTES);
  expect(await remembered(page)).toEqual({ idb: 0, localStorage: 0 });
  const files = await api<{ files: Array<{ sha256: string }> }>(
    h.server.url,
    'GET',
    `/api/files?threadId=${threadId}`,
    {
      token: user.accessToken,
    },
  );
  expect(files.body.files.map((f) => f.sha256)).toEqual([sha256(bytes)]);
  await context.close();
});

it('loads tus-js-client only when the first upload starts', async () => {
  const { context, page } = await h.context();
  const scripts: string[] = [];
  page.on('request', (req) => {
    if (req.resourceType() === 'script') scripts.push(new URL(req.url()).pathname);
  });
  await load(page);
  // The entry and the chunks it imports at once (the initial load); tus-js-client is not one of them.
  expect(scripts).toContain('/caucus-client.js');
  expect(scripts.filter((s) => s.includes('tus'))).toEqual([]);
  const bytes = pdfBytes(CHUNK_BYTES);
  await startUpload(page, {
    url: h.server.url,
    token: user.accessToken,
    threadId,
    base64: bytes.toString('base64'),
    chunk: CHUNK_BYTES,
  });
  expect(await accepted(page, CHUNK_BYTES)).toMatchObject({ status: 'done' });
  expect(scripts).toContain('/tus-driver.js');
  await context.close();
});
