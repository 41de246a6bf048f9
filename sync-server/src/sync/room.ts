/**
 * One loaded document: the authoritative in-memory Y.Doc, a shadow copy for checking client
 * updates (client-writable kinds only), its connections and awareness, and its position in the
 * update log.
 *
 * Both Y.Docs are built when first needed. A document loaded as one stored state (a snapshot, or
 * a short log merged) is served from those bytes until something must change it: a new client's
 * sync step 2 is the stored state as is, its state vector is read from the bytes. Readers of an
 * idle document, and a cold load, never pay for building a Y.Doc (about as long as
 * `Y.applyUpdate` of the whole state) or for its memory; the first write builds it.
 */
import * as Y from 'yjs';
import { CLIENT_WRITABLE_KINDS, SERVER_ACTOR, type DocName, type DocRef, type Refusal } from '@caucus/schema';
import type { SnapshotEntry, StoredDoc } from '../storage/doc-store.js';
import { STORAGE_ORIGIN, buildDoc, foldToSnapshot } from '../storage/fold.js';
import { AwarenessRegistry } from './awareness.js';
import { checkThreadTransaction, defineThreadRoots, type RuleContext } from './content-rules.js';
import { isEmptyUpdate } from './redundant.js';
import type { SyncSocket } from './socket.js';

/** A stored log this short and small is merged into one state at load instead of building a Y.Doc. */
const MERGE_AT_LOAD_MAX_UPDATES = 32;
const MERGE_AT_LOAD_MAX_BYTES = 64 * 1024;

/** The whole stored document as one update, when that is cheap to get; null otherwise. */
function storedState(stored: StoredDoc): Uint8Array | null {
  const { snapshot, updates } = stored;
  // An empty update (no structs, no deletions) for a document never written.
  if (updates.length === 0) return snapshot ?? new Uint8Array([0, 0]);
  if (!snapshot && updates.length === 1) return updates[0] as Uint8Array;
  const parts = snapshot ? [snapshot, ...updates] : updates;
  if (parts.length > MERGE_AT_LOAD_MAX_UPDATES) return null;
  if (parts.reduce((n, u) => n + u.length, 0) > MERGE_AT_LOAD_MAX_BYTES) return null;
  return Y.mergeUpdates(parts);
}

/** The state of a document not built yet: its bytes and state vector. */
interface Unbuilt {
  state: Uint8Array;
  stateVector: Uint8Array;
  /** `stateVector` decoded, when first asked for (most loaded documents are only read). */
  clocks: Map<number, number> | null;
}

export type ApplyResult =
  | { kind: 'accepted'; seq: number; newClients: Array<[number, string]> }
  | { kind: 'noop' }
  | { kind: 'refused'; refusal: Refusal }
  /** The update needs changes the server lacks: ask the client for them with a sync step 1. */
  | { kind: 'missing-dependencies' };

export interface ApplyLimits {
  maxDocBytes: number;
  maxFieldChars: number;
}

/** Any member of a room: what the room and the hub need to relay to it and to end it. */
export interface RoomMember {
  readonly socket: SyncSocket;
  /** Ends the membership from the server side (a failed commit, shutdown); idempotent. */
  close(code: number, reason: string): void;
}

const CHECK = Symbol('caucus.check');

export class Room {
  readonly awareness = new AwarenessRegistry();
  readonly members = new Set<RoomMember>();
  /** clientID → user id, as stored in the document's bindings. */
  readonly owners: Map<number, string>;
  lastSeq: number;
  snapshotSeq: number;
  /** Approximate stored size: snapshot plus log bytes. */
  storedBytes: number;
  /** Updates applied in memory whose commit has not finished. */
  uncommitted = 0;
  /** Clients may write it (then updates are checked on a shadow copy first). */
  readonly clientWritable: boolean;
  private ydoc: Y.Doc | null = null;
  private unbuilt: Unbuilt | null = null;
  private shadow: Y.Doc | null = null;
  private checking: { ctx: RuleContext; refusal: Refusal | null; changed: boolean } | null = null;

  constructor(
    readonly name: DocName,
    readonly ref: DocRef,
    stored: StoredDoc,
  ) {
    // The store hands each load a map of its own: adopted, not copied (one map less per document).
    this.owners = stored.clients;
    this.lastSeq = stored.lastSeq;
    this.snapshotSeq = stored.snapshotSeq;
    this.storedBytes = (stored.snapshot?.length ?? 0) + stored.updates.reduce((n, u) => n + u.length, 0);
    this.clientWritable = CLIENT_WRITABLE_KINDS.has(ref.kind);
    const state = storedState(stored);
    if (state) {
      const stateVector = Y.encodeStateVectorFromUpdate(state);
      this.unbuilt = { state, stateVector, clocks: null };
    } else {
      this.ydoc = buildDoc(stored);
    }
  }

  /** The document; built from the stored state the first time it is asked for. */
  get doc(): Y.Doc {
    if (this.ydoc) return this.ydoc;
    const doc = new Y.Doc();
    const state = (this.unbuilt as Unbuilt).state;
    doc.transact(() => Y.applyUpdate(doc, state, STORAGE_ORIGIN), STORAGE_ORIGIN);
    this.ydoc = doc;
    this.unbuilt = null;
    return doc;
  }

  /** Whether the Y.Doc exists yet (see the top of this file). */
  get built(): boolean {
    return this.ydoc !== null;
  }

  /** The document's state vector (without building it). */
  stateVector(): Uint8Array {
    return this.ydoc ? Y.encodeStateVector(this.ydoc) : (this.unbuilt as Unbuilt).stateVector;
  }

  /** What a client whose state vector is `stateVector` is missing, as one update (sync step 2). */
  missingFor(stateVector: Uint8Array): Uint8Array {
    const unbuilt = this.unbuilt;
    if (unbuilt && [...Y.decodeStateVector(stateVector).values()].every((clock) => clock === 0))
      return unbuilt.state;
    return Y.encodeStateAsUpdate(this.doc, stateVector);
  }

  /** The snapshot that folds the whole log (see `foldToSnapshot`). */
  snapshot(): SnapshotEntry {
    const unbuilt = this.unbuilt;
    if (!unbuilt) return foldToSnapshot(this.doc, this.name, this.lastSeq);
    return { doc: this.name, state: unbuilt.state, stateVector: unbuilt.stateVector, upTo: this.lastSeq };
  }

  private clockOf(client: number): number {
    if (this.ydoc) return Y.getState(this.ydoc.store, client);
    const unbuilt = this.unbuilt as Unbuilt;
    unbuilt.clocks ??= Y.decodeStateVector(unbuilt.stateVector);
    return unbuilt.clocks.get(client) ?? 0;
  }

  private makeShadow(state: Uint8Array = Y.encodeStateAsUpdate(this.doc)): Y.Doc {
    const shadow = new Y.Doc();
    defineThreadRoots(shadow);
    Y.applyUpdate(shadow, state);
    shadow.on('beforeObserverCalls', (tr: Y.Transaction) => {
      const check = this.checking;
      if (!check || tr.origin !== CHECK) return;
      check.changed = hasChanges(tr);
      if (check.changed && check.refusal === null)
        check.refusal = checkThreadTransaction(shadow, tr, check.ctx);
    });
    return shadow;
  }

  /**
   * Checks a client's update on the shadow and, when it passes, applies it to the document and
   * reserves its log seq. Nothing is applied to the document otherwise.
   */
  applyClientUpdate(update: Uint8Array, actor: string, limits: ApplyLimits): ApplyResult {
    if (!this.clientWritable)
      return { kind: 'refused', refusal: { code: 'read-only', message: 'this document is server-only' } };
    // What every new client answers the server's sync step 1 with: nothing to check or build for.
    if (isEmptyUpdate(update)) return { kind: 'noop' };
    let meta: { to: Map<number, number> };
    try {
      meta = Y.parseUpdateMeta(update);
    } catch {
      return {
        kind: 'refused',
        refusal: { code: 'malformed-update', message: 'the update could not be decoded' },
      };
    }
    const newClients: Array<[number, string]> = [];
    for (const [client, clock] of meta.to) {
      // Structs the server already has may come from anyone (a full-state resend); only new ones
      // are attributed to the sender.
      if (clock <= this.clockOf(client)) continue;
      const owner = this.owners.get(client);
      if (owner === undefined) newClients.push([client, actor]);
      else if (owner !== actor) {
        return {
          kind: 'refused',
          refusal: {
            code: 'client-id-taken',
            message: `clientID ${client} belongs to another user in this document`,
          },
        };
      }
    }
    if (this.storedBytes + update.length > limits.maxDocBytes) {
      return {
        kind: 'refused',
        refusal: { code: 'doc-too-large', message: `the document would exceed ${limits.maxDocBytes} bytes` },
      };
    }
    const shadow = this.ensureShadow();
    const owners = newClients.length === 0 ? this.owners : new Map([...this.owners, ...newClients]);
    const check = {
      ctx: { actor, owners, maxFieldChars: limits.maxFieldChars },
      refusal: null as Refusal | null,
      changed: false,
    };
    this.checking = check;
    let failed = false;
    try {
      Y.applyUpdate(shadow, update, CHECK);
    } catch {
      failed = true;
    } finally {
      this.checking = null;
    }
    const pending = shadow.store.pendingStructs !== null || shadow.store.pendingDs !== null;
    if (failed || check.refusal || pending) {
      this.shadow = this.makeShadow();
      if (failed)
        return {
          kind: 'refused',
          refusal: { code: 'malformed-update', message: 'the update could not be applied' },
        };
      if (check.refusal) return { kind: 'refused', refusal: check.refusal };
      return { kind: 'missing-dependencies' };
    }
    if (!check.changed) return { kind: 'noop' };
    Y.applyUpdate(this.doc, update);
    for (const [client, user] of newClients) this.owners.set(client, user);
    this.storedBytes += update.length;
    this.uncommitted++;
    return { kind: 'accepted', seq: ++this.lastSeq, newClients };
  }

  /** The shadow copy, built (with the document) on the first client write. */
  private ensureShadow(): Y.Doc {
    if (this.shadow) return this.shadow;
    const state = this.unbuilt?.state;
    const doc = this.doc;
    this.shadow = this.makeShadow(state ?? Y.encodeStateAsUpdate(doc));
    return this.shadow;
  }

  /**
   * Runs a server-side change on the document; returns the update to log and relay, or null when
   * it changed nothing.
   */
  applyServerChange(
    change: (doc: Y.Doc) => void,
  ): { update: Uint8Array; seq: number; newClients: Array<[number, string]> } | null {
    while ((this.owners.get(this.doc.clientID) ?? SERVER_ACTOR) !== SERVER_ACTOR) {
      this.doc.clientID = Math.floor(Math.random() * 0xffffffff);
    }
    const updates: Uint8Array[] = [];
    const collect = (u: Uint8Array) => updates.push(u);
    this.doc.on('update', collect);
    try {
      this.doc.transact(() => change(this.doc), SERVER_ACTOR);
    } finally {
      this.doc.off('update', collect);
    }
    if (updates.length === 0) return null;
    const update = updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates);
    if (this.shadow) Y.applyUpdate(this.shadow, update);
    const newClients: Array<[number, string]> = [];
    if (!this.owners.has(this.doc.clientID)) {
      this.owners.set(this.doc.clientID, SERVER_ACTOR);
      newClients.push([this.doc.clientID, SERVER_ACTOR]);
    }
    this.storedBytes += update.length;
    this.uncommitted++;
    return { update, seq: ++this.lastSeq, newClients };
  }

  /** Sends the same bytes to every member but `except`. */
  broadcast(frame: Uint8Array, except?: RoomMember): void {
    for (const member of this.members) {
      if (member !== except) member.socket.send(frame);
    }
  }

  destroy(): void {
    this.ydoc?.destroy();
    this.shadow?.destroy();
  }
}

function hasChanges(tr: Y.Transaction): boolean {
  if (tr.deleteSet.clients.size > 0) return true;
  for (const [client, clock] of tr.afterState) if (clock > (tr.beforeState.get(client) ?? 0)) return true;
  return false;
}
