/**
 * Attachments in the PWA, in real Chromium: several files at once through the file picker, an
 * image's thumbnail, a progress bar that moves; an upload whose network is cut mid-way and
 * restored completes, resuming from the server's offset; and one interrupted by a page reload
 * resumes by itself (the file kept in IndexedDB) instead of starting over.
 */
import { createHash } from 'node:crypto';
import type { BrowserContext, CDPSession, Page, Request } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { api } from '../support/server.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { expectNoSeriousA11yViolations, PASSWORD, screenshot, signUpInUi, useWebHarness } from './support.js';

const h = useWebHarness();

/** Text files pass the server's content check (UTF-8, no NUL) and can be as big as a test wants. */
function textFile(bytes: number, seed: string): Buffer {
  const line = `${seed} ${'lorem ipsum dolor sit amet '.repeat(3)}\n`;
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes));
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface ServerFile {
  name: string;
  size: number;
  sha256: string;
}

/** Slows the page's uploads (bytes per second), so that a cut or a reload lands mid-way. */
async function throttle(cdp: CDPSession, uploadBytesPerSecond: number): Promise<void> {
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: uploadBytesPerSecond,
  });
}

/** The tus PATCH requests the page sends, with the offset each starts at. */
function patchOffsets(page: Page): number[] {
  const offsets: number[] = [];
  page.on('request', (req: Request) => {
    if (req.method() === 'PATCH' && new URL(req.url()).pathname.startsWith('/files/'))
      offsets.push(Number(req.headers()['upload-offset'] ?? NaN));
  });
  return offsets;
}

/** Waits until the named upload's bar shows at least `share` of the file sent. */
async function progressed(page: Page, name: string, share: number): Promise<void> {
  const bar = page.getByRole('progressbar', { name: `Upload of ${name}` });
  await expect
    .poll(
      async () => {
        const [value, max] = await Promise.all([bar.getAttribute('value'), bar.getAttribute('max')]);
        return Number(value) / Number(max);
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(share);
}

describe('the PWA attachments', () => {
  const email = `uploader-${Date.now()}@example.test`;
  let context: BrowserContext;
  let page: Page;
  let threadId: string;
  let token: string;

  const serverFiles = async () =>
    (await api<{ files: ServerFile[] }>(h.server.url, 'GET', `/api/files?threadId=${threadId}`, { token }))
      .body.files;

  it('uploads several files at once, with progress and an image thumbnail', { timeout: 60_000 }, async () => {
    context = await h.context();
    page = await context.newPage();
    await signUpInUi(page, 'Uma Uploader', email);
    await page.getByLabel('New thread title').fill('Site photos');
    await page.getByRole('button', { name: 'Start thread' }).click();
    await page.waitForURL(/\/threads\/[0-9a-f-]+$/);
    threadId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const login = await api<{ accessToken: string }>(h.server.url, 'POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    token = login.body.accessToken;

    const png = await sharp({ create: { width: 640, height: 400, channels: 3, background: '#3366aa' } })
      .png()
      .toBuffer();
    const notes = textFile(200_000, 'notes');
    await page.getByLabel('Add files').setInputFiles([
      { name: 'roof.png', mimeType: 'image/png', buffer: png },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: notes },
    ]);
    await expect.poll(() => page.getByTestId('attachment').count(), { timeout: 30_000 }).toBe(2);
    // The uploads' rows go once the files are the thread's.
    await expect.poll(() => page.getByTestId('upload').count()).toBe(0);
    const thumb = page.getByRole('img', { name: 'Preview of roof.png' });
    await thumb.waitFor();
    await expect
      .poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    const files = await serverFiles();
    expect(files.map((f) => [f.name, f.sha256]).sort()).toEqual(
      [
        ['notes.txt', sha256(notes)],
        ['roof.png', sha256(png)],
      ].sort(),
    );
    await expectNoSeriousA11yViolations(page, 'thread with attachments');
    await screenshot(page, 'thread-attachments');
  });

  it(
    'finishes an upload whose network was cut mid-way, from the server’s offset',
    { timeout: 120_000 },
    async () => {
      // A second user on the far side of a link that can be cut (a real TCP proxy): the browser
      // goes offline and every connection drops, then both come back.
      const server = { host: '127.0.0.1', port: Number(new URL(h.server.url).port) };
      const proxy = await TcpProxy.start({ target: server, bytesPerSecond: 1_500_000 });
      try {
        const far = await h.context(proxy.url);
        const train = await far.newPage();
        const offsets = patchOffsets(train);
        const commuter = `commuter-${Date.now()}@example.test`;
        await signUpInUi(train, 'Cara Commuter', commuter);
        await train.getByLabel('New thread title').fill('Tunnel');
        await train.getByRole('button', { name: 'Start thread' }).click();
        await train.waitForURL(/\/threads\/[0-9a-f-]+$/);
        const tunnelThread = new URL(train.url()).pathname.split('/').pop() ?? '';
        const big = textFile(4_000_000, 'cut');
        await train
          .getByLabel('Add files')
          .setInputFiles([{ name: 'cut.txt', mimeType: 'text/plain', buffer: big }]);
        await progressed(train, 'cut.txt', 0.2);
        await screenshot(train, 'thread-upload-progress');
        const connectionsBefore = proxy.stats.connections;
        await far.setOffline(true);
        proxy.setTarget(null);
        proxy.cutAll();
        proxy.setTarget(server);
        await far.setOffline(false);
        // Nobody clicks anything: the upload carries on by itself.
        const login = await api<{ accessToken: string }>(h.server.url, 'POST', '/api/auth/login', {
          body: { email: commuter, password: PASSWORD },
        });
        const files = async () =>
          (
            await api<{ files: ServerFile[] }>(h.server.url, 'GET', `/api/files?threadId=${tunnelThread}`, {
              token: login.body.accessToken,
            })
          ).body.files;
        await expect
          .poll(async () => (await files()).find((f) => f.name === 'cut.txt')?.sha256 ?? null, {
            timeout: 60_000,
          })
          .toBe(sha256(big));
        // New connections after the cut carried the rest, from where the server was.
        expect(proxy.stats.connections).toBeGreaterThan(connectionsBefore);
        expect(offsets[0]).toBe(0);
        expect(offsets.some((o) => o > 0)).toBe(true);
        expect(await files()).toHaveLength(1);
      } finally {
        await proxy.close();
      }
    },
  );

  it('resumes an upload after a reload by itself', { timeout: 120_000 }, async () => {
    const cdp = await context.newCDPSession(page);
    await throttle(cdp, 1_000_000);
    const big = textFile(5_000_000, 'reload');
    await page
      .getByLabel('Add files')
      .setInputFiles([{ name: 'reload.txt', mimeType: 'text/plain', buffer: big }]);
    await progressed(page, 'reload.txt', 0.2);
    const offsets = patchOffsets(page);
    await page.reload();
    await page.getByRole('heading', { name: 'Site photos' }).waitFor();
    await expect
      .poll(async () => (await serverFiles()).find((f) => f.name === 'reload.txt')?.sha256 ?? null, {
        timeout: 60_000,
      })
      .toBe(sha256(big));
    // The reloaded page continued the upload the first one began.
    expect(offsets.length).toBeGreaterThan(0);
    expect(offsets[0]).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('upload').count()).toBe(0);
    expect((await serverFiles()).filter((f) => f.name === 'reload.txt')).toHaveLength(1);
  });
});
