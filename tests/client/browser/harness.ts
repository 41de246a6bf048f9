/**
 * Browser tests of @caucus/client in real Chromium (playwright-core, /usr/bin/chromium or
 * CHROMIUM_PATH): a real Caucus server on port 0, and a page server on port 0 that serves the
 * client exactly as `packages/client/scripts/bundle.js` builds it (the bundle whose size the
 * build prints) to a blank page that puts the module on `window.caucus`.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/server.js';

const ROOT = join(import.meta.dirname, '../../..');

/** Flags for a headless Chromium in a container, as COMMON.md asks. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

export interface Harness {
  server: TestServer;
  /** The page's origin (allowed by the server's CORS and WebSocket origin checks). */
  pageUrl: string;
  browser: Browser;
  /** A fresh browser context (its own IndexedDB) with one page at `pageUrl`, the client loaded. */
  context(): Promise<{ context: BrowserContext; page: Page }>;
  /** Another tab of `context`, the client loaded. */
  tab(context: BrowserContext): Promise<Page>;
  stop(): Promise<void>;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>caucus client</title>
<script type="module">
  import * as caucus from '/caucus-client.js';
  window.caucus = caucus;
  document.title = 'ready';
</script>`;

const MIME: Record<string, string> = { '.js': 'text/javascript; charset=utf-8' };

export async function startHarness(options: TestServerOptions = {}): Promise<Harness> {
  const outdir = mkdtempSync(join(tmpdir(), 'caucus-bundle-'));
  const { bundleSize } = (await import(
    pathToFileURL(join(ROOT, 'packages/client/scripts/bundle.js')).href
  )) as {
    bundleSize: (o: { outdir: string }) => Promise<unknown>;
  };
  await bundleSize({ outdir });
  const pages = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(PAGE);
    }
    const file = normalize(join(outdir, path));
    const ext = path.slice(path.lastIndexOf('.'));
    if (!file.startsWith(outdir) || !MIME[ext]) return res.writeHead(404).end();
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': MIME[ext] });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  const pageUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  const server = await startTestServer({ ...options, origins: [pageUrl] });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const tab = async (context: BrowserContext) => {
    const page = await context.newPage();
    await load(page, pageUrl);
    return page;
  };
  return {
    server,
    pageUrl,
    browser,
    async context() {
      const context = await browser.newContext();
      return { context, page: await tab(context) };
    },
    tab,
    async stop() {
      await browser.close();
      await server.stop();
      await close(pages);
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}

/** Loads (or reloads) the page and waits until the client module is on `window.caucus`. */
export async function load(page: Page, url?: string): Promise<void> {
  if (url) await page.goto(url);
  else await page.reload();
  await page.waitForFunction(
    () => (globalThis as unknown as { document: { title: string } }).document.title === 'ready',
  );
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
