/**
 * The outbox on a client (`createClient`): queued intents join the client's status (`outbox`,
 * `needsAttention`) and `client.flush()`, previews read the server-only documents the client has
 * open, and verdicts come back through the same API the client authenticates with.
 */
import type * as Y from 'yjs';
import type { DocName, UserId } from '@caucus/schema';
import { CaucusApi } from '../api/caucus-api.js';
import type { CaucusClient } from '../client.js';
import type { OutboxStatus } from '../client-status.js';
import { docGovernedView, type DocLookup } from './doc-view.js';
import { Outbox } from './outbox.js';
import type { OutboxState } from './outbox-types.js';
import type { OutboxStore } from './store.js';

export interface AttachOutboxOptions {
  /** Where intents are kept: `sqliteOutboxStore(stateDir)` (Node), `indexedDbOutboxStore()`, memory. */
  store: OutboxStore;
  /** Send in the background, with backoff (default); `false` sends only on `flush()`. */
  background?: boolean;
}

/** The documents the client has open, without holding them open any longer. */
function openDocs(client: CaucusClient): DocLookup {
  return {
    names: () => client.status.current.docs.keys() as Iterable<DocName>,
    get(name): Y.Doc | undefined {
      if (!client.status.current.docs.has(name)) return undefined;
      const handle = client.open(name);
      const doc = handle.doc;
      // It was open before this look-up, so releasing our reference leaves it open.
      handle.release();
      return doc;
    },
  };
}

function statusOf(state: OutboxState): OutboxStatus {
  return {
    outbox: state.pending.length,
    needsAttention: state.needsAttention.map((p) => ({
      id: p.id,
      type: p.intent.type,
      code: p.code,
      reason: p.reason,
      remedy: p.remedy,
    })),
  };
}

/**
 * Attaches an outbox to `client`. With a shared connection (`sharedConnection`), the tabs share
 * the store and only the leading tab sends: the others queue into the store, hear of every write
 * on the BroadcastChannel `caucus-outbox:<server>` and read their verdicts back from it.
 */
export async function attachOutbox(client: CaucusClient, options: AttachOutboxOptions): Promise<Outbox> {
  const api = new CaucusApi({ url: client.url, auth: client.auth });
  let actor: UserId | null = null;
  const docs = openDocs(client);
  // Loaded only by tabs that share a connection.
  const shared = client.sharesConnection
    ? (await import('./shared-outbox.js')).shareOutbox(client.url, options.store)
    : null;
  const outbox = await Outbox.open({
    store: shared ? shared.store : options.store,
    ...(shared ? { delivers: () => client.leads } : {}),
    send: (intents) => api.submitIntents(intents),
    actor: () => actor,
    view: () => docGovernedView(docs),
  });
  // Who we are may need the server; until it is known nothing is sent (never as someone else).
  void client.user().then(
    (id) => {
      actor = id;
      outbox.refresh();
      outbox.kick();
    },
    () => undefined,
  );
  let status = statusOf(outbox.current);
  let shown = JSON.stringify(status);
  const listeners = new Set<(value: OutboxStatus) => void>();
  outbox.subscribe((state) => {
    // Only a change is news: the client's status announcing it refreshes the previews, which
    // would announce an unchanged status again — forever, one microtask after another.
    const next = statusOf(state);
    const text = JSON.stringify(next);
    if (text === shown) return;
    status = next;
    shown = text;
    for (const listener of [...listeners]) listener(status);
  });
  // Server state arriving in the documents changes the previews; coming online is a reason to send.
  client.status.subscribe((s) => {
    outbox.refresh();
    if (s.connection === 'online') outbox.kick();
  });
  client.attach({
    status: {
      get current() {
        return status;
      },
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    flush: async () => {
      if (shared && !client.leads) return shared.settled(outbox);
      const report = await outbox.flush();
      if (report.error) throw Object.assign(new Error(report.error.message), { code: report.error.code });
    },
    close: () => {
      shared?.close();
      return outbox.close();
    },
  });
  shared?.onChange(() => void outbox.reload());
  if (options.background !== false) outbox.start();
  return outbox;
}
