/**
 * The sync session: every open document over the one connection (caucus.mux.v1). On (re)connect
 * one subscribe frame carries the state vectors of all open documents; each document then runs
 * the y-websocket protocol inside `doc` frames. Access is per document: a refusal or a downgrade
 * touches that document only. A refused update (`PermissionDenied`) puts the document's unsynced
 * local changes aside (quarantine) and resets the document from the server.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as authProtocol from 'y-protocols/auth';
import * as syncProtocol from 'y-protocols/sync';
import { MESSAGE_TYPES, MUX_CLOSE, decodeRefusal, newId, type MuxServerMessage } from '@caucus/schema';
import { SERVER_ORIGIN, type DocEntry } from '../docs/entry.js';
import type { DocRegistry } from '../docs/registry.js';
import type { RefusedChange } from '../docs/refused.js';
import { summarizeUpdate } from '../docs/summary.js';
import { backoffDelay } from './backoff.js';
import * as closePolicy from './close-policy.js';
import type { ConnectionListener, MuxConnection } from './connection.js';
import { awarenessMessage, queryAwareness, syncStep1, syncUpdate } from './doc-messages.js';

interface Subscription {
  phase: 'none' | 'pending' | 'live';
  /** Sync step 2 messages the server still owes this document (one per subscribe and step 1 sent). */
  step2Due: number;
  /** A reset in progress: the server's copy being fetched into `fresh`. */
  quarantine: { fresh: Y.Doc; reason: RefusedChange['reason'] } | null;
  retries: number;
  retryTimer: ReturnType<typeof setTimeout> | null;
}

export interface SessionHooks {
  /** Local changes the server refused, now kept aside; the document was reset. */
  refused(change: RefusedChange): void;
  now(): number;
  random(): number;
}

export class SyncSession implements ConnectionListener {
  private readonly subs = new Map<DocEntry, Subscription>();
  /** Unsubscribes sent whose `closed` 1000 has not come back yet, per document name. */
  private readonly unsubscribing = new Map<string, number>();
  private readonly toSubscribe = new Set<DocEntry>();
  private readonly toUnsubscribe = new Set<string>();
  private flushQueued = false;
  connection!: MuxConnection;

  constructor(
    private readonly registry: DocRegistry,
    private readonly hooks: SessionHooks,
  ) {}

  /** A document was opened: subscribe it once its stored state is loaded. */
  attach(entry: DocEntry): void {
    const sub: Subscription = { phase: 'none', step2Due: 0, quarantine: null, retries: 0, retryTimer: null };
    this.subs.set(entry, sub);
    entry.onLocalUpdate = (update) => {
      if (sub.phase === 'live' && !sub.quarantine) this.sendDoc(entry.name, syncUpdate(update));
    };
    entry.onAwareness((awareness) => this.watchAwareness(entry, sub, awareness));
    entry.whenLoaded.then(
      () => this.queueSubscribe(entry),
      () => undefined,
    );
  }

  /**
   * A view opened a document the server had refused as missing or not theirs: ask again, so that a
   * screen reopening it does not get the old refusal back while another view keeps it open.
   */
  askAgain(entry: DocEntry): void {
    const denied = entry.status.current.denied;
    if (!denied || !closePolicy.ASK_AGAIN_ON_OPEN.has(denied.code)) return;
    const sub = this.subs.get(entry);
    if (!sub || sub.phase !== 'none') return;
    sub.retries = 0;
    entry.patch({ denied: null });
    this.queueSubscribe(entry);
  }

  /** A document is closing: unsubscribe it. */
  detach(entry: DocEntry): void {
    const sub = this.subs.get(entry);
    if (!sub) return;
    this.subs.delete(entry);
    this.toSubscribe.delete(entry);
    if (sub.retryTimer) clearTimeout(sub.retryTimer);
    if (sub.phase !== 'none' && this.connection.state === 'online') {
      this.unsubscribing.set(entry.name, (this.unsubscribing.get(entry.name) ?? 0) + 1);
      this.toUnsubscribe.add(entry.name);
      this.queueFlush();
    }
  }

  opened(): void {
    for (const [entry, sub] of this.subs) {
      const denied = entry.status.current.denied;
      if (denied && !closePolicy.RETRY_ON_RECONNECT.has(denied.code)) continue;
      if (entry.loaded && sub.phase === 'none') this.toSubscribe.add(entry);
    }
    this.flush();
  }

  dropped(): void {
    this.unsubscribing.clear();
    this.toSubscribe.clear();
    this.toUnsubscribe.clear();
    for (const [entry, sub] of this.subs) {
      sub.phase = 'none';
      sub.step2Due = 0;
      // An unfinished reset starts over: the refused changes are still in the document.
      sub.quarantine?.fresh.destroy();
      sub.quarantine = null;
      if (sub.retryTimer) clearTimeout(sub.retryTimer);
      sub.retryTimer = null;
      entry.patch({ synced: false });
      const awareness = entry.hasAwareness;
      if (awareness) {
        const others = [...awareness.getStates().keys()].filter((c) => c !== awareness.clientID);
        awarenessProtocol.removeAwarenessStates(awareness, others, SERVER_ORIGIN);
      }
    }
  }

  frame(message: MuxServerMessage): void {
    if (message.type === 'pong' || message.type === 'authed') return;
    if (message.type === 'closed' && message.code === MUX_CLOSE.unsubscribed) {
      const pending = this.unsubscribing.get(message.doc) ?? 0;
      if (pending > 1) this.unsubscribing.set(message.doc, pending - 1);
      else this.unsubscribing.delete(message.doc);
      if (pending > 0) return;
    }
    const entry = this.registry.get(message.doc);
    const sub = entry && this.subs.get(entry);
    if (!entry || !sub) return;
    switch (message.type) {
      case 'subscribed':
        sub.phase = 'live';
        sub.retries = 0;
        entry.patch({ access: message.access, denied: null });
        this.announceAwareness(entry);
        return;
      case 'access':
        entry.patch({ access: message.access });
        return;
      case 'closed':
        return this.closed(entry, sub, message.code, message.reason);
      case 'doc':
        return this.docMessage(entry, sub, message.message);
    }
  }

  private closed(entry: DocEntry, sub: Subscription, code: number, reason: string): void {
    sub.phase = 'none';
    sub.step2Due = 0;
    entry.patch({ synced: false });
    if (sub.quarantine) return this.queueSubscribe(entry);
    if (!closePolicy.TRANSIENT_CLOSE_CODES.has(code)) return entry.deny(code, reason);
    const delay = backoffDelay(sub.retries++, () => this.hooks.random(), closePolicy.RESUBSCRIBE_BASE_MS);
    sub.retryTimer = setTimeout(() => {
      sub.retryTimer = null;
      this.queueSubscribe(entry);
    }, delay);
    (sub.retryTimer as { unref?: () => void }).unref?.();
  }

  private docMessage(entry: DocEntry, sub: Subscription, message: Uint8Array): void {
    const target = sub.quarantine?.fresh ?? entry.doc;
    try {
      const decoder = decoding.createDecoder(message);
      switch (decoding.readVarUint(decoder)) {
        case MESSAGE_TYPES.sync: {
          const reply = encoding.createEncoder();
          encoding.writeVarUint(reply, MESSAGE_TYPES.sync);
          const step = syncProtocol.readSyncMessage(decoder, reply, target, SERVER_ORIGIN);
          if (step === syncProtocol.messageYjsSyncStep1)
            this.sendDoc(entry.name, encoding.toUint8Array(reply));
          else if (step === syncProtocol.messageYjsSyncStep2) this.step2(entry, sub);
          return;
        }
        case MESSAGE_TYPES.awareness: {
          const awareness = entry.hasAwareness;
          const update = decoding.readVarUint8Array(decoder);
          if (awareness) awarenessProtocol.applyAwarenessUpdate(awareness, update, SERVER_ORIGIN);
          return;
        }
        case MESSAGE_TYPES.auth:
          authProtocol.readAuthMessage(decoder, target, (_doc, reason) => this.refused(entry, sub, reason));
          return;
        case MESSAGE_TYPES.queryAwareness: {
          const awareness = entry.hasAwareness;
          if (awareness) this.sendDoc(entry.name, awarenessMessage(awareness, [awareness.clientID]));
          return;
        }
        case MESSAGE_TYPES.durableAck:
          if (!sub.quarantine) entry.acknowledge(decoding.readVarUint8Array(decoder));
          return;
      }
    } catch {
      // A message this client cannot read is skipped; the next sync round repairs what it missed.
    }
  }

  private step2(entry: DocEntry, sub: Subscription): void {
    sub.step2Due = Math.max(0, sub.step2Due - 1);
    if (sub.step2Due > 0) return;
    if (sub.quarantine) return void this.finishQuarantine(entry, sub);
    if (sub.phase !== 'none') entry.markSynced();
  }

  /** The server refused an update of this document: fetch its copy to reset to (once per refusal batch). */
  private refused(entry: DocEntry, sub: Subscription, raw: string): void {
    if (sub.quarantine) return;
    const refusal = decodeRefusal(raw);
    sub.quarantine = { fresh: new Y.Doc(), reason: refusal ?? { code: 'unknown', message: raw } };
    sub.step2Due++;
    this.sendDoc(entry.name, syncStep1(sub.quarantine.fresh));
  }

  private async finishQuarantine(entry: DocEntry, sub: Subscription): Promise<void> {
    const quarantine = sub.quarantine;
    if (!quarantine) return;
    sub.quarantine = null;
    const { fresh, reason } = quarantine;
    const update = Y.encodeStateAsUpdate(entry.doc, Y.encodeStateVector(fresh));
    const summary = summarizeUpdate(fresh, update, entry.ref.kind);
    const replaced = entry.replace(fresh);
    if (summary.length > 0)
      this.hooks.refused({ id: newId(), doc: entry.name, at: this.hooks.now(), reason, summary, update });
    entry.markSynced();
    await replaced;
  }

  private watchAwareness(entry: DocEntry, sub: Subscription, awareness: awarenessProtocol.Awareness): void {
    awareness.on(
      'update',
      (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
        if (origin === SERVER_ORIGIN || sub.phase !== 'live' || entry.hasAwareness !== awareness) return;
        const clients = [...change.added, ...change.updated, ...change.removed];
        this.sendDoc(entry.name, awarenessMessage(awareness, clients));
      },
    );
    if (sub.phase === 'live') this.announceAwareness(entry);
  }

  private announceAwareness(entry: DocEntry): void {
    const awareness = entry.hasAwareness;
    if (!awareness) return;
    this.sendDoc(entry.name, queryAwareness());
    if (awareness.getLocalState() !== null)
      this.sendDoc(entry.name, awarenessMessage(awareness, [awareness.clientID]));
  }

  private queueSubscribe(entry: DocEntry): void {
    const sub = this.subs.get(entry);
    if (!sub || sub.phase !== 'none' || entry.closed || this.connection.state !== 'online') return;
    this.toSubscribe.add(entry);
    this.queueFlush();
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /** Sends what is queued: one unsubscribe frame, then one subscribe frame for every document. */
  private flush(): void {
    if (this.toUnsubscribe.size > 0) {
      this.connection.send({ type: 'unsubscribe', docs: [...this.toUnsubscribe] });
      this.toUnsubscribe.clear();
    }
    const docs = [];
    for (const entry of this.toSubscribe) {
      const sub = this.subs.get(entry);
      if (!sub || sub.phase !== 'none' || entry.closed) continue;
      sub.phase = 'pending';
      sub.step2Due++;
      const doc = sub.quarantine?.fresh ?? entry.doc;
      docs.push({ doc: entry.name, acks: true, stateVector: Y.encodeStateVector(doc) });
    }
    this.toSubscribe.clear();
    if (docs.length > 0 && !this.connection.send({ type: 'subscribe', docs }))
      for (const { doc } of docs) {
        const entry = this.registry.get(doc);
        const sub = entry && this.subs.get(entry);
        if (sub) sub.phase = 'none';
      }
  }

  private sendDoc(doc: string, message: Uint8Array): void {
    this.connection.send({ type: 'doc', doc, message });
  }
}
