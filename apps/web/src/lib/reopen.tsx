/**
 * Documents of things this client creates. A thread or decision made by a queued intent has no
 * document on the server until the intent is accepted, so opening it early (offline, or before
 * the verdict) is refused (`closed` 4404, or 4403 for a thread) — which the client retries only on a new connection. Local edits
 * are kept in the store either way; once the create is accepted, the screen opens the document
 * again (released first: the store binding is let go at once) and it syncs.
 */
import { createEffect, createSignal, For, type JSX } from 'solid-js';
import type { DocStatus, OutboxState } from '@caucus/client';
import { MUX_CLOSE } from '@caucus/schema';

/** Renders `children` again from scratch each time it calls `reopen`. */
export function Reopening(props: { children: (reopen: () => void) => JSX.Element }) {
  const [round, setRound] = createSignal(0);
  return <For each={[round()]}>{() => props.children(() => setRound((n) => n + 1))}</For>;
}

/** Did the server accept this client's `type` intent whose `args[key]` is `id`? */
export function acceptedCreate(state: OutboxState, type: string, key: string, id: string): boolean {
  return state.settled.some(
    (s) =>
      s.intent.type === type &&
      (s.intent.args as Record<string, unknown>)[key] === id &&
      s.verdict.status === 'accepted',
  );
}

/** Documents reopened once already on this page: a second refusal after the create is a real one. */
const reopened = new Set<string>();

/**
 * Calls `reopen` once the document was refused as missing and its create is now accepted — once
 * per document and page, so that a refusal the server keeps giving shows instead of reopening the
 * screen in a loop (the reopened screen's open asks the server again: the client's `askAgain`).
 */
export function reopenWhenCreated(
  key: string,
  status: () => DocStatus,
  outbox: () => OutboxState,
  created: (state: OutboxState) => boolean,
  reopen: () => void,
): void {
  createEffect(() => {
    const denied = status().denied;
    // A thread that does not exist yet is refused like one the user may not see (4403: nothing
    // tells a non-member that a private thread exists), so both count here.
    const missing = denied?.code === MUX_CLOSE.notFound || denied?.code === MUX_CLOSE.forbidden;
    if (!missing || reopened.has(key) || !created(outbox())) return;
    reopened.add(key);
    reopen();
  });
}
