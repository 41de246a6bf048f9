/**
 * Always visible: online / offline / syncing, unsynced changes, queued intents; the "Needs
 * attention" tray (rejected intents and refused edits, each with its reason and remedy: retry,
 * discard, export); a warning when the browser refused persistent storage while work is unsynced;
 * and a new version of the app, offered but never applied while anything is unsent.
 */
import { createMemo, createSignal, For, Show } from 'solid-js';
import { useRegisterSW } from 'virtual:pwa-register/solid';
import { useSession } from '../lib/context';
import { fromObservable } from '../lib/signals';
import { download } from './download';

export function SyncStatus() {
  const session = useSession();
  const status = fromObservable(session.client.status);
  const outbox = fromObservable(session.outbox);
  const [open, setOpen] = createSignal(false);
  const [persisted, setPersisted] = createSignal<boolean | null>(null);
  void navigator.storage?.persisted?.().then(setPersisted, () => setPersisted(null));
  const {
    needRefresh: [needRefresh],
    updateServiceWorker,
  } = useRegisterSW({ immediate: true });

  const attention = () => outbox().needsAttention.length + status().refused.length;
  const unsent = () => status().unsynced + status().outbox;
  const state = createMemo(() => {
    const s = status();
    if (s.problem) return { key: 'problem', text: `Not syncing: ${s.problem.message}` };
    if (s.connection !== 'online')
      return { key: 'offline', text: s.connection === 'connecting' ? 'Connecting…' : 'Offline' };
    if (s.unsynced > 0 || s.outbox > 0) return { key: 'syncing', text: 'Syncing…' };
    return { key: 'online', text: 'Online · all changes saved' };
  });

  return (
    <section class="status" aria-label="Sync status">
      <p class="status-line" role="status" data-state={state().key} data-testid="sync-status">
        <span class={`dot dot-${state().key}`} aria-hidden="true" />
        {state().text}
        <span data-testid="unsynced"> · {status().unsynced} unsynced</span>
        <span data-testid="queued"> · {status().outbox} queued</span>
      </p>
      <Show when={persisted() === false && unsent() > 0}>
        <p class="warning">
          This browser may clear unsynced work under storage pressure: stay online until it is saved.
        </p>
      </Show>
      <Show when={needRefresh()}>
        <p class="update">
          A new version of Caucus is ready.{' '}
          <button type="button" disabled={unsent() > 0} onClick={() => void updateServiceWorker(true)}>
            Update now
          </button>
          <Show when={unsent() > 0}>
            <span> (waits until your {unsent()} unsent change(s) are saved)</span>
          </Show>
        </p>
      </Show>
      <Show when={attention() > 0}>
        <button type="button" class="attention" aria-expanded={open()} onClick={() => setOpen(!open())}>
          Needs attention ({attention()})
        </button>
      </Show>
      <Show when={open() && attention() > 0}>
        <ul class="tray" aria-label="Needs attention">
          <For each={outbox().needsAttention}>
            {(item) => (
              <li>
                <strong>{item.intent.type}</strong> was rejected: {item.reason}
                <Show when={item.remedy}>
                  <span class="remedy"> {item.remedy}</span>
                </Show>
                <div class="row">
                  <button type="button" onClick={() => void session.outbox.retry(item.id)}>
                    Retry
                  </button>
                  <button type="button" onClick={() => void session.outbox.discard(item.id)}>
                    Discard
                  </button>
                  <button
                    type="button"
                    onClick={() => download(`intent-${item.id}.json`, JSON.stringify(item, null, 2))}
                  >
                    Export
                  </button>
                </div>
              </li>
            )}
          </For>
          <For each={status().refused}>
            {(change) => (
              <li>
                <strong>Edits to {change.doc}</strong> were refused: {change.reason.message}
                <ul>
                  <For each={change.summary}>{(line) => <li>{line}</li>}</For>
                </ul>
                <div class="row">
                  <button
                    type="button"
                    onClick={() => {
                      const e = session.client.refused.export(change.id);
                      download(
                        `refused-${change.id}.json`,
                        JSON.stringify({ ...e, update: [...e.update] }, null, 2),
                      );
                    }}
                  >
                    Export
                  </button>
                  <button type="button" onClick={() => void session.client.refused.discard(change.id)}>
                    Discard
                  </button>
                </div>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
