/**
 * Toasts for notifications that arrive while the app is open (not those already there when it
 * opened), and a browser notification instead when the tab is hidden and the user allowed them.
 */
import { createSignal, For, onCleanup } from 'solid-js';
import type { InboxView } from '@caucus/client';
import type { InboxNotification } from '@caucus/schema';
import { KindIcon } from './KindIcon';

/** How long a toast stays (ms). */
const TOAST_MS = 6000;

export function Toasts(props: { inbox: InboxView }) {
  const [toasts, setToasts] = createSignal<InboxNotification[]>([]);
  const seen = new Set<string>();
  let primed = false;
  const check = () => {
    const all = props.inbox.notifications();
    const fresh = all.filter((n) => !seen.has(n.id));
    for (const n of all) seen.add(n.id);
    // The first read after the stored copy loaded is the backlog, not news.
    if (!primed) return;
    for (const n of fresh.filter((x) => !x.readAt)) {
      if (document.hidden && 'Notification' in window && Notification.permission === 'granted') {
        new Notification(n.title, { body: n.body, tag: n.id });
        continue;
      }
      setToasts((t) => [...t, n]);
      setTimeout(() => setToasts((t) => t.filter((x) => x.id !== n.id)), TOAST_MS);
    }
  };
  void props.inbox.whenLoaded.then(() => {
    check();
    primed = true;
  });
  onCleanup(props.inbox.subscribe(check));
  return (
    <div class="toasts" role="log" aria-live="polite" aria-label="New notifications">
      <For each={toasts()}>
        {(n) => (
          <div class={`toast kind-${n.kind}`}>
            <KindIcon kind={n.kind} />
            <a href={n.link || '/inbox'}>{n.title}</a>
            <button
              type="button"
              class="link"
              aria-label={`Dismiss “${n.title}”`}
              onClick={() => setToasts((t) => t.filter((x) => x.id !== n.id))}
            >
              ×
            </button>
          </div>
        )}
      </For>
    </div>
  );
}
