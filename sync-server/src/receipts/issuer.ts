/**
 * Makes, signs and stores receipts inside the transaction that made the verdict, so a verdict is
 * never committed without its receipt and a retry finds the same one.
 */
import { sign } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import {
  receiptSigningBytes,
  RECEIPT_FORMAT,
  tables,
  type IntentId,
  type Json,
  type Receipt,
  type ReceiptKind,
  type ReceiptPayload,
  type Verdict,
} from '@caucus/schema';
import type { AuditRow } from '../governance/audit.js';
import type { CheckpointOutcome } from '../governance/changes.js';
import type { Db } from '../storage/db.js';
import type { ReceiptKeyring } from './keyring.js';

const { receipts } = tables;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A payload before it names its key. */
export type UnsignedPayload = DistributiveOmit<ReceiptPayload, 'format' | 'kid'>;

/** What the payload takes from the verdict's audit event. */
function fromAudit(audit: AuditRow) {
  return {
    policyVersion: audit.policyVersion,
    at: audit.at,
    audit: { seq: audit.seq, hash: audit.hash },
  };
}

export class ReceiptIssuer {
  constructor(
    private readonly db: Db,
    private readonly keyring: ReceiptKeyring,
  ) {}

  /** Every public key, for `GET /api/receipts/keys`. */
  publicKeys() {
    return this.keyring.publicKeys();
  }

  /**
   * The receipt of a verdict, from its audit event. `store` when the verdict is stored with its
   * intent (a retry returns it); malformed and conflicting intents are answered but not stored.
   */
  verdict(audit: AuditRow, verdict: Verdict, args: unknown, store: boolean): Receipt {
    const receipt = this.sign({
      kind: 'verdict',
      intentId: audit.intentId as IntentId | null,
      actor: audit.actor,
      type: audit.type,
      workspaceId: audit.workspaceId,
      args: (args ?? null) as Json,
      verdict,
      checkpoint: null,
      ...fromAudit(audit),
    });
    if (store && audit.intentId !== null) this.#store(audit.intentId as IntentId, 'verdict', receipt);
    return receipt;
  }

  /** The receipt of how a checkpoint closed, for the intent that waited in it. */
  outcome({ checkpoint, verdict }: CheckpointOutcome, audit: AuditRow): Receipt {
    const { action } = checkpoint;
    if (checkpoint.status === 'pending') throw new Error(`checkpoint ${checkpoint.id} has not closed`);
    const receipt = this.sign({
      kind: 'outcome',
      intentId: action.id,
      actor: checkpoint.requestedBy,
      type: action.type,
      workspaceId: checkpoint.workspaceId,
      args: (action.args ?? null) as Json,
      verdict,
      checkpoint: {
        id: checkpoint.id,
        status: checkpoint.status,
        closedBy: checkpoint.closedBy,
        approvedBy: checkpoint.approvals.map((a) => a.userId),
      },
      ...fromAudit(audit),
    });
    this.#store(action.id, 'outcome', receipt);
    return receipt;
  }

  /** A stored receipt, or null (intents adjudicated before receipts existed have none). */
  stored(intentId: IntentId, kind: ReceiptKind): Receipt | null {
    const row = this.db
      .select({ receipt: receipts.receipt })
      .from(receipts)
      .where(and(eq(receipts.intentId, intentId), eq(receipts.kind, kind)))
      .get();
    return row?.receipt ?? null;
  }

  sign(unsigned: UnsignedPayload): Receipt {
    const { kid, privateKey } = this.keyring.signingKey();
    // Plain JSON data, exactly as it will travel: what a verifier canonicalizes is what was signed.
    const payload = JSON.parse(
      JSON.stringify({ ...unsigned, format: RECEIPT_FORMAT, kid }),
    ) as ReceiptPayload;
    const signature = sign(null, receiptSigningBytes(payload), privateKey).toString('base64url');
    return { payload, signature };
  }

  #store(intentId: IntentId, kind: ReceiptKind, receipt: Receipt): void {
    this.db
      .insert(receipts)
      .values({ intentId, kind, kid: receipt.payload.kid, receipt, createdAt: receipt.payload.at })
      .onConflictDoNothing()
      .run();
  }
}
