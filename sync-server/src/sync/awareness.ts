/**
 * The awareness states of one document's connections, kept as encoded JSON so relaying costs no
 * parse. A clientID belongs to the first user that announces it (for as long as the document is
 * loaded); only that user's connections may set its state. The connection that set a state owns
 * it: when that connection closes, the state is removed for everyone. The `user` field is filled
 * from the token.
 *
 * A returning peer must be visible at once. Its connection closed, so every peer was told of the
 * removal with the state's clock raised by one; the client, reconnecting with the same clientID,
 * announces itself again with its old clock, which every peer ignores (y-protocols applies a
 * state only with a higher clock). The registry therefore keeps the removal (a tombstone, while
 * the document is loaded) and answers such a stale announcement to its sender alone with that
 * removal. y-protocols' Awareness reacts to a removal of its own clientID with a higher clock by
 * raising its clock past it and announcing its state again — which every peer then applies. No
 * clock is rewritten; one extra round trip to the returning client, none to anybody else.
 */
import type { AwarenessEntry } from './codec.js';
import { MAX_VALUE_DEPTH, nestsDeeperThan } from './content-rules.js';

/** Most awareness clientIDs one connection may announce (a tab normally has one). */
const MAX_CLIENT_IDS_PER_CONNECTION = 16;
/** Removals remembered per document (the oldest are forgotten first); see the top of this file. */
const MAX_TOMBSTONES = 1024;

export interface AwarenessIdentity {
  userId: string;
  name: string;
}

interface State {
  clock: number;
  state: string;
  /** The connection that set it; null for a tombstone (its connection closed). */
  owner: object | null;
}

/** What `apply` produced: entries for every member, and entries for the sender alone. */
export interface Applied {
  relay: AwarenessEntry[];
  reply: AwarenessEntry[];
}

interface Tables {
  states: Map<number, State>;
  owned: Map<object, Set<number>>;
  /** clientID → the user who announced it first. */
  claims: Map<number, string>;
  /** clientIDs whose state is a tombstone, oldest first. */
  tombstones: Set<number>;
}

function newTables(): Tables {
  return { states: new Map(), owned: new Map(), claims: new Map(), tombstones: new Set() };
}

export class AwarenessRegistry {
  /**
   * Made when the first state is announced: most loaded documents never see one (a script, an
   * idle tab, a client holding hundreds of documents on one socket), and four empty maps cost
   * about 800 bytes per document — a third of what a small loaded thread costs in all.
   */
  private tables: Tables | null = null;

  /** States held by open connections. */
  get size(): number {
    return this.tables ? this.tables.states.size - this.tables.tombstones.size : 0;
  }

  /**
   * Applies entries sent by `owner`; returns the sanitized entries to relay, and the removals to
   * send back to a returning client (see the top of this file). Dropped silently: clientIDs
   * claimed by another user, stale clocks, oversized states, bad JSON, and removals of states
   * nobody holds — the official client re-broadcasts every change it hears about, others' states
   * and removals included, so those echoes are not attacks and must not claim anything.
   */
  apply(
    entries: readonly AwarenessEntry[],
    owner: object,
    identity: AwarenessIdentity,
    maxStateBytes: number,
    mayClaim: (clientId: number) => boolean,
  ): Applied {
    const relay: AwarenessEntry[] = [];
    const reply: AwarenessEntry[] = [];
    if (entries.length === 0) return { relay, reply };
    const t = (this.tables ??= newTables());
    let mine = t.owned.get(owner);
    for (const entry of entries) {
      const claimant = t.claims.get(entry.clientId);
      if (claimant !== undefined && claimant !== identity.userId) continue;
      const current = t.states.get(entry.clientId);
      const held = current !== undefined && current.owner !== null;
      if (!held) {
        if (entry.state === 'null') continue;
        if (current && entry.clock <= current.clock) {
          reply.push({ clientId: entry.clientId, clock: current.clock, state: 'null' });
          continue;
        }
        if (claimant === undefined && !mayClaim(entry.clientId)) continue;
        if ((mine?.size ?? 0) >= MAX_CLIENT_IDS_PER_CONNECTION) continue;
      } else if (entry.clock < current.clock || (entry.clock === current.clock && entry.state !== 'null')) {
        continue;
      }
      if (entry.state.length > maxStateBytes) continue;
      const state = sanitize(entry.state, identity);
      if (state === undefined) continue;
      t.claims.set(entry.clientId, identity.userId);
      if (!held) {
        t.tombstones.delete(entry.clientId);
        if (!mine) {
          mine = new Set();
          t.owned.set(owner, mine);
        }
        mine.add(entry.clientId);
      }
      // Another connection of the same user (a second tab echoing) updates the state but does not
      // take it over: it is removed when the connection that set it first closes.
      t.states.set(entry.clientId, { clock: entry.clock, state, owner: held ? current.owner : owner });
      relay.push({ clientId: entry.clientId, clock: entry.clock, state });
    }
    return { relay, reply };
  }

  /** Removes every state `owner` set, keeping tombstones; returns the removal entries to relay. */
  removeOwner(owner: object): AwarenessEntry[] {
    const t = this.tables;
    const mine = t?.owned.get(owner);
    if (!t || !mine) return [];
    t.owned.delete(owner);
    const removed: AwarenessEntry[] = [];
    for (const clientId of mine) {
      const current = t.states.get(clientId);
      if (!current || current.owner !== owner) continue;
      const clock = current.state === 'null' ? current.clock : current.clock + 1;
      t.states.set(clientId, { clock, state: 'null', owner: null });
      this.remember(t, clientId);
      if (current.state !== 'null') removed.push({ clientId, clock, state: 'null' });
    }
    return removed;
  }

  private remember(t: Tables, clientId: number): void {
    t.tombstones.add(clientId);
    for (const oldest of t.tombstones) {
      if (t.tombstones.size <= MAX_TOMBSTONES) break;
      t.tombstones.delete(oldest);
      t.states.delete(oldest);
    }
  }

  /** Every known state, for a joining connection or a query; removed ones are left out. */
  all(): AwarenessEntry[] {
    const entries: AwarenessEntry[] = [];
    if (!this.tables) return entries;
    for (const [clientId, s] of this.tables.states) {
      if (s.state !== 'null') entries.push({ clientId, clock: s.clock, state: s.state });
    }
    return entries;
  }
}

const COLOR = /^#[0-9a-fA-F]{3,8}$/;

/** Parses a state and overwrites its `user` from the token; undefined when it is not valid JSON. */
function sanitize(json: string, identity: AwarenessIdentity): string | undefined {
  if (json === 'null') return json;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (nestsDeeperThan(value, MAX_VALUE_DEPTH)) return undefined;
  const state = value as Record<string, unknown>;
  const claimed =
    typeof state.user === 'object' && state.user !== null ? (state.user as Record<string, unknown>) : {};
  const user: Record<string, string> = { id: identity.userId, name: identity.name };
  // Colours are cosmetic and safe to keep; identity fields are not.
  for (const key of ['color', 'colorLight']) {
    const c = claimed[key];
    if (typeof c === 'string' && COLOR.test(c)) user[key] = c;
  }
  return JSON.stringify({ ...state, user });
}
