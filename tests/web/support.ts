/**
 * The browser tests' parts: the PWA built once per file (browser.ts), a real server on port 0
 * serving it, one headless Chromium, axe-core run inside the page, and screenshots kept in
 * tests/web/screenshots/ (gitignored).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { buildWebApp, launchChromium, newContext } from './browser.js';

export {
  buildWebApp,
  cspViolations,
  editorText,
  launchChromium,
  newContext,
  PASSWORD,
  signUpInUi,
  WEB_ROOT,
} from './browser.js';

export const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

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
