/**
 * Verdict receipts end to end: a real server signs, its public keys come from the public endpoint,
 * and the client's verifier checks the receipts after the server is gone. Tampering and another
 * server's key fail with their reasons; a rotation (by the admin command, next to the running
 * server) keeps old receipts verifiable; retries and reads return the stored receipt.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verifyReceipt, verifyReceipts, type ReceiptCheck } from '@caucus/client/receipts';
import { newId, type Receipt, type ReceiptKey } from '@caucus/schema';
import { rotateReceiptKeyOf } from '../../packages/cli/src/commands/rotate-receipt-key.js';
import {
  api,
  createThread,
  signup,
  startTestServer,
  type TestServer,
  signupMember,
} from '../support/server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function server(dataDir?: string): Promise<TestServer> {
  const ts = await startTestServer(dataDir ? { dataDir } : {});
  servers.push(ts);
  return ts;
}

type Result = { id: string | null; status: string; receipt?: Receipt; checkpointId?: string };

async function submit(ts: TestServer, token: string, intents: unknown[]): Promise<Result[]> {
  const res = await api<{ results: Result[] }>(ts.url, 'POST', '/api/intents', { token, body: { intents } });
  expect(res.status).toBe(200);
  return res.body.results;
}

async function publishedKeys(ts: TestServer): Promise<ReceiptKey[]> {
  // No token: anyone holding a receipt may fetch the keys that check it.
  const res = await api<{ keys: ReceiptKey[] }>(ts.url, 'GET', '/api/receipts/keys');
  expect(res.status).toBe(200);
  return res.body.keys;
}

const reason = (check: ReceiptCheck) => (check.ok ? 'ok' : check.reason);

describe('verdict receipts', () => {
  it('verify offline; a changed byte or another server’s key fails with its reason', async () => {
    const a = await server();
    const alice = await signup(a.url, 'alice');
    const threadId = newId();
    const [created, refused] = await submit(a, alice.accessToken, [
      {
        id: newId(),
        type: 'thread.create',
        args: { threadId, workspaceId: alice.workspaceId, title: 'Plans' },
      },
      {
        id: newId(),
        type: 'thread.create',
        args: { threadId, workspaceId: alice.workspaceId, title: 'Again' },
      },
    ]);
    expect([created?.status, refused?.status]).toEqual(['accepted', 'rejected']);
    const keys = await publishedKeys(a);
    expect(keys).toEqual([expect.objectContaining({ alg: 'Ed25519', retiredAt: null })]);
    const b = await server();
    const foreignKeys = await publishedKeys(b);
    await a.stop();
    servers.splice(servers.indexOf(a), 1);

    // The server is gone: what remains are the receipts and the cached keys.
    const receipts = [created?.receipt, refused?.receipt];
    expect(verifyReceipts(receipts, keys)).toMatchObject({ ok: true, valid: 2 });
    expect(created?.receipt?.payload).toMatchObject({
      actor: alice.id,
      type: 'thread.create',
      intentId: created?.id,
    });
    expect(refused?.receipt?.payload.verdict).toMatchObject({ status: 'rejected', code: 'id-taken' });

    const text = JSON.stringify(created?.receipt);
    const tamperedTitle = JSON.parse(text.replace('"Plans"', '"Plant"')) as unknown;
    expect(reason(verifyReceipt(tamperedTitle, keys))).toBe('bad-signature');
    const sig = created?.receipt?.signature ?? '';
    const i = 20;
    const otherChar = sig[i] === 'A' ? 'B' : 'A';
    const tamperedSig = JSON.parse(
      text.replace(sig, sig.slice(0, i) + otherChar + sig.slice(i + 1)),
    ) as unknown;
    expect(reason(verifyReceipt(tamperedSig, keys))).toBe('bad-signature');
    expect(reason(verifyReceipt(created?.receipt, foreignKeys))).toBe('unknown-key');
    expect(reason(verifyReceipt({ payload: created?.receipt?.payload }, keys))).toBe('malformed');
  });

  it('a retry and a read return the very receipt the first answer carried', async () => {
    const ts = await server();
    const alice = await signup(ts.url, 'alice');
    const intent = {
      id: newId(),
      type: 'thread.create',
      args: { threadId: newId(), workspaceId: alice.workspaceId, title: 'Once' },
    };
    const [first] = await submit(ts, alice.accessToken, [intent]);
    const [retry] = await submit(ts, alice.accessToken, [intent]);
    expect(first?.receipt).toBeDefined();
    expect(retry).toEqual(first);
    const read = await api<{ receipt?: Receipt }>(ts.url, 'GET', `/api/intents/${intent.id}`, {
      token: alice.accessToken,
    });
    expect(read.body.receipt).toEqual(first?.receipt);
  });

  it('rotation next to a running server: the new key signs, old receipts stay verifiable, a restart keeps both', async () => {
    const ts = await server();
    const alice = await signup(ts.url, 'alice');
    const prefs = (mutedKinds: string[]) => ({ id: newId(), type: 'prefs.set', args: { mutedKinds } });
    const [before] = await submit(ts, alice.accessToken, [prefs([])]);
    const rotation = rotateReceiptKeyOf({ dataDir: ts.dataDir });
    const [after] = await submit(ts, alice.accessToken, [prefs(['info'])]);
    expect(after?.receipt?.payload.kid).toBe(rotation.active.kid);
    expect(before?.receipt?.payload.kid).toBe(rotation.retired[0]?.kid);

    const keys = await publishedKeys(ts);
    expect(keys.map((k) => [k.kid, k.retiredAt === null])).toEqual([
      [before?.receipt?.payload.kid, false],
      [after?.receipt?.payload.kid, true],
    ]);
    expect(verifyReceipts([before?.receipt, after?.receipt], keys)).toMatchObject({ ok: true, valid: 2 });
    // Only the old key's public half remains: the old receipt does not check against the new key alone.
    expect(reason(verifyReceipt(before?.receipt, keys.slice(1)))).toBe('unknown-key');

    await ts.stop({ keepData: true });
    servers.splice(servers.indexOf(ts), 1);
    const again = await server(ts.dataDir);
    expect(await publishedKeys(again)).toEqual(keys);
    const [later] = await submit(again, alice.accessToken, [prefs(['error'])]);
    expect(later?.receipt?.payload.kid).toBe(rotation.active.kid);
  });

  it('an intent that waited for approval gets its final verdict signed too', async () => {
    const ts = await server();
    const owner = await signup(ts.url, 'owner');
    const editor = await signupMember(ts.url, owner, 'editor', 'editor');
    const threadId = await createThread(ts.url, editor, owner.workspaceId, 'Old plans');
    const [asked] = await submit(ts, editor.accessToken, [
      { id: newId(), type: 'thread.archive', args: { threadId } },
    ]);
    if (asked?.status !== 'awaiting-approval' || !asked.id) throw new Error(JSON.stringify(asked));
    const [approval] = await submit(ts, owner.accessToken, [
      { id: newId(), type: 'checkpoint.approve', args: { checkpointId: asked.checkpointId } },
    ]);
    expect(approval?.status).toBe('accepted');

    const read = await api<{ receipt: Receipt; outcome: { verdict: unknown; receipt: Receipt } }>(
      ts.url,
      'GET',
      `/api/intents/${asked.id}`,
      { token: editor.accessToken },
    );
    const keys = await publishedKeys(ts);
    expect(read.body.receipt).toEqual(asked.receipt);
    expect(verifyReceipts([read.body.receipt, read.body.outcome.receipt], keys).ok).toBe(true);
    expect(read.body.outcome.verdict).toMatchObject({ status: 'accepted', result: { status: 'archived' } });
    expect(read.body.outcome.receipt.payload).toMatchObject({
      kind: 'outcome',
      intentId: asked.id,
      actor: editor.id,
      checkpoint: { id: asked.checkpointId, status: 'executed', closedBy: owner.id, approvedBy: [owner.id] },
      audit: approval?.receipt?.payload.audit,
    });
  });
});
