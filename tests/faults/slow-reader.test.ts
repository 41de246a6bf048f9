/**
 * A client that stops reading cannot make the server buffer without limit (issue 11.1). A viewer
 * opens a ~900 KB thread, stops reading its socket (the TCP socket is paused, so the kernel
 * buffers fill and the server's writes queue in its memory), and sends 500 four-byte sync step 1
 * messages — each of which asks for the whole document again. The server runs in its own process
 * so its RSS is measured alone: it must grow by less than 64 MiB, and the server keeps serving.
 * The relay path and multiplexed frames pass the same budget: a paused multiplexed subscriber is
 * dropped as a slow consumer while a writer keeps writing; that test runs on the file's
 * in-process server (the e2e fixture, with a small send budget).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import * as Y from 'yjs';
import { MESSAGE_TYPES } from '@caucus/schema';
import { ProcessServer } from '../support/process-server.js';
import { RawClient, decodeAwarenessStates } from '../support/raw-client.js';
import { MuxClient } from '../support/mux-client.js';
import { it } from '../support/e2e.js';
import { addMember, createThread, signup, type TestServer } from '../support/server.js';
import { awarenessFrame, awarenessPayload } from '../support/fuzz-corpus.js';

const DOC_BYTES = 900 * 1024;
const CHUNK_BYTES = 100 * 1024;
const REQUESTS = 500;
const MAX_RSS_GROWTH_BYTES = 64 * 2 ** 20;
/** sync (0), step 1 (0), a state vector of one byte: the empty one. */
const EMPTY_STEP1 = new Uint8Array([0, 0, 1, 0]);

let server: ProcessServer;

it.override('serverOptions', { limits: { maxBufferedBytes: 256 * 1024 } });

beforeAll(async () => {
  server = await ProcessServer.start();
});

afterAll(async () => {
  await server?.dispose();
});

function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** Resolves once `client` receives an awareness message carrying `clientId`. */
function awarenessOf(client: RawClient, clientId: number): Promise<Uint8Array> {
  return client.next(
    (type, frame) => type === MESSAGE_TYPES.awareness && decodeAwarenessStates(frame).has(clientId),
  );
}

describe('a client that stops reading', () => {
  it('cannot grow the server by asking for a large document again and again', async () => {
    const owner = await signup(server.url, 'slow-owner');
    const viewer = await signup(server.url, 'slow-viewer');
    await addMember(server.url, owner, owner.workspaceId, viewer, 'viewer');
    const threadId = await createThread(server.url, owner, owner.workspaceId, 'Big');
    const url = (token: string, query = '') => `${server.wsUrl}/thread:${threadId}?token=${token}${query}`;

    // The owner writes ~900 KB (in updates under the update limit) and waits until it is committed.
    const writer = await RawClient.open(url(owner.accessToken, '&acks=1'));
    const doc = new Y.Doc();
    await writer.syncInto(doc);
    const text = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(CHUNK_BYTES / 27)).slice(0, CHUNK_BYTES);
    for (let written = 0; written < DOC_BYTES; written += CHUNK_BYTES) {
      const before = Y.encodeStateVector(doc);
      doc.getText('body').insert(doc.getText('body').length, text);
      const acked = writer.next((type) => type === MESSAGE_TYPES.durableAck);
      writer.sendUpdate(Y.encodeStateAsUpdate(doc, before));
      await acked;
    }

    const reader = await RawClient.open(url(viewer.accessToken));
    reader.ws.on('error', () => undefined);
    const copy = new Y.Doc();
    await reader.syncInto(copy);
    expect(copy.getText('body').length).toBeGreaterThanOrEqual(DOC_BYTES);

    // The reader's presence, seen by the writer: how the test learns what the server did.
    const clientId = 4_242_424;
    const presence = (clock: number) =>
      awarenessFrame(awarenessPayload([{ clientId, clock, state: `{"slow":${clock}}` }]));
    const announced = awarenessOf(writer, clientId);
    reader.send(presence(1));
    await announced;

    const pid = server.pid as number;
    const baseline = rssBytes(pid);
    reader.ws.pause();
    for (let i = 0; i < REQUESTS; i++) reader.send(EMPTY_STEP1);
    // Then a new state. The writer sees it once the server has handled all 500 requests — or sees
    // the reader's presence removed, if the server dropped it as a slow consumer first.
    const handled = awarenessOf(writer, clientId);
    reader.send(presence(2));
    await handled;
    const growth = rssBytes(pid) - baseline;
    expect(growth).toBeLessThan(MAX_RSS_GROWTH_BYTES);

    // The server still serves: the writer's next edit is acknowledged.
    const acked = writer.next((type) => type === MESSAGE_TYPES.durableAck);
    const before = Y.encodeStateVector(doc);
    doc.getText('body').insert(0, 'still here ');
    writer.sendUpdate(Y.encodeStateAsUpdate(doc, before));
    await acked;
    reader.ws.terminate();
    writer.close();
  }, 60_000);
});

describe('a multiplexed socket that stops reading', () => {
  it('is dropped as a slow consumer once relayed updates pass the send budget', async ({
    ts,
    owner,
    threadId,
  }) => {
    const doc = `thread:${threadId}`;
    const writer = await RawClient.open(`${ts.wsUrl}/${doc}?token=${owner.accessToken}&acks=1`);
    const ydoc = new Y.Doc();
    await writer.syncInto(ydoc);
    const reader = await MuxClient.open(ts.wsUrl, owner.accessToken);
    const [channel] = reader.subscribe([doc]);
    if (!channel) throw new Error('no subscription');
    await channel.synced;
    const seen = awarenessOf(writer, channel.doc.clientID);
    channel.awareness.setLocalState({ reading: false });
    await seen;
    const before = await closedWith(ts, '1013');

    // The reader stops reading; the writer keeps writing. The kernel's socket buffers fill first,
    // then the server's: past the budget the reader is dropped and its presence removed.
    reader.ws.pause();
    const dropped = writer.next(
      (type, frame) =>
        type === MESSAGE_TYPES.awareness && decodeAwarenessStates(frame).get(channel.doc.clientID) === null,
    );
    let stop = false;
    void dropped.then(() => (stop = true));
    const text = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 200 && !stop; i++) {
      const sv = Y.encodeStateVector(ydoc);
      ydoc.getText('body').insert(0, text);
      const acked = writer.next((type) => type === MESSAGE_TYPES.durableAck);
      writer.sendUpdate(Y.encodeStateAsUpdate(ydoc, sv));
      await acked;
    }
    await dropped;
    expect(await closedWith(ts, '1013')).toBe(before + 1);
    expect(ts.server.hub.stats.connections).toBe(1);
    reader.destroy();
    writer.close();
  }, 120_000);
});

async function closedWith(ts: TestServer, code: string): Promise<number> {
  const { values } = await ts.server.metrics.closedConnections.get();
  return values.find((v) => v.labels.code === code)?.value ?? 0;
}
