/**
 * Half-open sockets (issue 11.4): a peer that vanished without closing — here a client whose TCP
 * socket is paused, so it no longer reads and never answers a ping — is dropped by the heartbeat,
 * freeing its per-user slot, its presence and its document. A peer that answers pings (the
 * official client, whose `ws` answers by itself) stays, however quiet it is.
 */
import { describe, expect } from 'vitest';
import { it } from '../support/e2e.js';
import * as Y from 'yjs';
import { awarenessFrame, awarenessPayload } from '../support/fuzz-corpus.js';
import { MuxClient } from '../support/mux-client.js';
import { synced, whenAwareness } from '../support/providers.js';
import { RawClient } from '../support/raw-client.js';
import { createThread, signup, signupMember } from '../support/server.js';

const INTERVAL_MS = 150;

it.override('serverOptions', {
  limits: { heartbeatIntervalMs: INTERVAL_MS, maxConnectionsPerUser: 2 },
  idleUnloadMs: 50,
});

describe('heartbeat', () => {
  it('drops sockets that stop answering pings and keeps those that answer', async ({ ts, connect }) => {
    const owner = await signup(ts.url, 'hb-owner');
    const member = await signupMember(ts.url, owner, 'hb-member', 'editor');
    const shared = `thread:${await createThread(ts.url, owner)}`;
    const alone = `thread:${await createThread(ts.url, owner)}`;
    const observer = connect(owner, shared);
    await synced(observer);
    const states = () => observer.provider.awareness.getStates();

    // The member holds both of its slots: one socket on the shared thread (with a presence), one
    // alone on another thread. The owner also has a multiplexed socket with a presence.
    const url = (doc: string) => `${ts.wsUrl}/${doc}?token=${member.accessToken}`;
    const a = await RawClient.open(url(shared));
    const b = await RawClient.open(url(alone));
    const mux = await MuxClient.open(ts.wsUrl, owner.accessToken);
    const [channel] = mux.subscribe([shared]);
    await Promise.all([a.syncInto(new Y.Doc()), channel?.synced]);
    a.send(awarenessFrame(awarenessPayload([{ clientId: 777, clock: 1, state: '{"here":1}' }])));
    channel?.awareness.setLocalState({ here: 2 });
    const muxId = channel?.doc.clientID as number;
    await whenAwareness(observer.provider.awareness, () => states().has(777) && states().has(muxId));
    await expect(RawClient.open(url(shared))).rejects.toThrow('429');

    const unloaded = new Promise<void>((resolve) =>
      ts.server.hub.onUnloaded((doc) => {
        if (doc === alone) resolve();
      }),
    );
    const gone = whenAwareness(observer.provider.awareness, () => !states().has(777) && !states().has(muxId));
    for (const ws of [a.ws, b.ws, mux.ws]) ws.pause();
    await gone;
    await unloaded;
    // Both slots are free again.
    const again = [await RawClient.open(url(shared)), await RawClient.open(url(alone))];
    expect((await ts.server.metrics.wsHeartbeatTimeouts.get()).values[0]?.value).toBe(3);

    // The observer was idle the whole time, was pinged, answered, and is still connected.
    expect(observer.closes).toEqual([]);
    expect(observer.provider.wsconnected).toBe(true);
    for (const c of again) c.close();
    for (const c of [a, b]) c.ws.terminate();
    mux.destroy();
  });
});
