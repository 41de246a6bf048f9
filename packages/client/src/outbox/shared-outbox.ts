/**
 * The outbox of tabs that share one connection (`sharedConnection`): one store for all tabs, each
 * write announced on the BroadcastChannel `caucus-outbox:<server>` so the other tabs read the
 * store again (never after a read, so reloads do not echo). Loaded on demand by `attach.ts`.
 */
import type { Outbox } from './outbox.js';
import type { OutboxStore } from './store.js';

interface Channel {
  postMessage(message: string): void;
  close(): void;
  onmessage: (() => void) | null;
}

/** `store`, telling the other tabs after each write. */
function announcing(store: OutboxStore, changed: () => void): OutboxStore {
  return {
    load: () => store.load(),
    add: async (record) => {
      const seq = await store.add(record);
      changed();
      return seq;
    },
    update: async (record) => {
      await store.update(record);
      changed();
    },
    delete: async (id) => {
      await store.delete(id);
      changed();
    },
    close: () => store.close(),
  };
}

export interface SharedOutbox {
  store: OutboxStore;
  /** Calls `listener` when another tab wrote to the store. */
  onChange(listener: () => void): void;
  /** A follower's flush: resolves once nothing in `outbox` is waiting (the leader sent it). */
  settled(outbox: Outbox): Promise<void>;
  close(): void;
}

export function shareOutbox(server: string, store: OutboxStore): SharedOutbox {
  const BroadcastChannelImpl = (globalThis as unknown as { BroadcastChannel: new (name: string) => Channel })
    .BroadcastChannel;
  const channel = new BroadcastChannelImpl(`caucus-outbox:${server}`);
  return {
    store: announcing(store, () => channel.postMessage('changed')),
    onChange: (listener) => (channel.onmessage = listener),
    settled: (outbox) =>
      new Promise<void>((resolve) => {
        const check = () => outbox.current.pending.length === 0 && (resolve(), true);
        if (check()) return;
        const off = outbox.subscribe(() => {
          if (check()) off();
        });
      }),
    close: () => channel.close(),
  };
}
