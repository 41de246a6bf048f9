/** Who is in this thread now, and who is typing — from awareness alone (no extra server). */
import { createSignal, For, onCleanup, Show } from 'solid-js';
import type { DocHandle } from '@caucus/client';

interface Peer {
  id: string;
  name: string;
  typing: boolean;
  away: boolean;
}

export function Presence(props: { awareness: DocHandle['awareness']; me: string }) {
  const read = (): Peer[] => {
    const peers = new Map<string, Peer>();
    props.awareness.getStates().forEach((raw, clientId) => {
      if (clientId === props.awareness.clientID) return;
      const s = raw as { user?: { id?: string; name?: string }; typing?: boolean; away?: boolean };
      const id = s.user?.id ?? String(clientId);
      if (id === props.me) return;
      const seen = peers.get(id);
      peers.set(id, {
        id,
        name: s.user?.name ?? 'Someone',
        typing: (seen?.typing ?? false) || s.typing === true,
        away: (seen?.away ?? true) && s.away === true,
      });
    });
    return [...peers.values()];
  };
  const [peers, setPeers] = createSignal(read());
  const onChange = () => setPeers(read());
  props.awareness.on('change', onChange);
  const onVisibility = () => props.awareness.setLocalStateField('away', document.hidden);
  document.addEventListener('visibilitychange', onVisibility);
  onCleanup(() => {
    props.awareness.off('change', onChange);
    document.removeEventListener('visibilitychange', onVisibility);
  });
  return (
    <p class="presence" aria-live="polite" data-testid="presence">
      <Show when={peers().length > 0} fallback={<span class="muted">Only you are here.</span>}>
        Here now:{' '}
        <For each={peers()}>
          {(p, i) => (
            <span>
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
