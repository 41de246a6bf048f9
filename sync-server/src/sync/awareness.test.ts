import { describe, expect, it } from 'vitest';
import { AwarenessRegistry } from './awareness.js';

const alice = { userId: 'alice', name: 'Alice' };
const bob = { userId: 'bob', name: 'Bob' };
const anyone = () => true;
const MAX = 8 * 1024;
const none = { relay: [], reply: [] };

describe('AwarenessRegistry', () => {
  it('keeps a clientID with the user who announced it; other users cannot set it', () => {
    const reg = new AwarenessRegistry();
    const a = {};
    const b = {};
    expect(
      reg.apply([{ clientId: 7, clock: 1, state: '{"cursor":1}' }], a, alice, MAX, anyone).relay,
    ).toHaveLength(1);
    expect(reg.apply([{ clientId: 7, clock: 9, state: '{"cursor":2}' }], b, bob, MAX, anyone)).toEqual(none);
    // Even after Alice's connection closes, Bob cannot take the id over.
    expect(reg.removeOwner(a)).toEqual([{ clientId: 7, clock: 2, state: 'null' }]);
    expect(reg.apply([{ clientId: 7, clock: 10, state: '{"cursor":3}' }], b, bob, MAX, anyone)).toEqual(none);
    // Alice reconnects and sets it again.
    const a2 = {};
    expect(
      reg.apply([{ clientId: 7, clock: 3, state: '{"cursor":4}' }], a2, alice, MAX, anyone).relay,
    ).toHaveLength(1);
  });

  it('answers a returning client that announces an old clock with the removal its peers saw', () => {
    const reg = new AwarenessRegistry();
    const first = {};
    reg.apply([{ clientId: 7, clock: 4, state: '{"cursor":1}' }], first, alice, MAX, anyone);
    expect(reg.removeOwner(first)).toEqual([{ clientId: 7, clock: 5, state: 'null' }]);
    const back = {};
    // Same clock as before it left: peers would ignore it, so nothing is relayed; the client is told.
    expect(reg.apply([{ clientId: 7, clock: 4, state: '{"cursor":1}' }], back, alice, MAX, anyone)).toEqual({
      relay: [],
      reply: [{ clientId: 7, clock: 5, state: 'null' }],
    });
    // y-protocols raises its clock past the removal and announces again: relayed, and owned by `back`.
    expect(
      reg.apply([{ clientId: 7, clock: 6, state: '{"cursor":1}' }], back, alice, MAX, anyone).relay,
    ).toHaveLength(1);
    expect(reg.size).toBe(1);
    expect(reg.removeOwner(back)).toEqual([{ clientId: 7, clock: 7, state: 'null' }]);
    expect(reg.size).toBe(0);
  });

  it('does not let an echoed removal claim anything', () => {
    const reg = new AwarenessRegistry();
    const echoer = {};
    expect(reg.apply([{ clientId: 5, clock: 3, state: 'null' }], echoer, bob, MAX, anyone)).toEqual(none);
    expect(reg.apply([{ clientId: 5, clock: 1, state: '{}' }], {}, alice, MAX, anyone).relay).toHaveLength(1);
  });

  it("lets a user's second tab update a state without taking over its removal", () => {
    const reg = new AwarenessRegistry();
    const tab1 = {};
    const tab2 = {};
    reg.apply([{ clientId: 3, clock: 1, state: '{"x":1}' }], tab1, alice, MAX, anyone);
    expect(
      reg.apply([{ clientId: 3, clock: 2, state: '{"x":2}' }], tab2, alice, MAX, anyone).relay,
    ).toHaveLength(1);
    expect(reg.removeOwner(tab2)).toEqual([]);
    expect(reg.removeOwner(tab1)).toEqual([{ clientId: 3, clock: 3, state: 'null' }]);
  });

  it('fills user from the identity and drops stale, oversized, deep or invalid states', () => {
    const reg = new AwarenessRegistry();
    const a = {};
    const [entry] = reg.apply(
      [{ clientId: 1, clock: 2, state: '{"user":{"id":"x","name":"Mallory","color":"#abc"},"c":1}' }],
      a,
      alice,
      MAX,
      anyone,
    ).relay;
    expect(JSON.parse(entry?.state ?? 'null')).toEqual({
      user: { id: 'alice', name: 'Alice', color: '#abc' },
      c: 1,
    });
    expect(reg.apply([{ clientId: 1, clock: 1, state: '{}' }], a, alice, MAX, anyone)).toEqual(none);
    expect(
      reg.apply([{ clientId: 2, clock: 1, state: `{"p":"${'x'.repeat(100)}"}` }], a, alice, 50, anyone),
    ).toEqual(none);
    const deep = '['.repeat(100) + ']'.repeat(100);
    expect(reg.apply([{ clientId: 3, clock: 1, state: `{"d":${deep}}` }], a, alice, MAX, anyone)).toEqual(
      none,
    );
    expect(reg.apply([{ clientId: 4, clock: 1, state: '{not json' }], a, alice, MAX, anyone)).toEqual(none);
    expect(reg.apply([{ clientId: 5, clock: 1, state: '{}' }], a, alice, MAX, () => false)).toEqual(none);
  });
});
