/**
 * Several tabs of one browser: each tab's edits reach its other tabs at once over a
 * BroadcastChannel, online or offline (DESIGN §8). Each tab holds its own store instance per
 * document, and its own connection unless the tabs share one (shared-connection.ts: then the
 * leading tab also passes on what the server sends); a tab relays what the others wrote to the
 * server too (the server drops what it already has), so an edit reaches the server even when its
 * own tab closes first.
 */
import * as Y from 'yjs';
import { SERVER_ORIGIN, type DocEntry } from '../docs/entry.js';
import type { DocRegistry } from '../docs/registry.js';

/** The origin of updates another tab sent. */
export const TAB_ORIGIN = Symbol('caucus-tab');

interface TabMessage {
  doc: string;
  update: Uint8Array;
  /** Relayed by a shared connection's leader from the server: the server already holds it. */
  server?: true;
}

interface Channel {
  postMessage(message: TabMessage): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** Whether this runtime can share one connection between tabs (Web Locks and BroadcastChannel). */
export function canShareConnection(): boolean {
  const g = globalThis as { navigator?: { locks?: unknown }; BroadcastChannel?: unknown };
  return typeof g.BroadcastChannel === 'function' && g.navigator?.locks !== undefined;
}

export class TabChannel {
  private readonly channel: Channel | null;

  /** Whether updates from the server go to the other tabs too (a shared connection's leader). */
  relaysServer: () => boolean = () => false;

  constructor(
    name: string,
    private readonly registry: DocRegistry,
  ) {
    const BroadcastChannelImpl = (
      globalThis as unknown as { BroadcastChannel?: new (name: string) => Channel }
    ).BroadcastChannel;
    this.channel = BroadcastChannelImpl ? new BroadcastChannelImpl(name) : null;
    if (this.channel) this.channel.onmessage = ({ data }) => this.receive(data);
  }

  attach(entry: DocEntry): void {
    if (!this.channel) return;
    const channel = this.channel;
    entry.onUpdate = (update, origin) => {
      if (origin === TAB_ORIGIN) return;
      if (origin !== SERVER_ORIGIN) channel.postMessage({ doc: entry.name, update });
      else if (this.relaysServer()) channel.postMessage({ doc: entry.name, update, server: true });
    };
  }

  private receive(data: unknown): void {
    const { doc, update, server } = (data ?? {}) as Partial<TabMessage>;
    if (typeof doc !== 'string' || !(update instanceof Uint8Array)) return;
    const entry = this.registry.get(doc);
    if (!entry) return;
    try {
      // What the leader had from the server is the server's here too: not this tab's unsynced
      // change (a deletion in it would otherwise count as one until the next acknowledgement).
      Y.applyUpdate(entry.doc, update, server === true ? SERVER_ORIGIN : TAB_ORIGIN);
    } catch {
      // Not an update this tab can read: the server copy brings the tabs together anyway.
    }
  }

  close(): void {
    this.channel?.close();
  }
}
