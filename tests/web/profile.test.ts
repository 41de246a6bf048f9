/**
 * The profile screen in real Chromium: reached from the header, it shows the user's name and
 * email; choosing an image uploads it over tus and shows the server's 300×300 avatar (a blob: URL
 * under the CSP); a file that is not an image is refused with the server's reason; "Remove avatar"
 * takes it away.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  cspViolations,
  expectNoSeriousA11yViolations,
  screenshot,
  signUpInUi,
  useWebHarness,
} from './support.js';

const h = useWebHarness();

/** The parts of an `<img>` read in the page (the tests compile without the DOM library). */
interface ImageLike {
  src: string;
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
}

describe('the profile screen', () => {
  it('uploads, shows and removes the avatar', async () => {
    const context = await h.context();
    const page = await context.newPage();
    const email = `pat-${Date.now()}@example.test`;
    await signUpInUi(page, 'Pat Profile', email);

    await page.getByRole('link', { name: 'Pat Profile' }).click();
    await page.waitForURL(/\/profile$/);
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    expect(await page.getByTestId('profile-name').innerText()).toBe('Pat Profile');
    expect(await page.getByTestId('profile-email').innerText()).toBe(email);
    await page.getByText('No avatar yet.').waitFor();

    const png = await sharp({
      create: { width: 1200, height: 800, channels: 3, background: { r: 240, g: 160, b: 20 } },
    })
      .png()
      .toBuffer();
    await page
      .getByLabel('Choose an avatar')
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
    const img = page.getByRole('img', { name: 'Your avatar' });
    await img.waitFor();
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
      const el = doc.querySelector('img.avatar') as ImageLike | null;
      return el !== null && el.complete && el.naturalWidth > 0;
    });
    const natural = await img.evaluate((el: unknown) => {
      const i = el as ImageLike;
      return { src: i.src, width: i.naturalWidth, height: i.naturalHeight };
    });
    expect(natural.src).toMatch(/^blob:/);
    expect({ width: natural.width, height: natural.height }).toEqual({ width: 300, height: 300 });
    await expectNoSeriousA11yViolations(page, 'profile');
    await screenshot(page, 'profile');

    // A reload shows the stored avatar again.
    await page.reload();
    await page.getByRole('img', { name: 'Your avatar' }).waitFor();

    await page
      .getByLabel('Choose an avatar')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/PNG, JPEG, WebP, GIF or AVIF/);
    // The refused file leaves the avatar as it was.
    await page.getByRole('img', { name: 'Your avatar' }).waitFor();

    await page.getByRole('button', { name: 'Remove avatar' }).click();
    await page.getByText('No avatar yet.').waitFor();
    const res = await fetch(`${h.server.url}/api/users/x/avatar`);
    expect(res.status).toBe(401);
    expect(await cspViolations(page)).toEqual([]);
  });
});
