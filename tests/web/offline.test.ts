/**
 * The PWA offline in real Chromium: after one visit the app opens from its service worker with
 * the network cut, edits and a queued decision survive a reload offline, and back online the
 * server has them all and the verdict shows. A viewer sees the editor read-only and the decision
 * actions disabled with the policy's reason.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addMember, api, signup, type TestUser } from '../support/server.js';
import {
  cspViolations,
  editorText,
  expectNoSeriousA11yViolations,
  PASSWORD,
  screenshot,
  signUpInUi,
  useWebHarness,
} from './support.js';

const h = useWebHarness();
const context = () => h.context();

async function typeInEditor(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

interface ServiceWorkerLike {
  getRegistrations(): Promise<Array<{ active: { state: string } | null }>>;
}

const status = (page: Page) => page.getByTestId('sync-status');

describe('the PWA offline', () => {
  const aliceEmail = `alice-${Date.now()}@example.test`;
  let alice: BrowserContext;
  let page: Page;
  let threadPath: string;
  let workspaceId: string;
  let token: string;
  let carol: Page;

  it('keeps edits and a queued decision through an offline reload, and sends them when back online', async () => {
    alice = await context();
    page = await alice.newPage();
    await signUpInUi(page, 'Alice Offline', aliceEmail);
    await page.getByLabel('New thread title').fill('Train notes');
    await page.getByRole('button', { name: 'Start thread' }).click();
    await page.waitForURL(/\/threads\/[0-9a-f-]+$/);
    threadPath = new URL(page.url()).pathname;
    await typeInEditor(page, 'Online words.');
    await expect.poll(() => status(page).innerText(), { timeout: 15_000 }).toContain('0 queued');
    // The service worker has the app shell before the network goes.
    await expect
      .poll(
        () =>
          page.evaluate(async () => {
            const sw = (globalThis as unknown as { navigator: { serviceWorker: ServiceWorkerLike } })
              .navigator.serviceWorker;
            const regs = await sw.getRegistrations();
            return regs.some((r) => r.active?.state === 'activated');
          }),
        { timeout: 20_000 },
      )
      .toBe(true);

    await alice.setOffline(true);
    await expect.poll(() => status(page).getAttribute('data-state'), { timeout: 15_000 }).toBe('offline');
    await typeInEditor(page, ' Offline words.');
    await page.getByLabel('Proposal').fill('Ship it');
    await page.getByRole('button', { name: 'Propose' }).click();
    await page.getByTestId('decision-queued').waitFor();
    await expect.poll(() => status(page).innerText()).toContain('1 queued');
    await screenshot(page, 'thread-offline');

    await page.reload();
    await page.getByRole('heading', { name: 'Train notes' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => editorText(page), { timeout: 15_000 }).toContain('Online words. Offline words.');
    await expect.poll(() => status(page).innerText(), { timeout: 15_000 }).toContain('1 queued');
    await page.getByTestId('decision-queued').waitFor();
    expect(await page.getByTestId('decision').locator('h3').innerText()).toBe('Ship it');

    await alice.setOffline(false);
    await expect.poll(() => status(page).innerText(), { timeout: 20_000 }).toContain('0 queued');
    await expect
      .poll(() => page.getByTestId('decision-verdict').innerText(), { timeout: 20_000 })
      .toContain('decision.propose: accepted');
    await expect
      .poll(() => page.getByTestId('decision-status').innerText(), { timeout: 20_000 })
      .toBe('open');

    const login = await api<{ accessToken: string }>(h.server.url, 'POST', '/api/auth/login', {
      body: { email: aliceEmail, password: PASSWORD },
    });
    token = login.body.accessToken;
    const threadId = threadPath.split('/').pop() ?? '';
    await expect
      .poll(
        async () =>
          (await api<{ body: string }>(h.server.url, 'GET', `/api/threads/${threadId}`, { token })).body.body,
        { timeout: 20_000 },
      )
      .toContain('Online words. Offline words.');
    const thread = await api<{ workspaceId: string }>(h.server.url, 'GET', `/api/threads/${threadId}`, {
      token,
    });
    const decisions = await api<{ decisions: Array<{ title: string; threadId: string }> }>(
      h.server.url,
      'GET',
      `/api/decisions?workspaceId=${thread.body.workspaceId}`,
      { token },
    );
    workspaceId = thread.body.workspaceId;
    expect(decisions.body.decisions.map((d) => [d.title, d.threadId])).toContainEqual(['Ship it', threadId]);
    await screenshot(page, 'thread-decision');
    await expectNoSeriousA11yViolations(page, 'thread with a decision');
    expect(await cspViolations(page)).toEqual([]);
  }, 180_000);

  it('shows a viewer the editor read-only and the decision actions disabled with the reason', async () => {
    const carolContext = await context();
    carol = await carolContext.newPage();
    const carolEmail = `carol-${Date.now()}@example.test`;
    await signUpInUi(carol, 'Carol Viewer', carolEmail);
    await page.goto('/');
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByLabel('Email').fill(carolEmail);
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Invite' }).click();
    await expect
      .poll(() => h.server.invitations.find((i) => i.email === carolEmail)?.link, { timeout: 15_000 })
      .toBeTruthy();
    const invitation = h.server.invitations.find((i) => i.email === carolEmail);
    await carol.goto(invitation?.link ?? '/');
    await carol.getByRole('button', { name: 'Accept' }).click();
    await carol.waitForURL(/\/workspaces\//);

    await carol.goto(threadPath);
    await expect.poll(() => editorText(carol), { timeout: 15_000 }).toContain('Online words. Offline words.');
    await expect
      .poll(() => carol.getByTestId('editor').getAttribute('data-readonly'), { timeout: 15_000 })
      .toBe('true');
    expect(await carol.locator('.cm-content').getAttribute('contenteditable')).toBe('false');
    await carol.getByTestId('read-only').waitFor();
    const approve = carol.getByTestId('decision').getByRole('button', { name: 'Approve' });
    await expect.poll(() => approve.isDisabled(), { timeout: 15_000 }).toBe(true);
    const reasons = await carol.getByTestId('action-reason').allInnerTexts();
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.join(' ')).toMatch(/approver|role|viewer/i);
    expect(await carol.getByRole('button', { name: 'Propose' }).isDisabled()).toBe(true);
    expect(await carol.getByRole('button', { name: 'Send' }).count()).toBe(0);
    await screenshot(carol, 'thread-viewer');
    await expectNoSeriousA11yViolations(carol, 'thread as a viewer');
    expect(await cspViolations(carol)).toEqual([]);
  }, 120_000);

  it('lists a private thread beside the workspace threads for its member, and not for anyone else', async () => {
    const threadId = crypto.randomUUID();
    const created = await api<{ results: Array<{ status: string }> }>(h.server.url, 'POST', '/api/intents', {
      token,
      body: {
        intents: [
          {
            id: crypto.randomUUID(),
            type: 'thread.create',
            args: { threadId, workspaceId, title: 'Salary review', visibility: 'private' },
          },
        ],
      },
    });
    expect(created.body.results[0]?.status).toBe('accepted');

    await page.goto('/');
    const list = page.getByTestId('thread-list');
    const row = list.getByRole('listitem').filter({ hasText: 'Salary review' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('.tag').innerText()).toBe('private');
    await expect.poll(() => list.innerText()).toContain('Train notes');
    await screenshot(page, 'thread-list-private');

    // Carol is in the workspace, not in the thread: she sees the workspace's thread, not this one.
    await carol.goto('/');
    const carolList = carol.getByTestId('thread-list');
    await expect.poll(() => carolList.innerText(), { timeout: 15_000 }).toContain('Train notes');
    expect(await carolList.innerText()).not.toContain('Salary review');
  }, 60_000);
  it('shows the workspace dashboard, and offline the last figures it saw', async () => {
    await page.goto(`/workspaces/${workspaceId}/dashboard`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const dashboard = page.getByTestId('dashboard');
    await dashboard.waitFor({ timeout: 15_000 });
    // Train notes and Salary review; the decision proposed offline is open, and new.
    expect(await page.getByTestId('dash-threads-active').innerText()).toBe('2');
    expect(await page.getByTestId('dash-decisions-open').innerText()).toBe('1');
    expect(await page.getByTestId('dash-aging-day').innerText()).toBe('1');
    await screenshot(page, 'dashboard');
    await expectNoSeriousA11yViolations(page, 'dashboard');
    // Carol, a viewer, sees the workspace's thread only: the private one is not counted for her.
    await carol.goto(`/workspaces/${workspaceId}/dashboard`);
    await carol.getByTestId('dashboard').waitFor({ timeout: 15_000 });
    expect(await carol.getByTestId('dash-threads-active').innerText()).toBe('1');

    await page.context().setOffline(true);
    await page.reload();
    await page.getByTestId('dashboard').waitFor({ timeout: 15_000 });
    expect(await page.getByRole('status').filter({ hasText: 'You are offline.' }).count()).toBe(1);
    expect(await page.getByTestId('dash-threads-active').innerText()).toBe('2');
    await page.context().setOffline(false);
  }, 60_000);

  it('lists the open decisions by how long they have been open, and the checkpoints awaiting me, offline too', async () => {
    // An editor asks to archive the thread: a checkpoint that waits for an approver — Alice.
    const dave = await signup(h.server.url, 'dave');
    await addMember(h.server.url, { accessToken: token } as TestUser, workspaceId, dave, 'editor');
    const threadId = threadPath.split('/').pop() ?? '';
    const asked = await api<{ results: Array<{ status: string }> }>(h.server.url, 'POST', '/api/intents', {
      token: dave.accessToken,
      body: { intents: [{ id: crypto.randomUUID(), type: 'thread.archive', args: { threadId } }] },
    });
    expect(asked.body.results[0]?.status).toBe('awaiting-approval');

    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Decisions' }).click();
    await page.waitForURL(`**/workspaces/${workspaceId}/decisions`);
    const today = page.getByTestId('aging-day');
    await expect.poll(() => today.innerText(), { timeout: 15_000 }).toContain('Ship it');
    expect(await page.getByTestId('open-decision').count()).toBe(1);
    const awaiting = page.getByTestId('awaiting-checkpoints');
    await expect.poll(() => awaiting.innerText(), { timeout: 15_000 }).toMatch(/archive/i);
    await screenshot(page, 'decisions');
    await expectNoSeriousA11yViolations(page, 'decisions');

    // From the documents on the device: the same list offline, typed in.
    await page.context().setOffline(true);
    await page.goto(`/workspaces/${workspaceId}/decisions`);
    await expect
      .poll(() => page.getByTestId('aging-day').innerText(), { timeout: 15_000 })
      .toContain('Ship it');
    const link = page.getByTestId('open-decision').getByRole('link', { name: 'Ship it' });
    expect(await link.getAttribute('href')).toMatch(/^\/decisions\/[0-9a-f-]+$/);
    await page.context().setOffline(false);
  }, 90_000);
});
