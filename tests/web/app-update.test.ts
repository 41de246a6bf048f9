/**
 * The PWA's own lifecycle in real Chromium: a new version of the app (a changed service worker on
 * a restarted server) is offered, not applied, and its "Update now" waits while anything is
 * unsent; and when the browser refuses persistent storage, unsynced work comes with a warning.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';
import { signUpInUi, useWebHarness } from './support.js';

const h = useWebHarness();

interface Registration {
  waiting: unknown;
  active: { scriptURL: string } | null;
  update(): Promise<void>;
}

const registration = (page: Page) =>
  page.evaluate(async () => {
    const sw = (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<Registration> } } })
      .navigator.serviceWorker;
    const reg = await sw.ready;
    return { waiting: reg.waiting !== null, active: reg.active !== null };
  });

async function typeInEditor(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

describe('the PWA updating itself', () => {
  it('offers a new version, and does not apply it while edits are unsent', { timeout: 180_000 }, async () => {
    const context = await h.context();
    // The browser's answer to "may this site's storage persist?" is its own; here it says no.
    await context.addInitScript(() => {
      const storage = (
        globalThis as unknown as { navigator?: { storage?: { persisted: () => Promise<boolean> } } }
      ).navigator?.storage;
      if (storage) storage.persisted = () => Promise.resolve(false);
    });
    const page = await context.newPage();
    // Reopening a thread just created once looped until the stack overflowed (a refusal the
    // client kept while background sync held the document): nothing may throw in the page.
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signUpInUi(page, 'Uri Updater', `updater-${Date.now()}@example.test`);
    await page.getByLabel('New thread title').fill('Release notes');
    await page.getByRole('button', { name: 'Start thread' }).click();
    await page.waitForURL(/\/threads\/[0-9a-f-]+$/);
    await expect
      .poll(() => registration(page), { timeout: 30_000 })
      .toEqual({ waiting: false, active: true });
    // A later visit (once the new thread is saved): the page is the worker's now (the first one
    // loaded before it installed).
    await expect
      .poll(() => page.getByTestId('sync-status').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('online');
    await page.reload();
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (globalThis as unknown as { navigator: { serviceWorker: { controller: unknown } } }).navigator
              .serviceWorker.controller !== null,
        ),
      )
      .toBe(true);
    await page.getByRole('heading', { name: 'Release notes' }).waitFor({ timeout: 15_000 });
    const warning = page.getByText('This browser may clear unsynced work');
    await expect
      .poll(() => page.getByTestId('sync-status').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('online');
    expect(await warning.count()).toBe(0);

    // A new release: the same server's data and port, a service worker that differs.
    const { dataDir, config, url } = h.server;
    const webDir = config.webDir ?? '';
    const port = Number(new URL(url).port);
    await h.server.stop({ keepData: true });
    appendFileSync(join(webDir, 'sw.js'), `\n// release ${Date.now()}\n`);
    h.server = await startTestServer({ dataDir, port, webDir });
    await page.evaluate(async () => {
      const sw = (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<Registration> } } })
        .navigator.serviceWorker;
      await (await sw.ready).update();
    });
    await expect.poll(() => registration(page), { timeout: 30_000 }).toEqual({ waiting: true, active: true });
    const offer = page.getByText('A new version of Caucus is ready.');
    await offer.waitFor({ timeout: 15_000 });
    const update = page.getByRole('button', { name: 'Update now' });
    await expect
      .poll(() => page.getByTestId('sync-status').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('online');
    expect(await update.isEnabled()).toBe(true);

    // Offline edits: unsent, so the update waits (and the refused storage is said out loud).
    await context.setOffline(true);
    await typeInEditor(page, 'Written on the way.');
    await expect.poll(() => update.isDisabled(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByText(/waits until your \d+ unsent change\(s\) are saved/).count()).toBe(1);
    await warning.waitFor({ timeout: 15_000 });
    expect((await registration(page)).waiting).toBe(true);

    // Saved: the warning goes, the update may be applied, and applying it swaps the worker.
    await context.setOffline(false);
    await expect.poll(() => update.isEnabled(), { timeout: 30_000 }).toBe(true);
    expect(await warning.count()).toBe(0);
    await Promise.all([page.waitForEvent('load'), update.click()]);
    await expect
      .poll(() => registration(page), { timeout: 30_000 })
      .toEqual({ waiting: false, active: true });
    await page.getByRole('heading', { name: 'Release notes' }).waitFor({ timeout: 15_000 });
    await expect
      .poll(() => page.locator('.cm-content').innerText(), { timeout: 15_000 })
      .toContain('Written on the way.');
    expect(await page.getByText('A new version of Caucus is ready.').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
