/**
 * Who is in this thread now (online, or away: the tab hidden or no input for a while), who is
 * typing, and how far each has read the messages — from awareness alone (no extra server).
 */
import { createSignal, For, onCleanup, Show, type Accessor } from 'solid-js';
import type { DocHandle } from '@caucus/client';

type Awareness = DocHandle['awareness'];

/** No keyboard, pointer or focus for this long makes a visible tab "away" too. */
export const IDLE_AWAY_MS = 5 * 60_000;

export interface Peer {
  id: string;
  name: string;
  typing: boolean;
  away: boolean;
  /** The time of the newest message this person has had on screen (0: none). */
  seen: number;
}

interface PeerState {
  user?: { id?: string; name?: string };
  typing?: boolean;
  away?: boolean;
  seen?: number;
}

/** The other people here, one entry per user however many tabs they have open. */
export function peersOf(awareness: Awareness, me: string): Accessor<Peer[]> {
  const read = (): Peer[] => {
    const peers = new Map<string, Peer>();
    awareness.getStates().forEach((raw, clientId) => {
      if (clientId === awareness.clientID) return;
      const s = raw as PeerState;
      const id = s.user?.id ?? String(clientId);
      if (id === me) return;
      const known = peers.get(id);
      peers.set(id, {
        id,
        name: s.user?.name ?? 'Someone',
        typing: (known?.typing ?? false) || s.typing === true,
        // Away only when every tab of theirs is.
        away: (known?.away ?? true) && s.away === true,
        seen: Math.max(known?.seen ?? 0, typeof s.seen === 'number' ? s.seen : 0),
      });
    });
    return [...peers.values()];
  };
  const [peers, setPeers] = createSignal(read());
  const onChange = () => setPeers(read());
  awareness.on('change', onChange);
  onCleanup(() => awareness.off('change', onChange));
  return peers;
}

/** Keeps this tab's `away` in awareness: hidden, or idle for {@link IDLE_AWAY_MS}. */
export function trackAway(awareness: Awareness): void {
  let idle = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const publish = () => {
    const away = document.hidden || idle;
    if ((awareness.getLocalState() as PeerState | null)?.away !== away)
      awareness.setLocalStateField('away', away);
  };
  const active = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      publish();
    }, IDLE_AWAY_MS);
    if (idle) {
      idle = false;
      publish();
    }
  };
  const events = ['keydown', 'pointerdown', 'pointermove', 'focusin', 'wheel'] as const;
  for (const e of events) document.addEventListener(e, active, { passive: true });
  document.addEventListener('visibilitychange', publish);
  active();
  publish();
  onCleanup(() => {
    clearTimeout(timer);
    for (const e of events) document.removeEventListener(e, active);
    document.removeEventListener('visibilitychange', publish);
  });
}

export function Presence(props: { peers: Accessor<Peer[]> }) {
  return (
    <p class="presence" aria-live="polite" data-testid="presence">
      <Show when={props.peers().length > 0} fallback={<span class="muted">Only you are here.</span>}>
        Here now:{' '}
        <For each={props.peers()}>
          {(p, i) => (
            <span data-testid="peer" data-away={p.away ? 'true' : 'false'}>
              {i() > 0 ? ', ' : ''}
              {p.name}
              {p.away ? ' (away)' : ''}
              {p.typing ? ' — typing…' : ''}
            </span>
          )}
        </For>
      </Show>
    </p>
  );
}

/**
 * Read receipts: each peer under the newest message they have seen (`seen` ≥ its time), as chat
 * apps show them. `messages` is oldest first.
 */
export function seenBy(
  peers: readonly Peer[],
  messages: ReadonlyArray<{ at: number }>,
): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const p of peers) {
    let index = -1;
    for (let i = 0; i < messages.length; i++) if ((messages[i]?.at ?? Infinity) <= p.seen) index = i;
    if (index < 0) continue;
    out.set(index, [...(out.get(index) ?? []), p.name]);
  }
  return out;
}
