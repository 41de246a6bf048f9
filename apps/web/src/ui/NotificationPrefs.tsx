/**
 * The notification preferences (`prefs.set`, queued in the outbox like every intent, so they work
 * offline): muted kinds, where each kind goes (in the app, by email, both, nowhere: email only
 * when the server has SMTP), and the daily digest's local hour and time zone.
 */
import { createEffect, createSignal, For, untrack } from 'solid-js';
import type { InboxView } from '@caucus/client';
import {
  DELIVERY_CHANNELS,
  NOTIFICATION_KINDS,
  type InboxPrefs,
  type NotificationKind,
} from '@caucus/schema';
import { useSession } from '../lib/context';
import { fromDoc } from '../lib/signals';

const CHANNEL_LABELS: Record<(typeof DELIVERY_CHANNELS)[number], string> = {
  'in-app': 'In the app',
  email: 'By email',
  both: 'Both',
  none: 'Nowhere',
};

const HOURS = Array.from({ length: 24 }, (_, h) => h);

function zones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return [...new Set([current, own, 'UTC', ...all])].sort();
}

export function NotificationPrefs(props: { inbox: InboxView }) {
  const session = useSession();
  const stored = fromDoc(props.inbox, () => props.inbox.prefs());
  // What this screen saved and the document does not show yet (the intent queued, or accepted and
  // not yet published): without it, a second change made quickly would send the first one's field
  // as it was before. A field leaves once the document has the same value.
  const [saved, setSaved] = createSignal<Partial<InboxPrefs>>({});
  createEffect(() => {
    const doc = stored();
    const ahead = untrack(saved);
    const left = Object.entries(ahead).filter(
      ([key, value]) => JSON.stringify(doc[key as keyof InboxPrefs]) !== JSON.stringify(value),
    );
    if (left.length !== Object.keys(ahead).length) setSaved(Object.fromEntries(left));
  });
  const prefs = () => ({ ...stored(), ...saved() });
  /** `prefs.set` takes the muted kinds whole; the other fields are kept when left out. */
  const save = (patch: Partial<InboxPrefs>) => {
    const mutedKinds = patch.mutedKinds ?? prefs().mutedKinds;
    setSaved({ ...saved(), ...patch });
    session.outbox.submit('prefs.set', { ...patch, mutedKinds });
  };
  const toggleMute = (kind: NotificationKind, muted: boolean) => {
    const set = new Set(prefs().mutedKinds);
    if (muted) set.add(kind);
    else set.delete(kind);
    save({ mutedKinds: [...set] });
  };

  return (
    <section aria-labelledby="prefs-h">
      <h2 id="prefs-h">Preferences</h2>
      <fieldset>
        <legend>Muted kinds</legend>
        <For each={NOTIFICATION_KINDS}>
          {(kind) => (
            <label class="inline">
              <input
                type="checkbox"
                checked={prefs().mutedKinds.includes(kind)}
                onChange={(e) => toggleMute(kind, e.currentTarget.checked)}
              />{' '}
              {kind}
            </label>
          )}
        </For>
      </fieldset>
      <fieldset>
        <legend>Where each kind goes</legend>
        <For each={NOTIFICATION_KINDS}>
          {(kind) => (
            <span class="inline">
              <label for={`deliver-${kind}`}>Deliver {kind}</label>{' '}
              <select
                id={`deliver-${kind}`}
                onChange={(e) =>
                  save({
                    delivery: {
                      ...prefs().delivery,
                      [kind]: e.currentTarget.value as (typeof DELIVERY_CHANNELS)[number],
                    },
                  })
                }
              >
                <For each={DELIVERY_CHANNELS}>
                  {(channel) => (
                    <option value={channel} selected={prefs().delivery[kind] === channel}>
                      {CHANNEL_LABELS[channel]}
                    </option>
                  )}
                </For>
              </select>
            </span>
          )}
        </For>
      </fieldset>
      <fieldset>
        <legend>Daily digest</legend>
        <label class="inline" for="digest-hour">
          Digest at
        </label>{' '}
        <select
          id="digest-hour"
          onChange={(e) =>
            save({ digestHour: e.currentTarget.value === 'off' ? null : Number(e.currentTarget.value) })
          }
        >
          <option value="off" selected={prefs().digestHour === null}>
            No digest
          </option>
          <For each={HOURS}>
            {(h) => (
              <option value={h} selected={prefs().digestHour === h}>
                {String(h).padStart(2, '0')}:00
              </option>
            )}
          </For>
        </select>{' '}
        <label class="inline" for="digest-zone">
          Time zone
        </label>{' '}
        <select id="digest-zone" onChange={(e) => save({ timeZone: e.currentTarget.value })}>
          <For each={zones(prefs().timeZone)}>
            {(zone) => (
              <option value={zone} selected={prefs().timeZone === zone}>
                {zone}
              </option>
            )}
          </For>
        </select>
      </fieldset>
    </section>
  );
}
