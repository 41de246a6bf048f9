/**
 * The optimistic preview over real synced documents, and its visible rollback: an intent made on
 * a stale view is predicted accepted, its effect shows in `optimistic`, and when the server
 * rejects it the effect is gone and the intent waits in `needsAttention` with code, reason and
 * remedy until it is retried (as a new intent) or discarded.
 */
import type * as Y from 'yjs';
import { expect } from 'vitest';
import {
  CaucusApi,
  docGovernedView,
  memoryOutboxStore,
  Outbox,
  staticToken,
  type OutboxState,
} from '@caucus/client';
import { decisionDoc, newId, workspaceDoc, type DecisionId, type DocName, type UserId } from '@caucus/schema';
import { it } from '../support/e2e.js';
import { synced, until, type TestClient } from '../support/providers.js';
import { api, createThread } from '../support/server.js';

it('shows the predicted effect, then rolls it back visibly when the server says no', async ({
  ts: server,
  owner: ada,
  connect,
}) => {
  const threadId = await createThread(server.url, ada);
  const decisionId = newId<DecisionId>();
  const proposed = await api(server.url, 'POST', '/api/intents', {
    token: ada.accessToken,
    body: {
      intents: [{ id: newId(), type: 'decision.propose', args: { decisionId, threadId, title: 'Ship it?' } }],
    },
  });
  expect(proposed.status).toBe(200);

  // The documents the preview reads, synced with the official client.
  const clients = new Map<DocName, TestClient>();
  for (const name of [workspaceDoc(ada.workspaceId as never), decisionDoc(decisionId)]) {
    const client = connect(ada, name);
    await synced(client);
    clients.set(name, client);
  }
  const decision = clients.get(decisionDoc(decisionId));
  if (!decision) throw new Error('no decision doc');
  await until(decision.doc, () => decision.doc.getMap('decision').get('status') === 'open');
  const docs = {
    get: (name: DocName): Y.Doc | undefined => clients.get(name)?.doc,
    names: () => clients.keys(),
  };

  const caucus = new CaucusApi({ url: server.url, auth: staticToken(ada.accessToken) });
  const outbox = await Outbox.open({
    store: memoryOutboxStore(),
    send: (intents) => caucus.submitIntents(intents),
    actor: () => ada.id as UserId,
    view: () => docGovernedView(docs),
  });
  const seen: OutboxState[] = [];
  outbox.subscribe((s) => seen.push(s));

  // Offline from here on: the documents stop syncing, so the client keeps its stale view.
  for (const client of clients.values()) client.provider.disconnect();
  const resolve = outbox.submit(
    'decision.resolve',
    { decisionId, outcome: 'ship' },
    { basis: { version: 1 } },
  );
  await resolve.queued;
  expect(outbox.current.pending[0]?.prediction).toEqual({ status: 'accepted' });
  expect(outbox.current.optimistic.decision(decisionId)).toMatchObject({
    status: 'resolved',
    outcome: 'ship',
  });

  // Meanwhile someone else deferred it on the server.
  const deferred = await api(server.url, 'POST', '/api/intents', {
    token: ada.accessToken,
    body: {
      intents: [{ id: newId(), type: 'decision.defer', args: { decisionId, reason: 'after the audit' } }],
    },
  });
  expect(deferred.status).toBe(200);

  const report = await outbox.flush();
  expect(report.verdicts).toHaveLength(1);
  const verdict = await resolve.verdict;
  expect(verdict).toMatchObject({ status: 'rejected', code: 'stale' });

  const state = outbox.current;
  expect(state.pending).toEqual([]);
  expect(state.optimistic.decision(decisionId)?.status).toBe('open');
  expect(state.needsAttention).toEqual([
    expect.objectContaining({
      id: resolve.id,
      code: 'stale',
      reason: expect.stringContaining('changed since you saw it') as string,
      remedy: expect.stringContaining('reload') as string,
      rolledBack: { status: 'accepted' },
    }),
  ]);
  // Subscribers saw the effect come and go.
  expect(seen.some((s) => s.optimistic.decision(decisionId)?.status === 'resolved')).toBe(true);
  expect(seen.at(-1)?.optimistic.decision(decisionId)?.status).toBe('open');

  // Back online, the view catches up; the retry is a new intent with a fresh basis.
  for (const client of clients.values()) client.provider.connect();
  await until(decision.doc, () => decision.doc.getMap('decision').get('status') === 'deferred');
  outbox.refresh();
  const retried = await outbox.retry(resolve.id);
  if (!retried) throw new Error('nothing to retry');
  expect(retried.id).not.toBe(resolve.id);
  expect(outbox.current.needsAttention).toEqual([]);
  expect(outbox.current.pending[0]?.intent.basis).toEqual({ version: 2, status: 'deferred' });
  expect(outbox.current.pending[0]?.prediction).toMatchObject({
    status: 'rejected',
    code: 'invalid-transition',
  });
  await outbox.discard(retried.id);
  await expect(retried.verdict).rejects.toMatchObject({ code: 'discarded' });
  expect(outbox.current.pending).toEqual([]);
  await outbox.close();
});
