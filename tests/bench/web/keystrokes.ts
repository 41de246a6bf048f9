/**
 * Keystroke latency in the thread body editor (CodeMirror, in its shadow root), from one page to
 * another. Timestamps are taken inside the pages on one clock, performance.timeOrigin +
 * performance.now() (the same machine, the same browser): on the typing page a keydown listener
 * (capture, on window) stamps every digit typed; on every page a MutationObserver on the editor's
 * content stamps the moment its count of digits grows. Digits only: the remote cursors' name
 * labels sit in the same DOM and names here hold none. Keystroke i's latency is the i-th stamp on
 * the watching page minus the i-th keydown.
 */
import type { Page } from 'playwright-core';

interface Probe {
  sent: number[];
  seen: number[];
}

/**
 * Installs (or resets) the page's probes; answers the digits its editor holds. A string: the root
 * project has no DOM types.
 */
const INSTALL_PROBES = `(() => {
  const g = globalThis;
  const content = document.querySelector('[data-testid="editor"]')?.shadowRoot?.querySelector('.cm-content');
  if (!content) throw new Error('no editor on the page');
  const digits = () => (content.textContent.match(/[0-9]/g) ?? []).length;
  if (!g.__probe) {
    g.__probe = { sent: [], seen: [] };
    addEventListener('keydown', (e) => {
      if (/^[0-9]$/.test(e.key)) g.__probe.sent.push(performance.timeOrigin + performance.now());
    }, true);
    new MutationObserver(() => {
      const now = performance.timeOrigin + performance.now();
      const n = digits();
      while (g.__probeCount < n) {
        g.__probe.seen.push(now);
        g.__probeCount++;
      }
    }).observe(content, { childList: true, subtree: true, characterData: true });
  }
  g.__probe.sent = [];
  g.__probe.seen = [];
  g.__probeCount = digits();
  return g.__probeCount;
})()`;

const installProbes = (page: Page) => page.evaluate<number>(INSTALL_PROBES);

const readProbe = (page: Page) => page.evaluate(() => (globalThis as unknown as { __probe: Probe }).__probe);

/** Opens the thread on the page and waits for its editor, editable. */
export async function openEditor(page: Page, threadPath: string): Promise<void> {
  await page.goto(threadPath);
  await page.getByTestId('editor').and(page.locator('[data-readonly="false"]')).waitFor({ timeout: 30_000 });
  await page.locator('.cm-content[contenteditable="true"]').waitFor({ timeout: 30_000 });
}

export interface KeystrokeRun {
  /** Milliseconds from keydown on `from` to the digit in `to`'s editor DOM, in typing order. */
  remote: number[];
  /** The same on the typing page itself (its own editor): the floor under `remote`. */
  local: number[];
}

/**
 * Types `count` digits into `from`'s editor, `delayMs` between keys (playwright's keyboard.type),
 * and waits until `to` shows all of them.
 */
export async function typeAndWatch(
  from: Page,
  to: Page,
  count: number,
  delayMs: number,
): Promise<KeystrokeRun> {
  await installProbes(to);
  const before = await installProbes(from);
  // Both editors agree before the run: nothing from the last run still on its way.
  await to.waitForFunction(
    (n) => (globalThis as unknown as { __probeCount: number }).__probeCount === n,
    before,
    { timeout: 30_000 },
  );
  await installProbes(to);
  await from.locator('.cm-content').click();
  await from.keyboard.press('Control+End');
  const text = Array.from({ length: count }, (_, i) => String((i + 1) % 10)).join('');
  await from.keyboard.type(text, { delay: delayMs });
  await to.waitForFunction(
    (n) => (globalThis as unknown as { __probe: Probe }).__probe.seen.length >= n,
    count,
    { timeout: 60_000, polling: 100 },
  );
  const sent = (await readProbe(from)).sent;
  const local = (await readProbe(from)).seen;
  const seen = (await readProbe(to)).seen;
  if (sent.length !== count) throw new Error(`${sent.length} keydowns stamped, ${count} typed`);
  return {
    remote: sent.map((t, i) => (seen[i] as number) - t),
    local: sent.map((t, i) => (local[i] as number) - t),
  };
}
