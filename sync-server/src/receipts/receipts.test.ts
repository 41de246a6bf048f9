/**
 * Receipts as the engine makes them: one for every verdict, bound to its audit event, stored with
 * the intent so a retry returns it again, and one more for the final outcome of an intent that
 * waited in a checkpoint. Signatures are checked here with node:crypto over the canonical bytes,
 * independently of the client's verifier (tests/receipts checks that one end to end).
 */
import { createPublicKey, verify } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_REJECTED,
  newId,
  parseReceipt,
  receiptSigningBytes,
  tables,
  type DecisionId,
  type IntentId,
  type Receipt,
  type ReceiptKey,
  type ThreadId,
  type UserId,
} from '@caucus/schema';
import { makeKit, type Kit } from '../governance/test-kit.js';
import { MemoryReceiptKeyring } from './keyring.js';

let kit: Kit;
let keyring: MemoryReceiptKeyring;
function start(): Kit {
  keyring = new MemoryReceiptKeyring(Date.UTC(2030, 0, 1));
  kit = makeKit({ receiptKeys: keyring });
  return kit;
}
afterEach(() => kit.close());

/** True when `receipt` carries a valid signature by the listed key its payload names. */
function signedBy(keys: readonly ReceiptKey[], receipt: Receipt | undefined): boolean {
  if (!receipt || !parseReceipt(receipt).ok) return false;
  const key = keys.find((k) => k.kid === receipt.payload.kid);
  if (!key) return false;
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey }, format: 'jwk' });
  return verify(
    null,
    receiptSigningBytes(receipt.payload),
    publicKey,
    Buffer.from(receipt.signature, 'base64url'),
  );
}

function auditRow(seq: number) {
  return kit.db.select().from(tables.auditEvents).where(eq(tables.auditEvents.seq, seq)).get();
}

const receiptRows = () => kit.db.select({ n: count() }).from(tables.receipts).get()?.n ?? 0;

async function decisionIn(threadId: ThreadId, actor: UserId): Promise<DecisionId> {
  const decisionId = newId<DecisionId>();
  const [r] = await kit.submit(actor, {
    type: 'decision.propose',
    args: { decisionId, threadId, title: 'Budget' },
  });
  expect(r?.status).toBe('accepted');
  return decisionId;
}

describe('verdict receipts', () => {
  it('signs every kind of verdict, bound to the audit event that records it', async () => {
    const t = await start().team();
    const threadId = await kit.thread(t.editor, t.ws);
    const decisionId = await decisionIn(threadId, t.editor);
    const [accepted] = await kit.submit(t.approver, { type: 'decision.approve', args: { decisionId } });
    const [rejected] = await kit.submit(t.viewer, { type: 'decision.approve', args: { decisionId } });
    const [awaiting] = await kit.submit(t.editor, { type: 'decision.defer', args: { decisionId } });
    const [malformed] = await kit.governance.submit(t.editor, [{ type: 'decision.nope', args: {} }]);

    for (const result of [accepted, rejected, awaiting, malformed]) {
      const receipt = result?.receipt;
      expect(signedBy(keyring.publicKeys(), receipt)).toBe(true);
      const event = auditRow(receipt?.payload.audit.seq ?? -1);
      expect(event?.hash).toBe(receipt?.payload.audit.hash);
      expect(receipt?.payload).toMatchObject({
        kind: 'verdict',
        intentId: result?.id,
        actor: event?.actor,
        type: event?.type,
        at: event?.at,
        policyVersion: event?.policyVersion,
        checkpoint: null,
      });
      const { id: _id, receipt: _receipt, ...verdict } = result ?? {};
      expect(receipt?.payload.verdict).toEqual(verdict);
    }
    expect(accepted?.receipt?.payload).toMatchObject({ actor: t.approver, args: { decisionId } });
    expect(rejected?.receipt?.payload.verdict).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect(awaiting?.receipt?.payload.verdict).toMatchObject({ status: 'awaiting-approval' });
    expect(malformed?.receipt?.payload).toMatchObject({ intentId: null, type: 'decision.nope', args: null });
  });

  it('returns the stored receipt on a retry and signs nothing again', async () => {
    const t = await start().team();
    const intent = {
      id: newId<IntentId>(),
      type: 'thread.create' as const,
      args: { threadId: newId<ThreadId>(), workspaceId: t.ws, title: '  Padded  ' },
    };
    const [first, again] = await kit.governance.submit(t.editor, [intent, intent]);
    const stored = receiptRows();
    const [later] = await kit.governance.submit(t.editor, [intent]);
    expect(first?.receipt).toBeDefined();
    expect(again?.receipt).toEqual(first?.receipt);
    expect(later?.receipt).toEqual(first?.receipt);
    expect(receiptRows()).toBe(stored);
    expect(kit.governance.getIntent(t.editor, intent.id).receipt).toEqual(first?.receipt);
    // What was adjudicated is what is signed: the normalized arguments.
    expect(first?.receipt?.payload.args).toMatchObject({ title: 'Padded' });
    // Another user reusing the id is refused, signed, and leaves the stored receipt alone.
    const [conflict] = await kit.governance.submit(t.owner, [intent]);
    expect(conflict?.receipt?.payload.verdict).toMatchObject({ code: 'id-conflict' });
    expect(signedBy(keyring.publicKeys(), conflict?.receipt)).toBe(true);
    expect(kit.governance.getIntent(t.editor, intent.id).receipt).toEqual(first?.receipt);
  });

  it('after a rotation the new key signs and the old receipts still check against the published keys', async () => {
    const t = await start().team();
    const [before] = await kit.submit(t.owner, { type: 'prefs.set', args: { mutedKinds: [] } });
    const oldKid = before?.receipt?.payload.kid;
    const newKid = keyring.rotate(kit.clock.now);
    const [after] = await kit.submit(t.owner, { type: 'prefs.set', args: { mutedKinds: ['info'] } });
    expect(after?.receipt?.payload.kid).toBe(newKid);
    expect(newKid).not.toBe(oldKid);
    const keys = kit.governance.receiptKeys();
    expect(keys.map((k) => [k.kid, k.retiredAt === null])).toEqual([
      [oldKid, false],
      [newKid, true],
    ]);
    expect(signedBy(keys, before?.receipt)).toBe(true);
    expect(signedBy(keys, after?.receipt)).toBe(true);
    // Only a listed key counts: a receipt is not checked against a key it does not name.
    expect(signedBy(keys.slice(1), before?.receipt)).toBe(false);
  });
});

describe('outcome receipts of checkpointed intents', () => {
  it('an approved checkpoint: the waiting intent gets its final verdict signed, bound to the approval', async () => {
    const t = await start().team();
    const threadId = await kit.thread(t.editor, t.ws);
    const [requested] = await kit.submit(t.editor, { type: 'thread.archive', args: { threadId } });
    if (requested?.status !== 'awaiting-approval') throw new Error('expected a checkpoint');
    expect(kit.governance.getIntent(t.editor, requested.id as IntentId).outcome).toBeUndefined();
    const [approval] = await kit.submit(t.approver, {
      type: 'checkpoint.approve',
      args: { checkpointId: requested.checkpointId },
    });

    const stored = kit.governance.getIntent(t.editor, requested.id as IntentId);
    expect(stored.receipt).toEqual(requested.receipt);
    const outcome = stored.outcome?.receipt;
    expect(signedBy(keyring.publicKeys(), outcome)).toBe(true);
    expect(outcome?.payload).toMatchObject({
      kind: 'outcome',
      intentId: requested.id,
      actor: t.editor,
      type: 'thread.archive',
      args: { threadId },
      verdict: { status: 'accepted', result: { threadId, status: 'archived' } },
      checkpoint: {
        id: requested.checkpointId,
        status: 'executed',
        closedBy: t.approver,
        approvedBy: [t.approver],
      },
      // The event that closed it: the approval's.
      audit: approval?.receipt?.payload.audit,
    });
    expect(stored.outcome?.verdict).toEqual(outcome?.payload.verdict);
  });

  it('a rejected or superseded checkpoint: the final verdict is a signed rejection', async () => {
    const t = await start().team();
    const threadId = await kit.thread(t.editor, t.ws);
    const decisionId = await decisionIn(threadId, t.editor);
    const [deferral] = await kit.submit(t.editor, { type: 'decision.defer', args: { decisionId } });
    if (deferral?.status !== 'awaiting-approval') throw new Error('expected a checkpoint');
    await kit.submit(t.approver, {
      type: 'checkpoint.reject',
      args: { checkpointId: deferral.checkpointId, reason: 'not now' },
    });
    const rejected = kit.governance.getIntent(t.editor, deferral.id as IntentId).outcome;
    expect(signedBy(keyring.publicKeys(), rejected?.receipt)).toBe(true);
    expect(rejected?.verdict).toMatchObject({ status: 'rejected', code: CHECKPOINT_REJECTED });
    expect(rejected?.verdict).toMatchObject({ reason: 'an approver rejected it: not now' });
    expect(rejected?.receipt.payload.checkpoint).toMatchObject({ status: 'rejected', closedBy: t.approver });

    const [resolve] = await kit.submit(t.editor, {
      type: 'decision.resolve',
      args: { decisionId, outcome: 'yes' },
    });
    if (resolve?.status !== 'awaiting-approval') throw new Error('expected a checkpoint');
    const [direct] = await kit.submit(t.approver, { type: 'decision.defer', args: { decisionId } });
    const failed = kit.governance.getIntent(t.editor, resolve.id as IntentId).outcome;
    expect(signedBy(keyring.publicKeys(), failed?.receipt)).toBe(true);
    expect(failed?.verdict).toMatchObject({ status: 'rejected', code: 'invalid-transition' });
    expect(failed?.receipt.payload).toMatchObject({
      checkpoint: { status: 'failed', closedBy: t.approver, approvedBy: [] },
      audit: direct?.receipt?.payload.audit,
    });
  });
});
