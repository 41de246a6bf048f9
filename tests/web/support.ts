/**
 * The browser tests' parts: the PWA built once per file with vite's build API into a temp dir, a
 * real server on port 0 serving it, one headless Chromium (Debian's, driven by playwright-core),
 * axe-core run inside the page, and screenshots kept in tests/web/screenshots/ (gitignored).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

export const WEB_ROOT = fileURLToPath(new URL('../../apps/web/', import.meta.url));
export const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));
export const PASSWORD = 'correct horse battery';

/**
 * Builds apps/web into a fresh directory and answers it. In a child process: workbox-build's
 * bundling of the service worker breaks under vitest's module loader (CommonJS interop).
 */
export async function buildWebApp(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'caucus-web-build-'));
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'],
    {
      cwd: WEB_ROOT,
    },
  );
  return outDir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/** A context whose pages record every CSP violation in `window.__cspViolations`. */
export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1100, height: 800 } });
  await context.addInitScript(`
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));
  `);
  // CAUCUS_WEB_DEBUG=1 prints what the pages log and throw.
  if (process.env.CAUCUS_WEB_DEBUG)
    context.on('page', (page) => {
      page.on('console', (m) => console.log(`[page] ${m.type()} ${m.text()}`));
      page.on('pageerror', (e) => console.log(`[page error] ${e.message} ${e.stack ?? ''}`));
    });
  return context;
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations);
}

export async function signUpInUi(page: Page, name: string, email: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'New here? Create an account' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Threads' }).waitFor();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

/** Runs axe-core in the page (evaluated, not a script tag: the CSP allows no inline script). */
export async function expectNoSeriousA11yViolations(page: Page, screen: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `${screen}: ${JSON.stringify(serious, null, 2)}`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
}

/** The text of the thread's body editor (CodeMirror in its shadow root; locators pierce it). */
export function editorText(page: Page): Promise<string> {
  return page.locator('.cm-content').innerText();
}

export interface WebHarness {
  /** The server serving the built app (set once the file's hooks ran). */
  server: TestServer;
  /** A new browser context on the server's origin (or `baseURL`, e.g. a proxy's), closed after the file. */
  context(baseURL?: string): Promise<BrowserContext>;
}

/** One build of the app, one server and one Chromium per test file, started and stopped by hooks. */
export function useWebHarness(): WebHarness {
  let webDir: string | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const h = {
    server: undefined as unknown as TestServer,
    async context(baseURL?: string) {
      if (!browser) throw new Error('the web harness has not started');
      const c = await newContext(browser, baseURL ?? h.server.url);
      contexts.push(c);
      return c;
    },
  };
  beforeAll(async () => {
    webDir = await buildWebApp();
    h.server = await startTestServer({ webDir });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await h.server?.stop();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });
  return h;
}
