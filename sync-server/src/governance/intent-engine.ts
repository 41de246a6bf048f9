/**
 * Adjudicates intents, each in one SQLite transaction: idempotency by id, the policy's ruling on
 * state loaded from the rows, the effects, the stored verdict, an audit event and notifications.
 */
import { eq } from 'drizzle-orm';
import {
  decide,
  intentContent,
  isId,
  parseIntent,
  POLICY_VERSION,
  tables,
  type IntentId,
  type IntentResult,
  type RejectionCode,
  type UserId,
  type Verdict,
} from '@caucus/schema';
import type { ReceiptIssuer } from '../receipts/issuer.js';
import { appendAudit } from './audit.js';
import { Changes } from './changes.js';
import { openCheckpointEffect } from './checkpoint-effects.js';
import { describeIntent, linkFor } from './describe.js';
import type { EffectContext } from './effect-context.js';
import { applyIntent } from './effects.js';
import { loadPolicyState } from './state.js';

const { intents } = tables;

/** How much of a malformed intent the audit log keeps. */
const MAX_AUDITED_INVALID_CHARS = 4_096;

/** One intent's verdict with its receipt; `id` is null when the intent had no usable id. */
export type AdjudicatedResult = IntentResult;

export interface Adjudication {
  result: AdjudicatedResult;
  /** What to publish and announce now that the transaction has committed. */
  changes: Changes;
}

function rejected(code: RejectionCode, reason: string, remedy: string): Verdict {
  return { status: 'rejected', code, reason, remedy };
}

export class IntentEngine {
  constructor(
    private readonly ctx: EffectContext,
    private readonly receipts: ReceiptIssuer,
  ) {}

  /** Adjudicates one intent as `actor` (from the token, never from the intent). */
  adjudicate(actor: UserId, raw: unknown): Adjudication {
    const changes = new Changes();
    const result = this.ctx.db.transaction(() => this.#adjudicate(actor, raw, changes));
    return { result, changes };
  }

  #adjudicate(actor: UserId, raw: unknown, changes: Changes): AdjudicatedResult {
    const { db, notifier } = this.ctx;
    const at = this.ctx.now();
    const parsed = parseIntent(raw);
    if (!parsed.ok) {
      const fields = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
      const id = isId(fields.id) ? (fields.id as IntentId) : null;
      const verdict = rejected(
        'invalid-intent',
        parsed.message,
        'fix the intent; it was not stored, so it may be sent again with the same id',
      );
      const audit = appendAudit(db, {
        at,
        actor,
        workspaceId: null,
        intentId: id,
        type: typeof fields.type === 'string' ? fields.type.slice(0, 64) : 'invalid',
        intent: (JSON.stringify(raw) ?? 'null').slice(0, MAX_AUDITED_INVALID_CHARS),
        verdict,
        policyVersion: POLICY_VERSION,
      });
      // Answered and signed, but not stored: a fixed intent may reuse the id.
      return { id, ...verdict, receipt: this.receipts.verdict(audit, verdict, null, false) };
    }

    const intent = parsed.intent;
    const content = intentContent(intent);
    const stored = db.select().from(intents).where(eq(intents.id, intent.id)).get();
    if (stored) {
      // A retry gets the verdict it got the first time, and nothing happens again.
      if (stored.actor === actor && stored.content === content) {
        const receipt = this.receipts.stored(intent.id, 'verdict');
        return { id: intent.id, ...stored.verdict, ...(receipt ? { receipt } : {}) };
      }
      const verdict = rejected(
        'id-conflict',
        'this intent id was already used for a different intent',
        'make a new id for a new intent',
      );
      const audit = appendAudit(db, {
        at,
        actor,
        workspaceId: null,
        intentId: intent.id,
        type: intent.type,
        intent: JSON.stringify(intent),
        verdict,
        policyVersion: POLICY_VERSION,
      });
      // Not stored: the id keeps the verdict it got first.
      return {
        id: intent.id,
        ...verdict,
        receipt: this.receipts.verdict(audit, verdict, intent.args, false),
      };
    }

    const { state, workspaceId } = loadPolicyState(db, actor, intent);
    const ruling = decide({ userId: actor }, state, intent);
    let verdict: Verdict;
    switch (ruling.status) {
      case 'accepted':
        verdict = { status: 'accepted', result: applyIntent(this.ctx, actor, intent, changes) };
        break;
      case 'escalate': {
        if (workspaceId === null) throw new Error(`escalated ${intent.type} without a workspace`);
        const checkpointId = openCheckpointEffect(this.ctx, actor, intent, ruling, workspaceId, changes);
        verdict = { status: 'awaiting-approval', checkpointId };
        break;
      }
      case 'rejected':
        verdict = rejected(ruling.code, ruling.reason, ruling.remedy);
        // An outbox may have sent it long after it was made: the inbox keeps the answer.
        notifier.deliver(
          [actor],
          {
            kind: 'error',
            title: `Not done: ${describeIntent(db, intent)}`,
            body: `${ruling.reason}. To do: ${ruling.remedy}.`,
            link: linkFor(intent),
          },
          changes,
        );
        break;
    }
    db.insert(intents)
      .values({
        id: intent.id,
        actor,
        type: intent.type,
        content,
        args: intent.args,
        verdict,
        workspaceId,
        createdAt: at,
      })
      .run();
    const audit = appendAudit(db, {
      at,
      actor,
      workspaceId,
      intentId: intent.id,
      type: intent.type,
      intent: JSON.stringify(intent),
      verdict,
      policyVersion: POLICY_VERSION,
    });
    const receipt = this.receipts.verdict(audit, verdict, intent.args, true);
    // Intents that waited in checkpoints this one closed get their final verdict signed too, bound
    // to this event (the one that closed them).
    for (const outcome of changes.checkpointOutcomes) this.receipts.outcome(outcome, audit);
    return { id: intent.id, ...verdict, receipt };
  }
}
