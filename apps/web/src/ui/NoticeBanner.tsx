/**
 * System notices (planned maintenance, an incident, a new version) as banners at the top of the
 * shell: the ones current for the user (`GET /api/notices`), asked for at start, every few minutes
 * while online and when the network comes back. Each can be dismissed; the dismissal is kept on
 * this device (localStorage), so it stays gone after a reload.
 */
import { createSignal, For, onCleanup, Show } from 'solid-js';
import type { CurrentNotice } from '@caucus/client';
import type { AppSession } from '../lib/session';
import { KindIcon } from './KindIcon';
import './notices.css';

/** How often the current notices are asked for while online. */
export const NOTICE_REFRESH_MS = 5 * 60_000;

export function NoticeBanner(props: { session: AppSession }) {
  const key = `caucus:dismissed-notices:${props.session.me.id}`;
  const readDismissed = (): string[] => {
    try {
      const ids: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
      return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
    } catch {
      return [];
    }
  };
  const [notices, setNotices] = createSignal<CurrentNotice[]>([]);
  const [dismissed, setDismissed] = createSignal<string[]>(readDismissed());
  const [now, setNow] = createSignal(Date.now());

  const refresh = async () => {
    setNow(Date.now());
    if (!navigator.onLine) return;
    const res = await props.session.api.currentNotices();
    if (!res.ok) return;
    setNotices(res.value.notices);
    // Only dismissals of notices still current are kept, so the list does not grow for ever.
    const current = new Set(res.value.notices.map((n) => n.id));
    const kept = dismissed().filter((id) => current.has(id));
    if (kept.length !== dismissed().length) {
      setDismissed(kept);
      localStorage.setItem(key, JSON.stringify(kept));
    }
  };
  const dismiss = (id: string) => {
    const next = [...dismissed(), id];
    setDismissed(next);
    localStorage.setItem(key, JSON.stringify(next));
  };

  void refresh();
  const timer = setInterval(() => void refresh(), NOTICE_REFRESH_MS);
  const onOnline = () => void refresh();
  window.addEventListener('online', onOnline);
  onCleanup(() => {
    clearInterval(timer);
    window.removeEventListener('online', onOnline);
  });

  const shown = () =>
    notices().filter((n) => !dismissed().includes(n.id) && (n.endsAt === null || n.endsAt > now()));

  return (
    <Show when={shown().length > 0}>
      <section class="notices" aria-label="System notices">
        <For each={shown()}>
          {(n) => (
            <div
              class={`notice notice-${n.kind}`}
              role={n.kind === 'error' ? 'alert' : 'status'}
              aria-labelledby={`notice-${n.id}`}
              data-testid="notice"
            >
              <KindIcon kind={n.kind} />
              <div class="notice-text">
                <strong id={`notice-${n.id}`}>{n.title}</strong>
                <Show when={n.body}>
                  <span> {n.body}</span>
                </Show>
              </div>
              <button
                type="button"
                class="link"
                aria-label={`Dismiss notice: ${n.title}`}
                onClick={() => dismiss(n.id)}
              >
                Dismiss
              </button>
            </div>
          )}
        </For>
      </section>
    </Show>
  );
}
