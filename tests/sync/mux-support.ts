/** Helpers for the multiplexed-protocol tests: many threads at once, health, per-document waits. */
import { MESSAGE_TYPES, newId, type MuxServerMessage } from '@caucus/schema';
import { api, type TestUser } from '../support/server.js';
import type { MuxClient } from '../support/mux-client.js';

/** Creates `count` threads in `workspaceId` as `user`, a hundred intents per request. */
export async function createThreads(
  baseUrl: string,
  user: TestUser,
  count: number,
  workspaceId = user.workspaceId,
): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId());
  for (let from = 0; from < count; from += 100) {
    const batch = ids.slice(from, from + 100);
    const res = await api<{ results: Array<{ status: string }> }>(baseUrl, 'POST', '/api/intents', {
      token: user.accessToken,
      body: {
        intents: batch.map((threadId, i) => ({
          id: newId(),
          type: 'thread.create',
          args: { threadId, workspaceId, title: `thread ${from + i}` },
        })),
      },
    });
    if (res.status !== 200 || res.body.results.some((r) => r.status !== 'accepted'))
      throw new Error(`thread creation failed: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  }
  return ids;
}

export async function health(baseUrl: string): Promise<{ sockets: number; connections: number }> {
  const res = await api<{ sockets: number; connections: number }>(baseUrl, 'GET', '/healthz');
  return res.body;
}

/** Whether `m` is a document message of `doc` whose y-websocket type is `type`. */
export const isDocMessage = (m: MuxServerMessage, doc: string, type: number): boolean =>
  m.type === 'doc' && m.doc === doc && m.message[0] === type;

/** The next durable ack of `doc`. */
export const nextAck = (client: MuxClient, doc: string) =>
  client.next((m) => isDocMessage(m, doc, MESSAGE_TYPES.durableAck));

/** The next `PermissionDenied` of `doc`. */
export const nextDenied = (client: MuxClient, doc: string) =>
  client.next((m) => isDocMessage(m, doc, MESSAGE_TYPES.auth));

/** Sets `meta.intent` of `doc` on the client's copy (sent as an update). */
export function edit(client: MuxClient, doc: string, text: string): void {
  const entry = client.docs.get(doc);
  if (!entry) throw new Error(`${doc} is not tracked`);
  entry.doc.getMap('meta').set('intent', text);
}
