/**
 * System notices in the PWA, in real Chromium: the notices current for the user show as banners
 * above the header (a warning as a status, an incident as an alert, each named by its title), a
 * scheduled one does not yet; a dismissed one stays gone after a reload, and one the admin
 * withdraws goes when the app asks again (here: the network coming back).
 */
import { describe, expect, it } from 'vitest';
import { api, signup } from '../support/server.js';
import {
  cspViolations,
  expectNoSeriousA11yViolations,
  screenshot,
  signUpInUi,
  useWebHarness,
} from './support.js';

const h = useWebHarness();

describe('system notice banners', () => {
  it('shows the current notices, keeps a dismissal, and drops a withdrawn one', async () => {
    // The first account is the instance admin.
    const admin = await signup(h.server.url, 'admin');
    const post = async (body: Record<string, unknown>) => {
      const res = await api<{ id: string }>(h.server.url, 'POST', '/api/admin/notices', {
        token: admin.accessToken,
        body,
      });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    await post({ kind: 'warning', title: 'Maintenance tonight', body: 'Down from 22:00 to 22:10 UTC.' });
    const incident = await post({ kind: 'error', title: 'Sync is slow', body: 'We are on it.' });
    await post({ kind: 'info', title: 'Next week', body: '', startsAt: Date.now() + 7 * 86_400_000 });

    const context = await h.context();
    const page = await context.newPage();
    await signUpInUi(page, 'Nora Notice', `nora-${Date.now()}@example.test`);
    const region = page.getByRole('region', { name: 'System notices' });
    const maintenance = region.getByRole('status', { name: 'Maintenance tonight' });
    const slow = region.getByRole('alert', { name: 'Sync is slow' });
    await maintenance.waitFor();
    await slow.waitFor();
    await expect.poll(() => maintenance.innerText()).toContain('Down from 22:00 to 22:10 UTC.');
    expect(await page.getByTestId('notice').count()).toBe(2);
    expect(await page.getByText('Next week').count()).toBe(0);
    // Above the header: the first thing after the skip link.
    expect(await page.locator('section.notices + header.bar').count()).toBe(1);
    await expectNoSeriousA11yViolations(page, 'notice banners');
    await screenshot(page, 'notice-banners');

    await page.getByRole('button', { name: 'Dismiss notice: Maintenance tonight' }).click();
    await maintenance.waitFor({ state: 'detached' });
    await page.reload();
    await slow.waitFor();
    expect(await page.getByTestId('notice').count()).toBe(1);
    expect(await page.getByText('Maintenance tonight').count()).toBe(0);

    const withdrawn = await api(h.server.url, 'DELETE', `/api/admin/notices/${incident}`, {
      token: admin.accessToken,
    });
    expect(withdrawn.status).toBe(200);
    await context.setOffline(true);
    await context.setOffline(false);
    await region.waitFor({ state: 'detached', timeout: 15_000 });
    expect(await cspViolations(page)).toEqual([]);
  });
});
