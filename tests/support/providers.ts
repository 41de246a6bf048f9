/**
 * The official y-websocket client, as users run it, plus small await helpers driven by events.
 */
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as authProtocol from 'y-protocols/auth';
import type * as decoding from 'lib0/decoding';

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
export function synced(client: TestClient): Promise<void> {
  if (client.provider.synced) return Promise.resolve();
  return new Promise((resolve) => {
    const onSync = (state: boolean) => {
      if (!state) return;
      client.provider.off('sync', onSync);
      resolve();
    };
    client.provider.on('sync', onSync);
  });
}

/** Resolves once `check()` holds, re-checking after every update of `doc`. */
export function until(doc: Y.Doc, check: () => boolean): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve) => {
    const onUpdate = () => {
      if (!check()) return;
      doc.off('update', onUpdate);
      resolve();
    };
    doc.on('update', onUpdate);
  });
}

/** Resolves with the next PermissionDenied reason the client receives. */
export function nextDenied(client: TestClient): Promise<string> {
  return new Promise((resolve) => {
    const handler = (reason: string) => {
      client.deniedListeners.delete(handler);
      resolve(reason);
    };
    client.deniedListeners.add(handler);
  });
}

/** Resolves with the next close event of the client's connection. */
export function nextClose(client: TestClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    const handler = (event: { code: number; reason: string } | null) => {
      if (!event) return;
      client.provider.off('connection-close', handler);
      resolve({ code: event.code, reason: event.reason });
    };
    client.provider.on('connection-close', handler);
  });
}
