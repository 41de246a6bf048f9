/** Accepted decision intents: the rows, the notifications, the documents to publish. */
import {
  applyDecisionEvent,
  decisionEvent,
  decisionFollowers,
  isRejection,
  proposeDecision,
  type CheckpointId,
  type IntentOf,
  type Json,
  type UserId,
} from '@caucus/schema';
import type { Changes } from './changes.js';
import { quote, threadTitleOf, userName } from './describe.js';
import { insertDecision, loadDecision, saveDecision } from './decision-store.js';
import type { EffectContext } from './effect-context.js';
import { decisionListsChanged } from './private-thread-effects.js';
import { cancelDecisionReminders, scheduleDecisionReminders } from './reminders.js';
import { membersOf, threadView } from './reads.js';

export function proposeDecisionEffect(
  ctx: EffectContext,
  actor: UserId,
  intent: IntentOf<'decision.propose'>,
  changes: Changes,
): { [key: string]: Json } {
  const { db } = ctx;
  const { decisionId, threadId, title } = intent.args;
  const thread = threadView(db, threadId);
  if (!thread) throw new Error(`thread ${threadId} vanished inside its transaction`);
  const decision = proposeDecision(
    {
      id: decisionId,
      workspaceId: thread.workspaceId,
      threadId,
      title,
      options: intent.args.options,
      requiredApprovals: intent.args.requiredApprovals,
      dueAt: intent.args.dueAt,
    },
    actor,
    ctx.now(),
  );
  insertDecision(db, decision);
  scheduleDecisionReminders(ctx, decision);
  changes.decisions.add(decisionId);
  decisionListsChanged(db, threadId, changes);
  ctx.notifier.deliver(
    membersOf(db, thread.workspaceId).filter((id) => id !== actor),
    {
      kind: 'info',
      title: `New decision: ${quote(title)}`,
      body: `${userName(db, actor)} proposed it in ${quote(threadTitleOf(db, threadId))}.`,
      link: `/decisions/${decisionId}`,
      about: threadId,
    },
    changes,
  );
  return { decisionId, status: decision.status, version: decision.version };
}

/** approve, resolve, defer, reopen — already ruled on; `checkpointId` when a checkpoint ran it. */
export function changeDecisionEffect(
  ctx: EffectContext,
  actor: UserId,
  intent: IntentOf<'decision.approve' | 'decision.resolve' | 'decision.defer' | 'decision.reopen'>,
  changes: Changes,
  checkpointId?: CheckpointId,
): { [key: string]: Json } {
  const { db } = ctx;
  const decision = loadDecision(db, intent.args.decisionId);
  if (!decision) throw new Error(`decision ${intent.args.decisionId} vanished inside its transaction`);
  const next = applyDecisionEvent(decision, decisionEvent(intent, checkpointId), actor, ctx.now());
  if (isRejection(next))
    throw new Error(`the policy accepted what the state machine refuses: ${next.reason}`);
  saveDecision(db, next);
  // Only an open decision is reminded of: resolving or deferring it cancels them, reopening it
  // schedules those still ahead again.
  if (next.status === 'open') scheduleDecisionReminders(ctx, next);
  else cancelDecisionReminders(ctx, next.id);
  changes.decisions.add(next.id);
  decisionListsChanged(db, next.threadId, changes);
  const link = `/decisions/${next.id}`;
  // Followers who left the thread since hear nothing more of it.
  const about = next.threadId;
  const who = userName(db, actor);
  const others = (ids: UserId[]) => ids.filter((id) => id !== actor);
  switch (intent.type) {
    case 'decision.approve':
      ctx.notifier.deliver(
        others([next.proposedBy]),
        { kind: 'info', title: `${who} approved ${quote(next.title)}`, link, about },
        changes,
      );
      break;
    case 'decision.resolve':
      ctx.notifier.deliver(
        others(decisionFollowers(next)),
        {
          kind: 'success',
          title: `Decision resolved: ${quote(next.title)}`,
          body: `Outcome: ${next.outcome ?? ''}`,
          link,
          about,
        },
        changes,
      );
      break;
    case 'decision.defer':
      ctx.notifier.deliver(
        others(decisionFollowers(next)),
        {
          kind: 'info',
          title: `Decision deferred: ${quote(next.title)}`,
          body: [
            next.deferredUntil === null ? '' : `Until ${new Date(next.deferredUntil).toISOString()}.`,
            next.deferReason ?? '',
          ]
            .filter(Boolean)
            .join(' '),
          link,
          about,
        },
        changes,
      );
      break;
    case 'decision.reopen':
      ctx.notifier.deliver(
        others(decisionFollowers(next)),
        { kind: 'info', title: `Decision reopened: ${quote(next.title)}`, body: `By ${who}.`, link, about },
        changes,
      );
      break;
  }
  return { decisionId: next.id, status: next.status, version: next.version };
}
