/**
 * Helpers for governance end-to-end tests: intents over HTTP, and inbox / decision / workspace
 * documents read through the official y-websocket client.
 */
import { newId, type InboxNotification, type Verdict } from '@caucus/schema';
import { connectClient, synced, until, type TestClient } from '../support/providers.js';
import { api, type TestServer, type TestUser } from '../support/server.js';

export type Submitted = Verdict & { id: string | null };

/** `POST /api/intents` as `user`; ids are made here unless given. */
export async function submit(
  ts: TestServer,
  user: TestUser,
  ...intents: Array<{ id?: string; type: string; args: unknown; basis?: unknown }>
): Promise<Submitted[]> {
  const res = await api<{ results: Submitted[] }>(ts.url, 'POST', '/api/intents', {
    token: user.accessToken,
    body: { intents: intents.map((i) => ({ id: newId(), ...i })) },
  });
  if (res.status !== 200) throw new Error(`POST /api/intents: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.results;
}

/** Submits one intent and returns its verdict. */
export async function one(
  ts: TestServer,
  user: TestUser,
  intent: { id?: string; type: string; args: unknown; basis?: unknown },
): Promise<Submitted> {
  const [result] = await submit(ts, user, intent);
  if (!result) throw new Error('no verdict');
  return result;
}

/** An official y-websocket client on `docName`, synced. */
export async function open(ts: TestServer, user: TestUser, docName: string, clients: TestClient[]) {
  const client = connectClient(ts.wsUrl, docName, user.accessToken);
  clients.push(client);
  await synced(client);
  return client;
}

export function notifications(inbox: TestClient): InboxNotification[] {
  return [...inbox.doc.getMap<InboxNotification>('notifications').values()].sort((a, b) => a.at - b.at);
}

/** Resolves with the first notification in the inbox document that `match`es (waiting for it). */
export async function notified(
  inbox: TestClient,
  match: (n: InboxNotification) => boolean,
): Promise<InboxNotification> {
  await until(inbox.doc, () => notifications(inbox).some(match));
  return notifications(inbox).find(match) as InboxNotification;
}
