/**
 * The optimistic state: server state plus the pending intents, each ruled on by the shared policy
 * (`decide` from @caucus/schema, the code the server runs) in queue order, each accepted one's
 * effect applied before the next is ruled on — so an offline user sees the verdict the server will
 * most likely give, and a chain (propose, then approve, then resolve) previews as a chain. Pure.
 *
 * This module holds the ruling loop and its result; the overlay it builds is in `overlay.ts`, what
 * the policy is given for an intent in `preview-state.ts`, an accepted intent's effect in
 * `preview-effects.ts`, and private threads and conversations in `preview-private.ts`.
 */
import { decide, type Intent, type ThreadId, type UserId } from '@caucus/schema';
import type { GovernedView } from './governed-view.js';
import { Overlay } from './overlay.js';
import { applyEffect } from './preview-effects.js';
import { policyState } from './preview-state.js';
import { addPrivateThread, predictedConversation } from './preview-private.js';

export { Overlay } from './overlay.js';

export type Prediction =
  /** `result`: for `conversation.open`, the thread it names (an existing conversation, or its own). */
  | { status: 'accepted'; result?: { threadId: ThreadId; existed: boolean } }
  | { status: 'rejected'; code: string; reason: string; remedy: string }
  | { status: 'awaiting-approval' }
  /** The client does not hold the state the policy needs (a document not loaded here). */
  | { status: 'unknown'; missing: string };

export interface Optimistic {
  predictions: Map<string, Prediction>;
  /** The changed entities only; read through {@link Overlay.decision} etc. for the merged view. */
  overlay: Overlay;
}

/** Rules on `pending` (oldest first) as `actor` over `view`, at time `now`. */
export function preview(
  actor: UserId,
  view: GovernedView,
  pending: readonly Intent[],
  now: number,
): Optimistic {
  const overlay = new Overlay(view);
  const predictions = new Map<string, Prediction>();
  for (const intent of pending) {
    const state = policyState(actor, overlay, intent);
    if (typeof state === 'string') {
      predictions.set(intent.id, { status: 'unknown', missing: state });
      continue;
    }
    const ruling = decide({ userId: actor }, state, intent);
    switch (ruling.status) {
      case 'accepted':
        if (intent.type === 'conversation.open') {
          const result = predictedConversation(state, intent);
          predictions.set(intent.id, { status: 'accepted', result });
          if (!result.existed)
            addPrivateThread(overlay, actor, {
              threadId: result.threadId,
              workspaceId: intent.args.workspaceId,
              members: intent.args.userIds,
              conversation: true,
            });
          break;
        }
        predictions.set(intent.id, { status: 'accepted' });
        applyEffect(overlay, actor, intent, now);
        break;
      case 'escalate':
        predictions.set(intent.id, { status: 'awaiting-approval' });
        overlay.waiting.add(`${ruling.target.kind}:${ruling.target.id}`);
        break;
      case 'rejected': {
        const { code, reason, remedy } = ruling;
        predictions.set(intent.id, { status: 'rejected', code, reason, remedy });
        break;
      }
    }
  }
  return { predictions, overlay };
}
