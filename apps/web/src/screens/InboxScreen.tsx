/**
 * The notification center: newest first, per-kind icons, mark one or all read (intents, so they
 * work offline and show at once), the preferences (ui/NotificationPrefs), and browser
 * notifications for a hidden tab.
 */
import { createSignal, For, Show } from 'solid-js';
import type { InboxView } from '@caucus/client';
import { useSession } from '../lib/context';
import { fromDoc, fromObservable } from '../lib/signals';
import { isUnread } from '../lib/unread';
import { KindIcon } from '../ui/KindIcon';
import { NotificationPrefs } from '../ui/NotificationPrefs';

export function InboxScreen(props: { inbox: InboxView }) {
  const session = useSession();
  const outbox = fromObservable(session.outbox);
  const notifications = fromDoc(props.inbox, () => props.inbox.notifications());
  const [permission, setPermission] = createSignal(
    'Notification' in window ? Notification.permission : 'denied',
  );
  const unread = (n: ReturnType<typeof notifications>[number]) => {
    void outbox();
    return isUnread(n, session.outbox);
  };
  const anyUnread = () => notifications().some(unread);
  return (
    <>
      <h1>Inbox</h1>
      <div class="row">
        <button
          type="button"
          disabled={!anyUnread()}
          onClick={() => session.outbox.submit('inbox.markAllRead', {})}
        >
          Mark all read
        </button>
        <Show when={permission() === 'default'}>
          <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
            Notify me when this tab is hidden
          </button>
        </Show>
      </div>
      <Show when={notifications().length > 0} fallback={<p class="muted">Nothing here yet.</p>}>
        <ul class="list" aria-label="Notifications" data-testid="notifications">
          <For each={notifications()}>
            {(n) => (
              <li class={unread(n) ? 'unread' : ''}>
                <KindIcon kind={n.kind} /> <a href={n.link || '/inbox'}>{n.title}</a>
                <Show when={unread(n)}>
                  <span class="tag">unread</span>{' '}
                  <button
                    type="button"
                    class="link"
                    aria-label={`Mark read: ${n.title}`}
                    onClick={() => session.outbox.submit('inbox.markRead', { notificationIds: [n.id] })}
                  >
                    Mark read
                  </button>
                </Show>
                <p class="muted">{n.body}</p>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <NotificationPrefs inbox={props.inbox} />
    </>
  );
}
