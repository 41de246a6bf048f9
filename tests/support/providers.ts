/**
 * The official y-websocket client, as users run it, plus small await helpers driven by events.
 */
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as authProtocol from 'y-protocols/auth';
import type * as decoding from 'lib0/decoding';
import type * as awarenessProtocol from 'y-protocols/awareness';

export interface TestClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Reasons of every PermissionDenied received. */
  denied: string[];
  deniedListeners: Set<(reason: string) => void>;
  /** Close events seen, in order. */
  closes: Array<{ code: number; reason: string }>;
  destroy(): void;
}

export function connectClient(wsUrl: string, docName: string, token: string, doc = new Y.Doc()): TestClient {
  const provider = new WebsocketProvider(wsUrl, docName, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
  });
  const denied: string[] = [];
  const deniedListeners = new Set<(reason: string) => void>();
  const closes: Array<{ code: number; reason: string }> = [];
  // Record PermissionDenied instead of the provider's console warning.
  provider.messageHandlers[2] = (_encoder, decoder: decoding.Decoder) => {
    authProtocol.readAuthMessage(decoder, doc, (_doc, reason) => {
      denied.push(reason);
      for (const listener of deniedListeners) listener(reason);
    });
  };
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason });
  });
  return {
    doc,
    provider,
    denied,
    deniedListeners,
    closes,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Resolves once `provider` has synced with the server. */
/**
 * How long a wait helper waits before it fails with what it waited for (instead of vitest's
 * generic "test timed out", which says nothing of where). Under the default test timeout (30 s).
 */
export const WAIT_DEADLINE_MS = 25_000;

/**
 * Waits for `subscribe(done)` to call `done`, or fails after `ms` saying `what` it waited for;
 * `unsubscribe` runs either way.
 */
export function waitFor<T>(
  what: string,
  subscribe: (done: (value: T) => void) => () => void,
  ms = WAIT_DEADLINE_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let unsubscribe: (() => void) | null = null;
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      unsubscribe?.();
      reject(new Error(`gave up after ${ms} ms waiting for ${what}`));
    }, ms);
    unsubscribe = subscribe((value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Called from inside the subscription: unsubscribe once it has returned.
      queueMicrotask(() => unsubscribe?.());
      resolve(value);
    });
  });
}

export function synced(client: TestClient, ms = WAIT_DEADLINE_MS): Promise<void> {
  if (client.provider.synced) return Promise.resolve();
  return waitFor(
    `${client.provider.roomname} to sync`,
    (done) => {
      const onSync = (state: boolean) => {
        if (state) done(undefined);
      };
      client.provider.on('sync', onSync);
      return () => client.provider.off('sync', onSync);
    },
    ms,
  );
}

/**
 * Resolves once `check()` holds, re-checking after every update of `doc`; fails after `ms` with
 * `what` (default: the check's source) when it never does.
 */
export function until(
  doc: Y.Doc,
  check: () => boolean,
  what = `the document to satisfy ${check.toString()}`,
  ms = WAIT_DEADLINE_MS,
): Promise<void> {
  if (check()) return Promise.resolve();
  return waitFor(
    what,
    (done) => {
      const onUpdate = () => {
        if (check()) done(undefined);
      };
      doc.on('update', onUpdate);
      return () => doc.off('update', onUpdate);
    },
    ms,
  );
}

/** Resolves with the next PermissionDenied reason the client receives. */
export function nextDenied(client: TestClient, ms = WAIT_DEADLINE_MS): Promise<string> {
  return waitFor(
    `a PermissionDenied on ${client.provider.roomname}`,
    (done: (reason: string) => void) => {
      client.deniedListeners.add(done);
      return () => client.deniedListeners.delete(done);
    },
    ms,
  );
}

/** Resolves with the next close event of the client's connection. */
export function nextClose(
  client: TestClient,
  ms = WAIT_DEADLINE_MS,
): Promise<{ code: number; reason: string }> {
  return waitFor(
    `${client.provider.roomname}'s connection to close`,
    (done: (event: { code: number; reason: string }) => void) => {
      const handler = (event: { code: number; reason: string } | null) => {
        if (event) done({ code: event.code, reason: event.reason });
      };
      client.provider.on('connection-close', handler);
      return () => client.provider.off('connection-close', handler);
    },
    ms,
  );
}

/** Resolves once `check` holds for `awareness`, re-checking on every change. */
export function whenAwareness(
  awareness: awarenessProtocol.Awareness,
  check: () => boolean,
  what = `the awareness states to satisfy ${check.toString()}`,
  ms = WAIT_DEADLINE_MS,
): Promise<void> {
  if (check()) return Promise.resolve();
  return waitFor(
    what,
    (done) => {
      const onChange = () => {
        if (check()) done(undefined);
      };
      awareness.on('change', onChange);
      return () => awareness.off('change', onChange);
    },
    ms,
  );
}
