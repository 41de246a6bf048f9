/**
 * Every path by which a user could learn of a private thread, as probes: each answers whether
 * `user` found the thread (or what is in it) that way. Run for a member they must all find it
 * (except where noted), which is what shows that a probe can fail.
 */
import * as Y from 'yjs';
import { INBOX_ROOTS, newId, type InboxNotification } from '@caucus/schema';
import type { MuxClient } from '../support/mux-client.js';
import { MuxClient as Mux } from '../support/mux-client.js';
import { connectClient, synced, type TestClient } from '../support/providers.js';
import { api, type TestServer, type TestUser } from '../support/server.js';
import { upgradeStatus } from '../support/upgrade.js';
import { createUploadRaw } from '../support/uploads.js';
import { one } from '../governance/support.js';

/** What the probes look for: the private thread, what is in it, and words only it holds. */
export interface Secret {
  workspaceId: string;
  threadId: string;
  decisionId: string;
  checkpointId: string;
  uploadId: string;
  /** Words of its title, body and messages (and of its decision's title). */
  words: string[];
}

export interface Counts {
  threads: number;
  decisions: number;
  checkpoints: number;
  files: number;
}

export const PATHS = [
  'list',
  'listInWorkspace',
  'detail',
  'search',
  'workspaceCatalog',
  'ownCatalog',
  'dashboard',
  'socketThread',
  'socketDecision',
  'muxThread',
  'muxDecision',
  'decisionList',
  'decisionDetail',
  'checkpoint',
  'notifications',
  'download',
  'fileList',
  'fileInfo',
  'upload',
  'audit',
  'intent',
] as const;
export type Path = (typeof PATHS)[number];
export type Findings = Record<Path, boolean>;

interface ThreadList {
  threads: Array<{ id: string }>;
}

const get = <T>(ts: TestServer, user: TestUser, path: string) =>
  api<T>(ts.url, 'GET', path, { token: user.accessToken });

/** The status of a download (the bytes are not JSON). */
async function download(ts: TestServer, user: TestUser, path: string): Promise<number> {
  const res = await fetch(ts.url + path, { headers: { authorization: `Bearer ${user.accessToken}` } });
  await res.arrayBuffer();
  return res.status;
}

function mentions(text: string, secret: Secret): boolean {
  const lower = text.toLowerCase();
  return (
    secret.words.some((w) => lower.includes(w.toLowerCase())) ||
    [secret.threadId, secret.decisionId, secret.checkpointId, secret.uploadId].some((id) => text.includes(id))
  );
}

async function openDoc(ts: TestServer, user: TestUser, name: string): Promise<TestClient | null> {
  if ((await upgradeStatus(`${ts.wsUrl}/${name}?token=${user.accessToken}`)) !== 101) return null;
  const client = connectClient(ts.wsUrl, name, user.accessToken);
  await synced(client);
  return client;
}

/**
 * Whether the document (as a fresh client gets it) lists the thread or its decision in `maps` —
 * or, with `bytes`, holds anything of the secret anywhere in its encoded state.
 */
async function docShows(
  ts: TestServer,
  user: TestUser,
  name: string,
  secret: Secret,
  maps: string[],
  bytes: boolean,
): Promise<boolean> {
  const client = await openDoc(ts, user, name);
  if (!client) return false;
  try {
    const inMaps = maps.some((m) => {
      const map = client.doc.getMap(m);
      return map.has(secret.threadId) || map.has(secret.decisionId);
    });
    const state = Buffer.from(Y.encodeStateAsUpdate(client.doc)).toString('latin1');
    return inMaps || (bytes && mentions(state, secret));
  } finally {
    client.destroy();
  }
}

async function muxSubscribes(mux: MuxClient, doc: string): Promise<boolean> {
  const answer = mux.next((m) => (m.type === 'subscribed' || m.type === 'closed') && m.doc === doc);
  mux.subscribe([doc]);
  return (await answer).type === 'subscribed';
}

async function dashboardShows(ts: TestServer, user: TestUser, secret: Secret, baseline: Counts) {
  const res = await get<{
    threads: { total: number };
    decisions: { total: number };
    checkpoints: { pending: number };
    files: { count: number };
  }>(ts, user, `/api/dashboard?workspaceId=${secret.workspaceId}`);
  if (res.status !== 200) return false;
  const d = res.body;
  return (
    d.threads.total !== baseline.threads ||
    d.decisions.total !== baseline.decisions ||
    d.checkpoints.pending !== baseline.checkpoints ||
    d.files.count !== baseline.files
  );
}

/**
 * Runs every probe as `user`. `baseline` is what the dashboard counts without the private thread;
 * notifications whose id is in `seen` (delivered while the user was a member) are not counted.
 */
export async function probe(
  ts: TestServer,
  user: TestUser,
  secret: Secret,
  baseline: Counts,
  seen: ReadonlySet<string> = new Set(),
): Promise<Findings> {
  const has = (list: ThreadList | null) => list?.threads.some((t) => t.id === secret.threadId) ?? false;
  const list = await get<ThreadList>(ts, user, '/api/threads');
  const inWs = await get<ThreadList>(ts, user, `/api/threads?workspaceId=${secret.workspaceId}`);
  let search = false;
  for (const word of secret.words) {
    const found = await get<ThreadList>(ts, user, `/api/threads?q=${encodeURIComponent(word)}`);
    search ||= has(found.body);
  }
  const sync = (name: string) => upgradeStatus(`${ts.wsUrl}/${name}?token=${user.accessToken}`);
  const mux = await Mux.open(ts.wsUrl, user.accessToken);
  const muxThread = await muxSubscribes(mux, `thread:${secret.threadId}`);
  const muxDecision = await muxSubscribes(mux, `decision:${secret.decisionId}`);
  mux.destroy();
  const decisions = await get<{ decisions: Array<{ id: string }> }>(
    ts,
    user,
    `/api/decisions?workspaceId=${secret.workspaceId}`,
  );
  const inbox = await get<{ notifications: InboxNotification[] }>(ts, user, '/api/inbox');
  const notified = (inbox.body.notifications ?? [])
    .filter((n) => !seen.has(n.id))
    .some((n) => mentions(`${n.title} ${n.body} ${n.link}`, secret));
  const files = await get<{ files: unknown[] }>(ts, user, `/api/files?threadId=${secret.threadId}`);
  const upload = await createUploadRaw(
    ts.url,
    user.accessToken,
    { filename: 'probe.txt', filetype: 'text/plain', threadId: secret.threadId },
    4,
  );
  const audit = await get<{ events: Array<{ intent: unknown; verdict: unknown }> }>(
    ts,
    user,
    `/api/audit?workspaceId=${secret.workspaceId}`,
  );
  // Last, as it leaves a notification: a rejection must not name the thread by its title.
  const attempt = await one(ts, user, {
    id: newId(),
    type: 'thread.addMember',
    args: { threadId: secret.threadId, userId: user.id },
  });
  const after = await get<{ notifications: InboxNotification[] }>(ts, user, '/api/inbox');
  const told = after.body.notifications.some(
    (n) => !seen.has(n.id) && secret.words.some((w) => `${n.title} ${n.body}`.toLowerCase().includes(w)),
  );
  return {
    list: has(list.body),
    listInWorkspace: inWs.status === 200 && has(inWs.body),
    detail: (await get(ts, user, `/api/threads/${secret.threadId}`)).status === 200,
    search,
    // Shared by every member: nothing of a private thread may be anywhere in it.
    workspaceCatalog: await docShows(
      ts,
      user,
      `workspace:${secret.workspaceId}`,
      secret,
      ['threads', 'decisions'],
      true,
    ),
    // The user's own: its notifications may name what they saw while they were a member.
    ownCatalog: await docShows(
      ts,
      user,
      `inbox:${user.id}`,
      secret,
      [INBOX_ROOTS.threads, INBOX_ROOTS.decisions],
      false,
    ),
    dashboard: await dashboardShows(ts, user, secret, baseline),
    socketThread: (await sync(`thread:${secret.threadId}`)) === 101,
    socketDecision: (await sync(`decision:${secret.decisionId}`)) === 101,
    muxThread,
    muxDecision,
    decisionList:
      decisions.status === 200 && decisions.body.decisions.some((d) => d.id === secret.decisionId),
    decisionDetail: (await get(ts, user, `/api/decisions/${secret.decisionId}`)).status === 200,
    checkpoint: (await get(ts, user, `/api/checkpoints/${secret.checkpointId}`)).status === 200,
    notifications: notified,
    download: (await download(ts, user, `/files/${secret.uploadId}`)) === 200,
    fileList: files.status === 200 && files.body.files.length > 0,
    fileInfo: (await get(ts, user, `/api/files/${secret.uploadId}`)).status === 200,
    upload: upload.status === 201,
    audit: audit.status === 200 && audit.body.events.some((e) => mentions(JSON.stringify(e), secret)),
    intent: (attempt.status === 'rejected' && attempt.code !== 'not-found') || told,
  };
}

/** Findings with every path `value`, and `overrides`. */
export function expected(value: boolean, overrides: Partial<Findings> = {}): Findings {
  return { ...(Object.fromEntries(PATHS.map((p) => [p, value])) as Findings), ...overrides };
}
