/** The browser's hints that the network is back: `online`, and the page shown again. */

interface BrowserEvents {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** Retries at once when the browser is back `online` or the page is shown again. */
export function listenToBrowser(retry: () => void): () => void {
  const win = globalThis as unknown as Partial<BrowserEvents> & {
    document?: Partial<BrowserEvents> & { visibilityState?: string };
  };
  if (typeof win.addEventListener !== 'function' || typeof win.removeEventListener !== 'function')
    return () => undefined;
  const doc = win.document;
  const onOnline = () => retry();
  const onVisible = () => {
    if (doc?.visibilityState === 'visible') retry();
  };
  win.addEventListener('online', onOnline);
  doc?.addEventListener?.('visibilitychange', onVisible);
  return () => {
    win.removeEventListener?.('online', onOnline);
    doc?.removeEventListener?.('visibilitychange', onVisible);
  };
}
