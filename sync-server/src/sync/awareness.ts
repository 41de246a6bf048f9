/**
 * The awareness states of one document's connections, kept as encoded JSON so relaying costs no
 * parse. A connection may only set the states of clientIDs it owns: the first connection to
 * announce a clientID owns it until it closes. The `user` field is filled from the token.
 */
import type { AwarenessEntry } from './codec.js';

/** Most awareness clientIDs one connection may own (a tab normally has one). */
const MAX_CLIENT_IDS_PER_CONNECTION = 16;

export interface AwarenessIdentity {
  userId: string;
  name: string;
}

interface State {
  clock: number;
  state: string;
  owner: object;
}

export class AwarenessRegistry {
  private readonly states = new Map<number, State>();
  private readonly owned = new Map<object, Set<number>>();

  get size(): number {
    return this.states.size;
  }

  /**
   * Applies entries sent by `owner`; returns the sanitized entries to relay. Entries for clientIDs
   * owned by someone else, stale clocks, oversized states and bad JSON are dropped silently: the
   * official client re-broadcasts other clients' states it learned, so they are not an attack.
   */
  apply(
    entries: readonly AwarenessEntry[],
    owner: object,
    identity: AwarenessIdentity,
    maxStateBytes: number,
    mayClaim: (clientId: number) => boolean,
  ): AwarenessEntry[] {
    const relayed: AwarenessEntry[] = [];
    let mine = this.owned.get(owner);
    for (const entry of entries) {
      const current = this.states.get(entry.clientId);
      if (current && current.owner !== owner) continue;
      if (!current) {
        if (!mayClaim(entry.clientId)) continue;
        if ((mine?.size ?? 0) >= MAX_CLIENT_IDS_PER_CONNECTION) continue;
      }
      if (
        current &&
        entry.clock <= current.clock &&
        !(entry.clock === current.clock && entry.state === 'null')
      ) {
        continue;
      }
      if (entry.state.length > maxStateBytes) continue;
      const state = sanitize(entry.state, identity);
      if (state === undefined) continue;
      if (!mine) {
        mine = new Set();
        this.owned.set(owner, mine);
      }
      mine.add(entry.clientId);
      this.states.set(entry.clientId, { clock: entry.clock, state, owner });
      relayed.push({ clientId: entry.clientId, clock: entry.clock, state });
    }
    return relayed;
  }

  /** Removes every state `owner` set; returns the removal entries to relay. */
  removeOwner(owner: object): AwarenessEntry[] {
    const mine = this.owned.get(owner);
    if (!mine) return [];
    this.owned.delete(owner);
    const removed: AwarenessEntry[] = [];
    for (const clientId of mine) {
      const current = this.states.get(clientId);
      if (!current) continue;
      this.states.delete(clientId);
      if (current.state !== 'null') removed.push({ clientId, clock: current.clock + 1, state: 'null' });
    }
    return removed;
  }

  /** Every known state, for a joining connection or a query; removed ones are left out. */
  all(): AwarenessEntry[] {
    const entries: AwarenessEntry[] = [];
    for (const [clientId, s] of this.states) {
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
