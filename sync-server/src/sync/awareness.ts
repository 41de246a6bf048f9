/**
 * The awareness states of one document's connections, kept as encoded JSON so relaying costs no
 * parse. A clientID belongs to the first user that announces it (for as long as the document is
 * loaded); only that user's connections may set its state. The connection that set a state owns
 * it: when that connection closes, the state is removed for everyone. The `user` field is filled
 * from the token.
 */
import type { AwarenessEntry } from './codec.js';
import { MAX_VALUE_DEPTH, nestsDeeperThan } from './content-rules.js';

/** Most awareness clientIDs one connection may announce (a tab normally has one). */
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
  /** clientID → the user who announced it first. */
  private readonly claims = new Map<number, string>();

  get size(): number {
    return this.states.size;
  }

  /**
   * Applies entries sent by `owner`; returns the sanitized entries to relay. Dropped silently:
   * clientIDs claimed by another user, stale clocks, oversized states, bad JSON, and removals of
   * states nobody holds — the official client re-broadcasts every change it hears about, others'
   * states and removals included, so those echoes are not attacks and must not claim anything.
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
      const claimant = this.claims.get(entry.clientId);
      if (claimant !== undefined && claimant !== identity.userId) continue;
      const current = this.states.get(entry.clientId);
      if (!current) {
        if (entry.state === 'null') continue;
        if (claimant === undefined && !mayClaim(entry.clientId)) continue;
        if ((mine?.size ?? 0) >= MAX_CLIENT_IDS_PER_CONNECTION) continue;
      } else if (entry.clock < current.clock || (entry.clock === current.clock && entry.state !== 'null')) {
        continue;
      }
      if (entry.state.length > maxStateBytes) continue;
      const state = sanitize(entry.state, identity);
      if (state === undefined) continue;
      this.claims.set(entry.clientId, identity.userId);
      if (!current) {
        if (!mine) {
          mine = new Set();
          this.owned.set(owner, mine);
        }
        mine.add(entry.clientId);
      }
      // Another connection of the same user (a second tab echoing) updates the state but does not
      // take it over: it is removed when the connection that set it first closes.
      this.states.set(entry.clientId, { clock: entry.clock, state, owner: current?.owner ?? owner });
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
      if (!current || current.owner !== owner) continue;
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
