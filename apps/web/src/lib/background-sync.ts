/**
 * Background sync (issue 12 "Offline"): while signed in, the documents of the current workspace's
 * most recently active threads (its catalog and the user's private threads there) stay open, so
 * the client keeps them synced into IndexedDB and they read offline though never opened. How
 * many is a setting kept in localStorage (`offlineThreadLimit`, default 50).
 *
 * With the shared connection (several tabs, one socket) only the leading tab does it, and the
 * next leader takes over when that tab closes: the leader subscribes the documents on its own
 * socket and stores them in the IndexedDB every tab of the user reads. A follower doing it too
 * would ask the leader for each document — which holds what it opened for a follower until it
 * closes, so the set would no longer shrink with the setting — and double the traffic between
 * the tabs for nothing.
 */
import { createEffect, createSignal, on, onCleanup, untrack, type Accessor } from 'solid-js';
import type { DocHandle } from '@caucus/client';
import type { AppSession } from './session';
import { rememberThreadWorkspace } from './thread-workspace';

export const DEFAULT_OFFLINE_THREADS = 50;
export const MAX_OFFLINE_THREADS = 500;
const LIMIT_KEY = 'caucus:offline-threads';

/** A stored or typed limit, made sane: a whole number from 0 to MAX; anything else the default. */
export function parseLimit(raw: unknown): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) return DEFAULT_OFFLINE_THREADS;
  return Math.min(MAX_OFFLINE_THREADS, Math.max(0, Math.floor(n)));
}

function storedLimit(): number {
  try {
    return parseLimit(localStorage.getItem(LIMIT_KEY));
  } catch {
    return DEFAULT_OFFLINE_THREADS;
  }
}

const [limit, setLimitSignal] = createSignal(storedLimit());
/** How many threads are kept available offline (the setting). */
export const offlineThreadLimit: Accessor<number> = limit;

export function setOfflineThreadLimit(value: unknown): void {
  const n = parseLimit(value);
  try {
    localStorage.setItem(LIMIT_KEY, String(n));
  } catch {
    // Storage full or refused: the setting holds for this visit.
  }
  setLimitSignal(n);
}

export interface BackgroundSyncState {
  /** Thread documents this tab holds open in the background. */
  kept: number;
  /** Of those, the ones that caught up with the server since they were opened here. */
  synced: number;
}

const [state, setState] = createSignal<BackgroundSyncState>({ kept: 0, synced: 0 });
/** What background sync holds now (zeros in a tab that does not run it). */
export const backgroundSyncState: Accessor<BackgroundSyncState> = state;

interface Held {
  handle: DocHandle;
  synced: boolean;
}

/** The ids of the `limit` most recently active threads of the workspace the user can read. */
export function wantedThreads(
  catalog: Array<{ id: string; updatedAt: number }>,
  privates: Array<{ id: string; updatedAt: number }>,
  limit: number,
): string[] {
  const seen = new Set<string>();
  return [...catalog, ...privates]
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .filter((t) => !seen.has(t.id) && Boolean(seen.add(t.id)))
    .slice(0, limit)
    .map((t) => t.id);
}

/** Keeps one workspace's top threads open until `stop()`; `reconcile()` after the limit changed. */
function keepWorkspace(
  session: AppSession,
  workspaceId: string,
  max: () => number,
): { reconcile(): void; stop(): void } {
  const ws = session.client.workspace(workspaceId);
  const inbox = session.client.inbox(session.me.id);
  const held = new Map<string, Held>();
  let stopped = false;
  const publish = () => {
    let synced = 0;
    for (const h of held.values()) if (h.synced) synced++;
    setState({ kept: held.size, synced });
  };
  const reconcile = () => {
    if (stopped) return;
    const wanted = wantedThreads(
      ws.threads(),
      inbox.privateThreads().filter((t) => t.workspaceId === workspaceId),
      max(),
    );
    const keep = new Set(wanted);
    for (const [id, h] of held)
      if (!keep.has(id)) {
        h.handle.release();
        held.delete(id);
      }
    for (const id of wanted) {
      if (held.has(id)) continue;
      let handle: DocHandle;
      try {
        handle = session.client.open(`thread:${id}`);
      } catch {
        continue; // A closed client or a name the catalog should not hold: nothing to keep.
      }
      const entry: Held = { handle, synced: false };
      held.set(id, entry);
      // A reload offline opens the thread knowing its workspace, as if it had been listed.
      rememberThreadWorkspace(id, workspaceId);
      handle.whenSynced.then(
        () => {
          entry.synced = true;
          if (held.get(id) === entry) publish();
        },
        () => undefined,
      );
    }
    publish();
  };
  // Once the catalog is loaded and the page idle: its documents loading from IndexedDB compete
  // with the screen the app opens on (an offline reload of a 1,000-thread list, PERFORMANCE.md).
  let offWs = () => {};
  let offInbox = () => {};
  let cancel = () => {};
  const start = () => {
    if (stopped) return;
    offWs = ws.subscribe(reconcile);
    offInbox = inbox.subscribe(reconcile);
    reconcile();
  };
  ws.whenLoaded.then(
    () => {
      if (!stopped) cancel = whenIdle(start);
    },
    () => undefined,
  );
  const stop = () => {
    if (stopped) return;
    stopped = true;
    cancel();
    offWs();
    offInbox();
    for (const h of held.values()) h.handle.release();
    held.clear();
    ws.release();
    inbox.release();
    setState({ kept: 0, synced: 0 });
  };
  return { reconcile, stop };
}

/**
 * Runs background sync for `workspaceId()` (following it) while the calling owner lives — Shell
 * calls it, so signing out (Shell goes) releases everything.
 */
export function startBackgroundSync(session: AppSession, workspaceId: Accessor<string | null>): void {
  const client = session.client;
  // The leading tab (or the only one): it holds the socket, so what it opens is subscribed there.
  const [active, setActive] = createSignal(client.leads);
  const off = client.status.subscribe(() => setActive(client.leads));
  onCleanup(off);
  createEffect(() => {
    const id = workspaceId();
    if (!active() || !id) return;
    let kept: ReturnType<typeof keepWorkspace>;
    try {
      kept = keepWorkspace(session, id, () => untrack(offlineThreadLimit));
    } catch {
      return; // The client closed under us (signing out): nothing is held.
    }
    // Reconcile again when the setting changes, without reopening the workspace.
    createEffect(on(offlineThreadLimit, () => kept.reconcile(), { defer: true }));
    onCleanup(() => kept.stop());
  });
}

/** Calls `run` when the main thread is next idle (within two seconds); answers a cancel. */
function whenIdle(run: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(run, { timeout: 2_000 });
    return () => cancelIdleCallback(handle);
  }
  const timer = setTimeout(run, 200);
  return () => clearTimeout(timer);
}
