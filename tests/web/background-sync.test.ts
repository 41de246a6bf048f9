/**
 * Background sync in real Chromium: the workspace's threads are kept synced though never opened,
 * so a thread written by another client while this page only showed the list reads offline after
 * a reload; the setting bounds how many thread documents the page holds; only the tab leading the
 * shared connection holds them.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { THREAD_ROOTS } from '@caucus/schema';
import { connectClient, synced } from '../support/providers.js';
import { api } from '../support/server.js';
import {
  editorText,
  expectNoSeriousA11yViolations,
  PASSWORD,
  screenshot,
  signUpInUi,
  useWebHarness,
} from './support.js';

const h = useWebHarness();

interface ServiceWorkerLike {
  getRegistrations(): Promise<Array<{ active: { state: string } | null }>>;
}

const limitInput = (page: Page) => page.getByLabel(/threads available offline/);
const kept = (page: Page) =>
  page
    .getByTestId('offline-threads')
    .getAttribute('data-kept', { timeout: 1_000 })
    .catch(() => '0');
const syncedText = (page: Page) =>
  page
    .getByTestId('offline-threads')
    .innerText({ timeout: 1_000 })
    .catch(() => '');

async function setLimit(page: Page, n: number): Promise<void> {
  await limitInput(page).fill(String(n));
  await limitInput(page).press('Enter');
}

describe('background sync', () => {
  const email = `bg-${Date.now()}@example.test`;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let workspaceId: string;
  const threads: string[] = [];

  async function createThread(workspaceId: string, title: string): Promise<string> {
    const threadId = crypto.randomUUID();
    const res = await api<{ results: Array<{ status: string }> }>(h.server.url, 'POST', '/api/intents', {
      token,
      body: {
        intents: [{ id: crypto.randomUUID(), type: 'thread.create', args: { threadId, workspaceId, title } }],
      },
    });
    expect(res.body.results[0]?.status).toBe('accepted');
    return threadId;
  }

  it('keeps a never-opened thread written by another client readable offline', async () => {
    context = await h.context();
    page = await context.newPage();
    await signUpInUi(page, 'Bea Background', email);
    // Nothing kept while the threads are made and written: what the page syncs later has it all.
    await setLimit(page, 0);
    expect(await limitInput(page).inputValue()).toBe('0');

    const login = await api<{ accessToken: string }>(h.server.url, 'POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    token = login.body.accessToken;
    const list = await api<{ workspaces: Array<{ id: string; personal: boolean }> }>(
      h.server.url,
      'GET',
      '/api/workspaces',
      { token },
    );
    workspaceId = list.body.workspaces.find((w) => w.personal)?.id ?? '';
    expect(workspaceId).not.toBe('');
    for (const title of ['First plans', 'Second plans', 'Third plans'])
      threads.push(await createThread(workspaceId, title));
    const [, written] = threads as [string, string, string];
    await expect
      .poll(() => page.getByTestId('thread-list').innerText(), { timeout: 15_000 })
      .toContain('Third plans');

    // Another client (the official y-websocket one) writes the body of a thread this page never opened.
    const other = connectClient(h.server.wsUrl, `thread:${written}`, token);
    await synced(other);
    other.doc.getText(THREAD_ROOTS.body).insert(0, 'Written elsewhere, read offline.');
    await expect
      .poll(
        async () =>
          (await api<{ body: string }>(h.server.url, 'GET', `/api/threads/${written}`, { token })).body.body,
        { timeout: 20_000 },
      )
      .toContain('Written elsewhere');
    other.destroy();

    await setLimit(page, 50);
    await expect.poll(() => syncedText(page), { timeout: 20_000 }).toBe('3 of 3 synced');
    expect(await kept(page)).toBe('3');
    await screenshot(page, 'thread-list-offline-setting');
    await expectNoSeriousA11yViolations(page, 'thread list with the offline setting');

    await expect
      .poll(
        () =>
          page.evaluate(async () => {
            const sw = (globalThis as unknown as { navigator: { serviceWorker: ServiceWorkerLike } })
              .navigator.serviceWorker;
            return (await sw.getRegistrations()).some((r) => r.active?.state === 'activated');
          }),
        { timeout: 20_000 },
      )
      .toBe(true);

    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: 'Threads' }).waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: 'Second plans' }).click();
    await page.waitForURL(new RegExp(`/threads/${written}$`));
    await expect
      .poll(() => editorText(page), { timeout: 15_000 })
      .toContain('Written elsewhere, read offline.');
    await context.setOffline(false);
  }, 180_000);

  it('holds no more thread documents than the setting says, and remembers it', async () => {
    await page.goto('/');
    await expect.poll(() => kept(page), { timeout: 15_000 }).toBe('3');
    await setLimit(page, 1);
    await expect.poll(() => kept(page), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => syncedText(page), { timeout: 15_000 }).toBe('1 of 1 synced');

    // Kept in localStorage: after a reload the page holds one again.
    await page.reload();
    await page.getByRole('heading', { name: 'Threads' }).waitFor();
    expect(await limitInput(page).inputValue()).toBe('1');
    await expect.poll(() => kept(page), { timeout: 15_000 }).toBe('1');
    await setLimit(page, 2);
    await expect.poll(() => kept(page), { timeout: 15_000 }).toBe('2');
  }, 60_000);

  it('runs in the leading tab only, then in the next one; clamps the setting; keeps private threads too', async () => {
    const second = await context.newPage();
    await second.goto('/');
    await second.getByRole('heading', { name: 'Threads' }).waitFor();
    await expect.poll(() => second.getByTestId('thread-list').innerText()).toContain('Third plans');
    // The second tab follows: the first keeps the documents for both (one IndexedDB, one socket).
    expect(await second.getByTestId('offline-threads').count()).toBe(0);
    expect(await kept(page)).toBe('2');
    await page.close();
    await expect.poll(() => kept(second), { timeout: 15_000 }).toBe('2');
    await expect.poll(() => syncedText(second), { timeout: 15_000 }).toBe('2 of 2 synced');

    // Out of range is brought into it: below 0 keeps none.
    await setLimit(second, -5);
    expect(await limitInput(second).inputValue()).toBe('0');
    await expect.poll(() => second.getByTestId('offline-threads').count()).toBe(0);
    // A private thread the user is in (listed in the inbox, not the workspace catalog) is kept too.
    const threadId = crypto.randomUUID();
    const res = await api<{ results: Array<{ status: string }> }>(h.server.url, 'POST', '/api/intents', {
      token,
      body: {
        intents: [
          {
            id: crypto.randomUUID(),
            type: 'thread.create',
            args: { threadId, workspaceId, title: 'Private plans', visibility: 'private' },
          },
        ],
      },
    });
    expect(res.body.results[0]?.status).toBe('accepted');
    await expect.poll(() => second.getByTestId('thread-list').innerText()).toContain('Private plans');
    await setLimit(second, 50);
    await expect.poll(() => syncedText(second), { timeout: 15_000 }).toBe('4 of 4 synced');
  }, 60_000);
});
