/**
 * Caucus's side of the bench data, made the way users make it: users sign up, an owner creates
 * threads through the HTTP API and issues API tokens (which do not expire during long runs), and
 * editors are added to the workspace. The cold-load document — seph-blog1 replayed into a thread's
 * body — is then written into the data dir the way Caucus stores a document: its log folded into
 * a snapshot. The server is then stopped; every scenario starts its own on this data dir.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { pathToFileURL } from 'node:url';
import type { DocName } from '@caucus/schema';
import { loadSequentialTrace, replayTrace } from '../support/traces.js';
import { pool } from './client.js';
import { sleep } from './proc.js';
import { caucusRootDir, startCaucus, type ServerHandle } from './servers.js';

/** The storage code of the Caucus being measured (see `--caucus-root`), which made the data dir. */
function caucusStorage(): Promise<typeof import('@caucus/sync-server')> {
  return import(pathToFileURL(join(caucusRootDir(), 'sync-server/src/index.ts')).href) as Promise<
    typeof import('@caucus/sync-server')
  >;
}

export type DocPool = 'fanout' | 'idle' | 'churn' | 'typing' | 'durable' | 'mux';

export interface FixtureSpec {
  docs: Record<DocPool, number>;
  /** Editor users besides the owner (writers of the typing and durable scenarios). */
  editors: number;
}

export interface CaucusFixture {
  dataDir: string;
  /** The owner's API token: every reader connects with it. */
  ownerToken: string;
  /** Editors' API tokens, one user each. */
  editorTokens: string[];
  docs: Record<DocPool, string[]>;
  cold: {
    /** The seph-blog1 thread, and a second copy used to warm the server up before measuring. */
    doc: string;
    warmupDoc: string;
    /** The stored state (the snapshot's bytes), for the in-memory comparison. */
    state: Uint8Array;
    keystrokes: number;
  };
}

/** One API call; a 429 is waited out (bounded), as a polite script would. */
async function call<T>(
  base: string,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(base + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (res.status === 429 && attempt < 120) {
      await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
      continue;
    }
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}

/** Threads one user creates before the server's per-user intent rate limit would slow it down. */
const THREADS_PER_CREATOR = 250;

interface User {
  id: string;
  email: string;
  session: string;
  apiToken: string;
}

async function signup(base: string, name: string): Promise<User> {
  const email = `${name}-${Date.now()}@bench.test`;
  const res = await call<{ user: { id: string }; accessToken: string }>(
    base,
    'POST',
    '/api/auth/signup',
    null,
    {
      email,
      password: 'correct horse battery staple',
      name,
    },
  );
  const token = await call<{ token: string }>(base, 'POST', '/api/tokens', res.accessToken, {
    name: 'bench',
  });
  return { id: res.user.id, email, session: res.accessToken, apiToken: token.token };
}

/** A fresh, empty data dir for a fixture. */
export const newDataDir = (): string => mkdtempSync(join(tmpdir(), 'caucus-bench-'));

export async function buildCaucusFixture(
  spec: FixtureSpec,
  log: (line: string) => void,
  dataDir: string = newDataDir(),
): Promise<CaucusFixture> {
  const server: ServerHandle = await startCaucus({ dataDir });
  const base = `http://127.0.0.1:${server.port}`;
  let owner: User;
  const editorTokens: string[] = [];
  const docs = {} as Record<DocPool, string[]>;
  let coldDoc: string;
  let warmupDoc: string;
  try {
    owner = await signup(base, 'owner');
    const workspaces = await call<Array<{ id: string }> | { workspaces: Array<{ id: string }> }>(
      base,
      'GET',
      '/api/workspaces',
      owner.session,
    );
    const workspaceId = (Array.isArray(workspaces) ? workspaces : workspaces.workspaces)[0]?.id;
    if (!workspaceId) throw new Error('signup made no workspace');
    const total = Object.values(spec.docs).reduce((a, b) => a + b, 0) + 2;
    // Editors write in the typing and durable scenarios and share the thread creation.
    const editors = Math.max(spec.editors, Math.ceil(total / THREADS_PER_CREATOR) - 1);
    const signedUp = await pool(editors, 4, async (i) => {
      const editor = await signup(base, `editor${i}`);
      await call(base, 'POST', `/api/workspaces/${workspaceId}/members`, owner.session, {
        email: editor.email,
        role: 'editor',
      });
      // Members join by accepting the invitation that reached their inbox.
      const inbox = await call<{ notifications: Array<{ link: string }> }>(
        base,
        'GET',
        '/api/inbox',
        editor.session,
      );
      const link = inbox.notifications.find((n) => n.link.startsWith('/invitations/'))?.link;
      if (!link) throw new Error(`no invitation reached ${editor.email}`);
      await call(base, 'POST', '/api/invitations/accept', editor.session, {
        token: link.slice('/invitations/'.length),
      });
      return editor.apiToken;
    });
    for (const r of signedUp) {
      if (r.status === 'rejected') throw r.reason;
      editorTokens.push(r.value);
    }
    const creators = [owner.apiToken, ...editorTokens];
    log(`fixture: creating ${total} threads through the API`);
    const created = await pool(total, 8, async (i) => {
      const thread = await call<{ id: string }>(
        base,
        'POST',
        '/api/threads',
        creators[i % creators.length] as string,
        {
          workspaceId,
          title: `bench thread ${i}`,
        },
      );
      return `thread:${thread.id}`;
    });
    const names = created.map((r) => {
      if (r.status === 'rejected') throw r.reason;
      return r.value;
    });
    let at = 0;
    for (const key of Object.keys(spec.docs) as DocPool[]) {
      docs[key] = names.slice(at, at + spec.docs[key]);
      at += spec.docs[key];
    }
    coldDoc = names[at] as string;
    warmupDoc = names[at + 1] as string;
  } finally {
    await server.stop('SIGTERM');
  }

  log('fixture: replaying seph-blog1 into the cold-load document');
  const trace = loadSequentialTrace('seph-blog1.json.gz');
  const keystrokes = trace.txns.reduce((n, t) => n + t.patches.length, 0);
  const clientId = 3_141_592_653;
  const replay = replayTrace(trace, { clientId });
  const update = Y.encodeStateAsUpdate(replay.doc);
  replay.doc.destroy();
  const { SqliteDocStore, buildDoc, foldToSnapshot, openDb } = await caucusStorage();
  const db = openDb({ path: join(dataDir, 'caucus.db') });
  const store = new SqliteDocStore(db);
  let state: Uint8Array = new Uint8Array();
  try {
    for (const name of [coldDoc, warmupDoc] as DocName[]) {
      const stored = await store.load(name);
      const seq = stored.lastSeq + 1;
      await store.append([
        { doc: name, seq, update, actor: owner.id, at: Date.now(), newClients: [[clientId, owner.id]] },
      ]);
      const doc = buildDoc(await store.load(name));
      const snapshot = foldToSnapshot(doc, name, seq);
      doc.destroy();
      await store.writeSnapshot(snapshot);
      state = snapshot.state;
    }
  } finally {
    await store.close();
  }
  return {
    dataDir,
    ownerToken: owner.apiToken,
    editorTokens,
    docs,
    cold: { doc: coldDoc, warmupDoc, state, keystrokes },
  };
}
