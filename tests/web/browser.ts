/**
 * The browser parts the web tests and the web bench share, with no test runner in them: the PWA
 * built with vite into a temp dir, one headless Chromium (Debian's, driven by playwright-core),
 * contexts that record CSP violations, signing up through the UI, the editor's text.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const WEB_ROOT = fileURLToPath(new URL('../../apps/web/', import.meta.url));
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

/** The text of the thread's body editor (CodeMirror in its shadow root; locators pierce it). */
export function editorText(page: Page): Promise<string> {
  return page.locator('.cm-content').innerText();
}
