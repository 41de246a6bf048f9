/**
 * The web bench's world: the PWA built as the browser tests build it, a real server on loopback
 * (port 0) serving it, one headless Chromium, Alice signed up through the UI with a workspace of
 * many threads, and Bob, a second user in his own browser context, added as an editor.
 */
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newId } from '@caucus/schema';
import {
  addMember,
  api,
  createThread,
  signup,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../../support/server.js';
import { buildWebApp, launchChromium, newContext, PASSWORD, signUpInUi } from '../../web/browser.js';

/** Threads one account creates within the server's intent burst (300 per user). */
const THREADS_PER_CREATOR = 250;
const BATCH = 100;

export interface WebWorld {
  server: TestServer;
  browser: Browser;
  alice: BrowserContext;
  aliceUser: TestUser;
  bob: BrowserContext;
  bobUser: TestUser;
  workspaceId: string;
  /** A thread of the workspace, its body empty, for typing. */
  threadPath: string;
  close(): Promise<void>;
}

async function login(base: string, email: string, name: string): Promise<TestUser> {
  const res = await api<{ user: { id: string }; accessToken: string; refreshToken: string }>(
    base,
    'POST',
    '/api/auth/login',
    { body: { email, password: PASSWORD } },
  );
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const ws = await api<{ workspaces: Array<{ id: string }> } | Array<{ id: string }>>(
    base,
    'GET',
    '/api/workspaces',
    { token: res.body.accessToken },
  );
  const list = Array.isArray(ws.body) ? ws.body : ws.body.workspaces;
  return {
    id: res.body.user.id,
    email,
    name,
    accessToken: res.body.accessToken,
    refreshToken: res.body.refreshToken,
    workspaceId: list[0]?.id ?? '',
  };
}

/** `count` threads in the workspace, `thread.create` intents in batches of 100, one creator per 250. */
async function createThreads(base: string, creators: TestUser[], workspaceId: string, count: number) {
  await Promise.all(
    creators.map(async (user, c) => {
      const mine = Array.from({ length: count }, (_, i) => i).filter(
        (i) => Math.floor(i / THREADS_PER_CREATOR) === c,
      );
      for (let at = 0; at < mine.length; at += BATCH) {
        const intents = mine.slice(at, at + BATCH).map((i) => ({
          id: newId(),
          type: 'thread.create',
          args: { threadId: newId(), workspaceId, title: `Bench thread ${String(i + 1).padStart(4, '0')}` },
        }));
        const res = await api<{ results: Array<{ status: string }> }>(base, 'POST', '/api/intents', {
          token: user.accessToken,
          body: { intents },
        });
        const refused = res.body.results?.filter((r) => r.status !== 'accepted') ?? [res.body];
        if (res.status !== 200 || refused.length > 0)
          throw new Error(`thread.create: ${res.status} ${JSON.stringify(refused[0])}`);
      }
    }),
  );
}

export async function startWebWorld(threads: number, log: (line: string) => void): Promise<WebWorld> {
  log('  building apps/web');
  const webDir = await buildWebApp();
  const server = await startTestServer({ webDir });
  const browser = await launchChromium();
  const close = async () => {
    await browser.close();
    await server.stop();
    rmSync(webDir, { recursive: true, force: true });
  };
  try {
    const stamp = Date.now();
    const alice = await newContext(browser, server.url);
    const page = await alice.newPage();
    const aliceEmail = `alice-${stamp}@bench.test`;
    await signUpInUi(page, 'Alice Bench', aliceEmail);
    await page.close();
    const aliceUser = await login(server.url, aliceEmail, 'Alice Bench');
    const workspaceId = aliceUser.workspaceId;

    const helpers = await Promise.all(
      Array.from({ length: Math.ceil(threads / THREADS_PER_CREATOR) - 1 }, (_, i) =>
        signup(server.url, `helper${i}`),
      ),
    );
    for (const helper of helpers) await addMember(server.url, aliceUser, workspaceId, helper, 'editor');
    const t0 = performance.now();
    await createThreads(server.url, [aliceUser, ...helpers], workspaceId, threads - 1);
    const threadId = await createThread(server.url, aliceUser, workspaceId, 'Typing bench');
    log(`  ${threads} threads created in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const bob = await newContext(browser, server.url);
    const bobPage = await bob.newPage();
    const bobEmail = `bob-${stamp}@bench.test`;
    await signUpInUi(bobPage, 'Bob Bench', bobEmail);
    await bobPage.close();
    const bobUser = await login(server.url, bobEmail, 'Bob Bench');
    await addMember(server.url, aliceUser, workspaceId, bobUser, 'editor');
    return {
      server,
      browser,
      alice,
      aliceUser,
      bob,
      bobUser,
      workspaceId,
      threadPath: `/threads/${threadId}`,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Resolves once the page's service worker is active (the app shell is cached for offline). */
export async function serviceWorkerActive(page: Page, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    async () => {
      const sw = (
        globalThis as unknown as {
          navigator: {
            serviceWorker: { getRegistrations(): Promise<Array<{ active: { state: string } | null }>> };
          };
        }
      ).navigator.serviceWorker;
      const regs = await sw.getRegistrations();
      return regs.some((r) => r.active?.state === 'activated');
    },
    undefined,
    { timeout: timeoutMs, polling: 200 },
  );
}
