/**
 * One WebSocket for all the tabs of an origin (DESIGN §3, issue 12 "Multi-tab"; opt in with
 * `createClient({ sharedConnection: true })`). One tab leads: it holds the Web Lock
 * `caucus-connection:<server>` and the client's connection. The others follow over the
 * BroadcastChannel `caucus-shared:<server>`: a follower opening a document asks the leader for
 * it (with its state vector), the leader opens it too — so it is subscribed on the one socket —
 * and answers with what the follower lacks once it is in step with the server. Edits then flow
 * through the tab channel (tabs.ts): a follower's reach the leader, which sends them on; the
 * leader relays what the server sends, and what the server has acknowledged, to the followers.
 *
 * When the leader's tab closes, the browser hands its lock to a waiting tab at once; that tab
 * connects and says so, and the followers ask it for their documents again.
 */
import type * as Yjs from 'yjs';
import type { DocEntry } from '../docs/entry.js';
import type { DocHandle, DocRegistry } from '../docs/registry.js';
import type { MuxConnection } from './connection.js';
import type { ConnectionState } from './connection-types.js';
import type { TabChannel } from './tabs.js';

/**
 * The parts of Yjs this module uses, lent by the client: this module is a chunk of its own,
 * loaded on demand, and carries no copy of Yjs.
 */
export type YjsParts = Pick<typeof Yjs, 'applyUpdate' | 'encodeStateAsUpdate' | 'encodeStateVector'>;

/** What the shared connection needs of the client it belongs to. */
export interface SharedHost {
  /** Opens a document on behalf of another tab (held until this tab closes). */
  open(name: string): DocHandle;
  entry(name: string): DocEntry | undefined;
  entries(): Iterable<DocEntry>;
  /** This tab now leads: connect. */
  lead(): void;
  connectionState(): ConnectionState;
  /** The leader's connection state changed (followers show it as their own). */
  changed(): void;
  yjs: YjsParts;
  /** The origin of updates that came from another tab (tabs.ts). */
  tabOrigin: symbol;
}

type Message =
  | { t: 'hello' }
  | { t: 'leader' }
  | { t: 'status'; state: ConnectionState }
  | { t: 'open'; doc: string; sv: Uint8Array }
  | { t: 'state'; doc: string; update: Uint8Array; sv: Uint8Array }
  | { t: 'missing'; doc: string; update: Uint8Array }
  | { t: 'confirmed'; doc: string; sv: Uint8Array };

interface Channel {
  postMessage(message: Message): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<void>;
}

export class SharedConnection {
  /** Whether this tab holds the lock (and the socket). */
  leading = false;
  /** The leader's connection state as it last said; `offline` until a leader speaks. */
  leaderState: ConnectionState = 'offline';
  private readonly channel: Channel;
  private readonly held = new Map<string, DocHandle>();
  private releaseLock: (() => void) | null = null;
  private closed = false;

  constructor(
    server: string,
    private readonly host: SharedHost,
  ) {
    const BroadcastChannelImpl = (
      globalThis as unknown as { BroadcastChannel: new (name: string) => Channel }
    ).BroadcastChannel;
    this.channel = new BroadcastChannelImpl(`caucus-shared:${server}`);
    this.channel.onmessage = ({ data }) => this.receive(data as Message);
    const locks = (globalThis as unknown as { navigator: { locks: LockManagerLike } }).navigator.locks;
    void locks
      .request(
        `caucus-connection:${server}`,
        () =>
          new Promise<void>((release) => {
            if (this.closed) return release();
            this.releaseLock = release;
            this.leading = true;
            // What this tab opened as a follower is watched from now on, as what it opens next.
            for (const entry of this.host.entries()) this.watch(entry);
            this.host.lead();
            this.post({ t: 'leader' });
          }),
      )
      .catch(() => undefined);
    // Ask whoever leads now for its connection state.
    this.post({ t: 'hello' });
  }

  /** A document was opened in this tab. */
  opened(entry: DocEntry): void {
    if (!this.leading) void entry.whenLoaded.then(() => this.ask(entry));
    else this.watch(entry);
  }

  /** The connection's state changed (the leader tells the followers). */
  statusChanged(): void {
    if (this.leading) this.post({ t: 'status', state: this.host.connectionState() });
  }

  private ask(entry: DocEntry): void {
    if (this.closed || entry.closed) return;
    this.post({ t: 'open', doc: entry.name, sv: this.host.yjs.encodeStateVector(entry.doc) });
  }

  /**
   * The leader tells the followers what the server acknowledged of a document: when the confirmed
   * clocks move, and after every acknowledgement, which also covers deletions (they move no clock,
   * so a follower's deletion would otherwise stay unsynced there).
   */
  private watch(entry: DocEntry): void {
    let last = '';
    const tell = (always: boolean) => {
      const sv = entry.confirmedVector();
      const key = sv.join(',');
      if ((key === last && !always) || !this.leading) return;
      last = key;
      this.post({ t: 'confirmed', doc: entry.name, sv });
    };
    entry.status.subscribe(() => tell(false));
    entry.onAcknowledged(() => tell(true));
  }

  private receive(message: Message): void {
    if (this.closed || typeof message !== 'object' || message === null) return;
    switch (message.t) {
      case 'hello':
        this.statusChanged();
        return;
      case 'leader':
        // A new leader: ask it for every open document again.
        if (!this.leading)
          for (const entry of this.host.entries()) void entry.whenLoaded.then(() => this.ask(entry));
        return;
      case 'status':
        if (this.leading) return;
        this.leaderState = message.state;
        this.host.changed();
        return;
      case 'open':
        if (this.leading) void this.answer(message.doc, message.sv);
        return;
      case 'state':
        if (!this.leading) this.caughtUp(message.doc, message.update, message.sv);
        return;
      case 'missing':
        if (this.leading) this.apply(message.doc, message.update);
        return;
      case 'confirmed':
        if (!this.leading) this.host.entry(message.doc)?.acknowledge(message.sv);
        return;
    }
  }

  /** Leader: opens the document for the asking tab, and once in step with the server answers. */
  private async answer(doc: string, sv: Uint8Array): Promise<void> {
    let entry = this.host.entry(doc);
    if (!this.held.has(doc)) {
      try {
        const handle = this.host.open(doc);
        this.held.set(doc, handle);
        entry = this.host.entry(doc);
        if (entry) this.watch(entry);
      } catch {
        return;
      }
    }
    const handle = this.held.get(doc);
    await handle?.whenSynced.catch(() => undefined);
    entry = this.host.entry(doc);
    if (!entry || this.closed) return;
    this.post({
      t: 'state',
      doc,
      update: this.host.yjs.encodeStateAsUpdate(entry.doc, sv),
      sv: this.host.yjs.encodeStateVector(entry.doc),
    });
    this.post({ t: 'confirmed', doc, sv: entry.confirmedVector() });
  }

  /** Follower: the leader's copy is in; send what it lacks; the document counts as synced. */
  private caughtUp(doc: string, update: Uint8Array, sv: Uint8Array): void {
    const entry = this.host.entry(doc);
    if (!entry) return;
    try {
      this.host.yjs.applyUpdate(entry.doc, update, this.host.tabOrigin);
      const missing = this.host.yjs.encodeStateAsUpdate(entry.doc, sv);
      // An update with nothing in it is two bytes (no structs, no deletions).
      if (missing.length > 2) this.post({ t: 'missing', doc, update: missing });
    } catch {
      return;
    }
    entry.markSynced();
  }

  private apply(doc: string, update: Uint8Array): void {
    const entry = this.host.entry(doc);
    if (!entry) return;
    try {
      this.host.yjs.applyUpdate(entry.doc, update, this.host.tabOrigin);
    } catch {
      // Not an update this tab can read; the follower's own store still has it.
    }
  }

  private post(message: Message): void {
    if (!this.closed) this.channel.postMessage(message);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const handle of this.held.values()) handle.release();
    this.held.clear();
    this.channel.close();
    this.leading = false;
    this.releaseLock?.();
  }
}

/** Starts sharing the client's connection with the other tabs (the client's part of it). */
export function startSharing(
  server: string,
  registry: DocRegistry,
  connection: MuxConnection,
  tabs: TabChannel | null,
  client: Pick<SharedHost, 'lead' | 'changed' | 'yjs' | 'tabOrigin'>,
): SharedConnection {
  const shared = new SharedConnection(server, {
    ...client,
    open: (name) => registry.open(name),
    entry: (name) => registry.get(name),
    entries: () => registry.all(),
    connectionState: () => connection.status.current.state,
  });
  // The leader passes on what the server sends: the followers have no socket of their own.
  if (tabs) tabs.relaysServer = () => shared.leading;
  connection.status.subscribe(() => shared.statusChanged());
  for (const entry of registry.all()) shared.opened(entry);
  return shared;
}
