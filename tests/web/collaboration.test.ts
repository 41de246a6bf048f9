/**
 * The PWA in real Chromium against a real server: sign up, start a thread, two tabs of one user
 * editing one body, a second user (invited as editor through the app) seeing it live with the
 * first user's cursor and name; axe-core on the main screens; no CSP violation anywhere.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { health } from '../sync/mux-support.js';
import {
  cspViolations,
  editorText,
  expectNoSeriousA11yViolations,
  screenshot,
  signUpInUi,
  useWebHarness,
} from './support.js';

const h = useWebHarness();
const context = () => h.context();

async function typeInEditor(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('End');
  await page.keyboard.type(text);
}

describe('the PWA: threads edited together', () => {
  let tab1: Page;
  let tab2: Page;
  let bob: Page;
  const bobEmail = `bob-${Date.now()}@example.test`;

  it('two tabs and a second user edit one thread body live, cursor and name included', async () => {
    const alice = await context();
    tab1 = await alice.newPage();
    await tab1.goto('/');
    await tab1.getByRole('heading', { name: 'Sign in to Caucus' }).waitFor();
    await screenshot(tab1, 'sign-in');
    await expectNoSeriousA11yViolations(tab1, 'sign in');
    await signUpInUi(tab1, 'Alice Example', `alice-${Date.now()}@example.test`);
    await screenshot(tab1, 'thread-list-empty');
    await expectNoSeriousA11yViolations(tab1, 'thread list');

    await tab1.getByLabel('New thread title').fill('Budget 2027');
    await tab1.getByRole('button', { name: 'Start thread' }).click();
    await tab1.waitForURL(/\/threads\/[0-9a-f-]+$/);
    const threadPath = new URL(tab1.url()).pathname;
    await tab1.getByRole('heading', { name: 'Budget 2027' }).waitFor();
    await typeInEditor(tab1, 'Hello from tab one.');

    tab2 = await alice.newPage();
    await tab2.goto(threadPath);
    await expect.poll(() => editorText(tab2), { timeout: 15_000 }).toContain('Hello from tab one.');
    await typeInEditor(tab2, ' And tab two.');
    await expect
      .poll(() => editorText(tab1), { timeout: 15_000 })
      .toContain('Hello from tab one. And tab two.');
    await expect.poll(() => tab1.getByTestId('sync-status').getAttribute('data-state')).not.toBe('offline');

    // Bob signs up in another browser context; Alice invites him as an editor from the app.
    const bobContext = await context();
    bob = await bobContext.newPage();
    await signUpInUi(bob, 'Bob Example', bobEmail);
    await tab1.getByRole('link', { name: 'Members' }).click();
    await tab1.getByRole('heading', { name: 'Members' }).waitFor();
    await tab1.getByLabel('Email').fill(bobEmail);
    await tab1.getByLabel('Role', { exact: true }).selectOption('editor');
    await tab1.getByRole('button', { name: 'Invite' }).click();
    await screenshot(tab1, 'members');
    await expectNoSeriousA11yViolations(tab1, 'members');

    // The invitation reaches Bob's inbox live: the badge, then its link, then Accept.
    await bob.getByTestId('unread-badge').waitFor({ timeout: 15_000 });
    await bob.getByRole('link', { name: /^Inbox/ }).click();
    await bob.getByRole('heading', { name: 'Inbox' }).waitFor();
    await screenshot(bob, 'inbox');
    await expectNoSeriousA11yViolations(bob, 'inbox');
    await bob.getByTestId('notifications').getByRole('link').first().click();
    await bob.getByRole('button', { name: 'Accept' }).click();
    await bob.waitForURL(/\/workspaces\//);

    await bob.goto(threadPath);
    await expect
      .poll(() => editorText(bob), { timeout: 15_000 })
      .toContain('Hello from tab one. And tab two.');
    expect(await bob.getByTestId('editor').getAttribute('data-readonly')).toBe('false');
    await tab1.goto(threadPath);
    await typeInEditor(tab1, ' Live for Bob.');
    await expect.poll(() => editorText(bob), { timeout: 15_000 }).toContain('Live for Bob.');
    await expect
      .poll(() => bob.locator('.cm-remote-name').allInnerTexts(), { timeout: 15_000 })
      .toContain('Alice Example');
    await expect
      .poll(() => bob.getByTestId('presence').innerText(), { timeout: 15_000 })
      .toContain('Alice Example');
    await typeInEditor(bob, ' Bob was here.');
    await expect.poll(() => editorText(tab1), { timeout: 15_000 }).toContain('Bob was here.');
    await screenshot(bob, 'thread');
    await expectNoSeriousA11yViolations(bob, 'thread');

    // The server acknowledged every change: no tab counts unsynced ones.
    for (const page of [tab1, tab2, bob])
      await expect
        .poll(() => page.getByTestId('sync-status').getAttribute('data-state'), { timeout: 15_000 })
        .toBe('online');
    for (const [name, page] of Object.entries({ tab1, tab2, bob }))
      expect(await cspViolations(page), name).toEqual([]);
  }, 180_000);

  it('a mention from another user raises the badge and a toast; mark all read clears it', async () => {
    const badge = tab1.getByTestId('unread-badge');
    const before = (await badge.count()) > 0 ? Number.parseInt(await badge.innerText(), 10) : 0;
    await bob.getByRole('combobox', { name: 'Message' }).fill('Please check this @Ali');
    await bob
      .getByRole('listbox', { name: 'Mention someone' })
      .getByRole('option', { name: 'Alice Example' })
      .waitFor();
    await bob.keyboard.press('Enter');
    await bob.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => bob.locator('.messages .mention').allInnerTexts(), { timeout: 15_000 })
      .toContain('@Alice Example');
    await expect
      .poll(() => tab1.locator('.messages').innerText(), { timeout: 15_000 })
      .toContain('@Alice Example');
    // Alice has it on screen: Bob sees it read, under his message.
    await expect
      .poll(() => bob.getByTestId('seen-by').last().innerText(), { timeout: 15_000 })
      .toContain('Seen by Alice Example');

    await tab1.locator('.toast').first().waitFor({ timeout: 15_000 });
    await expect
      .poll(async () => Number.parseInt((await badge.innerText().catch(() => '0')) || '0', 10), {
        timeout: 15_000,
      })
      .toBeGreaterThan(before);
    await screenshot(tab1, 'thread-mention-toast');
    await tab1.getByRole('link', { name: /^Inbox/ }).click();
    await tab1.getByRole('button', { name: 'Mark all read' }).click();
    await expect.poll(() => badge.count(), { timeout: 15_000 }).toBe(0);
    await expect
      .poll(() => tab1.getByRole('button', { name: 'Mark all read' }).isDisabled(), { timeout: 15_000 })
      .toBe(true);
    expect(await cspViolations(tab1)).toEqual([]);
  }, 60_000);

  it('saves notification preferences: a muted kind, a channel, the digest hour and time zone', async () => {
    // tab1 is on the inbox after the test above.
    await tab1.getByRole('heading', { name: 'Preferences' }).waitFor();
    const prefs = () =>
      h.server.server.db.$client
        .prepare('SELECT muted_kinds AS muted, delivery, digest_hour AS hour, time_zone AS zone FROM prefs')
        .all() as Array<{ muted: string; delivery: string; hour: number | null; zone: string }>;
    await tab1.getByRole('group', { name: 'Muted kinds' }).getByLabel('success').check();
    await tab1.getByLabel('Deliver info').selectOption('email');
    await tab1.getByLabel('Digest at').selectOption('9');
    await tab1.getByLabel('Time zone').selectOption('Europe/Berlin');
    await expect
      .poll(
        () =>
          prefs().map((p) => [
            JSON.parse(p.muted) as string[],
            (JSON.parse(p.delivery) as { info?: string }).info,
            p.hour,
            p.zone,
          ]),
        {
          timeout: 15_000,
        },
      )
      .toEqual([[['success'], 'email', 9, 'Europe/Berlin']]);
    // What the server keeps comes back through the inbox document after a reload.
    await tab1.reload();
    await tab1.getByRole('heading', { name: 'Preferences' }).waitFor();
    await expect
      .poll(() => tab1.getByLabel('Time zone').inputValue(), { timeout: 15_000 })
      .toBe('Europe/Berlin');
    expect(await tab1.getByLabel('Digest at').inputValue()).toBe('9');
    expect(await tab1.getByLabel('Deliver info').inputValue()).toBe('email');
    expect(await tab1.getByRole('group', { name: 'Muted kinds' }).getByLabel('success').isChecked()).toBe(
      true,
    );
    await expectNoSeriousA11yViolations(tab1, 'inbox and preferences');
    await screenshot(tab1, 'inbox-preferences');
  }, 60_000);

  it('a rejected intent lands in Needs attention with its reason, and can be discarded', async () => {
    // Bob is a member already: the policy cannot see emails, so the client queues the invitation
    // and the server rejects it.
    await tab1.getByRole('link', { name: 'Members' }).click();
    await tab1.getByLabel('Email').fill(bobEmail);
    await tab1.getByRole('button', { name: 'Invite' }).click();
    const attention = tab1.getByRole('button', { name: /^Needs attention \(1\)$/ });
    await attention.waitFor({ timeout: 15_000 });
    await attention.click();
    const tray = tab1.getByRole('list', { name: 'Needs attention' });
    expect(await tray.innerText()).toContain('member.invite was rejected');
    await screenshot(tab1, 'needs-attention');
    await expectNoSeriousA11yViolations(tab1, 'needs attention');
    await tray.getByRole('button', { name: 'Discard' }).click();
    await expect.poll(() => attention.count(), { timeout: 15_000 }).toBe(0);
  }, 60_000);

  it("one WebSocket for Alice's two tabs; when the leading tab closes the other keeps syncing", async () => {
    // Alice's two tabs and Bob's one: a socket per browser context, not per tab.
    await expect.poll(async () => (await health(h.server.url)).sockets, { timeout: 15_000 }).toBe(2);
    await tab1.close();
    await typeInEditor(tab2, ' Tab two leads now.');
    await expect.poll(() => editorText(bob), { timeout: 15_000 }).toContain('Tab two leads now.');
    await typeInEditor(bob, ' Seen.');
    await expect.poll(() => editorText(tab2), { timeout: 15_000 }).toContain('Tab two leads now. Seen.');
    await expect.poll(async () => (await health(h.server.url)).sockets, { timeout: 15_000 }).toBe(2);
    await expect
      .poll(() => tab2.getByTestId('sync-status').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('online');
  }, 60_000);
  it('shows someone idle for five minutes as away, and back when they move', async () => {
    // Bob's page gets a fake clock (no waiting through real minutes); Alice's tab2 watches.
    await bob.clock.install();
    await bob.mouse.move(10, 10);
    const bobOnAlice = tab2.getByTestId('peer').filter({ hasText: 'Bob Example' });
    await expect.poll(() => bobOnAlice.getAttribute('data-away'), { timeout: 15_000 }).toBe('false');
    await bob.clock.fastForward('05:01');
    await expect.poll(() => bobOnAlice.innerText(), { timeout: 15_000 }).toContain('Bob Example (away)');
    await bob.mouse.move(40, 40);
    await expect.poll(() => bobOnAlice.getAttribute('data-away'), { timeout: 15_000 }).toBe('false');
  }, 60_000);
});
