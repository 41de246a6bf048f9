/**
 * Offline reload to an interactive thread list: after one visit online (service worker active,
 * the workspace catalog in IndexedDB), the network is cut and the list page reloaded again and
 * again. Inside the page, from navigation start (performance.now()'s origin):
 * - `rows`: a MutationObserver's first sight of the list holding every thread's row;
 * - `interactive`: the task after the next frame once the rows are there — painted, and the main
 *   thread free, so a click or keystroke would be handled at once (no long task still running).
 * The search box and the new-thread form render with the list; that the page takes input is
 * checked after each reload by typing into the search box.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { serviceWorkerActive } from './setup.js';

/** apps/web/src/lib/background-sync.ts's setting: how many threads are kept offline. */
const LIMIT_KEY = 'caucus:offline-threads';

export interface ReloadTiming {
  /** The service worker answered the document (navigation timing's responseEnd). */
  document: number;
  domContentLoaded: number;
  rows: number;
  interactive: number;
  /** Background sync on (the default, 50 threads kept offline) or off (the setting at 0). */
  background: boolean;
}

/** Runs in the page before its scripts, on every navigation (a string: no DOM types here). */
const watchList = (expected: number) => `(() => {
  const mark = {};
  globalThis.__listTiming = mark;
  const observer = new MutationObserver(() => {
    const list = document.querySelector('[data-testid="thread-list"]');
    if (!list || list.querySelectorAll(':scope > li > a').length < ${expected}) return;
    mark.rows = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => { mark.interactive = performance.now(); }, 0));
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;

async function timing(page: Page): Promise<Omit<ReloadTiming, 'background'>> {
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { __listTiming?: { interactive?: number } }).__listTiming?.interactive !==
      undefined,
    undefined,
    { timeout: 30_000, polling: 50 },
  );
  return page.evaluate<Omit<ReloadTiming, 'background'>>(`(() => {
    const mark = globalThis.__listTiming;
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      document: nav.responseEnd,
      domContentLoaded: nav.domContentLoadedEventEnd,
      rows: mark.rows,
      interactive: mark.interactive,
    };
  })()`);
}

/** CAUCUS_WEB_PROFILE=<dir>: the last reload's CPU profile (open it in Chrome's DevTools). */
async function startProfile(page: Page): Promise<{ stop(file: string): Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await cdp.send('Profiler.stop');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      await cdp.detach();
    },
  };
}

/**
 * Visits the list online once, then reloads it offline `2 × (1 + reloads)` times, alternating
 * background sync on and off (the first two warm-ups, not counted). Leaves the context online again.
 */
export async function measureOfflineReload(
  context: BrowserContext,
  workspaceId: string,
  threads: number,
  reloads: number,
): Promise<ReloadTiming[]> {
  const page = await context.newPage();
  await page.addInitScript(watchList(threads));
  try {
    await page.goto(`/workspaces/${workspaceId}`);
    await timing(page);
    await serviceWorkerActive(page);
    await page.getByTestId('sync-status').and(page.locator('[data-state="online"]')).waitFor();
    await context.setOffline(true);
    const timings: ReloadTiming[] = [];
    for (let i = 0; i < 2 * reloads + 2; i++) {
      // Odd reloads without background sync (no thread documents kept offline): what it costs.
      const background = i % 2 === 0;
      await page.evaluate(
        background ? `localStorage.removeItem('${LIMIT_KEY}')` : `localStorage.setItem('${LIMIT_KEY}', '0')`,
      );
      const profiling = i === 2 * reloads && process.env.CAUCUS_WEB_PROFILE ? await startProfile(page) : null;
      await page.reload({ waitUntil: 'commit' });
      const t = await timing(page);
      if (profiling)
        await profiling.stop(join(process.env.CAUCUS_WEB_PROFILE ?? '.', 'offline-reload.cpuprofile'));
      // Interactive means it: the search box takes what is typed.
      const search = page.getByRole('searchbox');
      await search.fill(`probe ${i}`);
      if ((await search.inputValue()) !== `probe ${i}`) throw new Error('the search box took no input');
      if ((await page.getByTestId('sync-status').getAttribute('data-state')) !== 'offline')
        throw new Error('the reloaded page is not offline');
      if (i > 1) timings.push({ ...t, background });
    }
    return timings;
  } finally {
    await context.setOffline(false);
    await page.close();
  }
}
