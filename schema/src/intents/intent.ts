/**
 * Intents: requests to change governed state (DESIGN §4). Plain data, validated at the edge with
 * these schemas; the policy (`../policy/decide.ts`) rules on them and the server applies them.
 */
import * as z from 'zod/mini';
import type { IntentId } from '../ids.js';
import { checkpointApproveArgs, checkpointRejectArgs } from './checkpoint-intents.js';
import { idOf } from './common.js';
import {
  decisionApproveArgs,
  decisionDeferArgs,
  decisionProposeArgs,
  decisionReopenArgs,
  decisionResolveArgs,
} from './decision-intents.js';
import { inboxMarkAllReadArgs, inboxMarkReadArgs, prefsSetArgs } from './inbox-intents.js';
import { memberInviteArgs, memberRemoveArgs, memberSetRoleArgs } from './member-intents.js';
import {
  conversationOpenArgs,
  threadAddMemberArgs,
  threadRemoveMemberArgs,
} from './private-thread-intents.js';
import { threadArchiveArgs, threadCreateArgs, threadRestoreArgs } from './thread-intents.js';

/**
 * What the client saw of the intent's target when it made the intent. Every field given must still
 * hold when the server adjudicates, or the intent is rejected as `stale`: `version` of a decision or
 * checkpoint, `status` of a decision, checkpoint or thread, or the current role of a member
 * (`member.setRole`, `member.remove`). A client that applies its own queued intents with the
 * policy predicts the versions its later intents will see (every accepted change adds one).
 */
export const basisSchema = z.object({
  version: z.optional(z.int().check(z.minimum(0))),
  status: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
});
export type Basis = z.output<typeof basisSchema>;

/** The argument schema of every intent type. */
export const INTENT_ARGS = {
  'thread.create': threadCreateArgs,
  'thread.archive': threadArchiveArgs,
  'thread.restore': threadRestoreArgs,
  'thread.addMember': threadAddMemberArgs,
  'thread.removeMember': threadRemoveMemberArgs,
  'conversation.open': conversationOpenArgs,
  'decision.propose': decisionProposeArgs,
  'decision.approve': decisionApproveArgs,
  'decision.resolve': decisionResolveArgs,
  'decision.defer': decisionDeferArgs,
  'decision.reopen': decisionReopenArgs,
  'checkpoint.approve': checkpointApproveArgs,
  'checkpoint.reject': checkpointRejectArgs,
  'member.invite': memberInviteArgs,
  'member.setRole': memberSetRoleArgs,
  'member.remove': memberRemoveArgs,
  'inbox.markRead': inboxMarkReadArgs,
  'inbox.markAllRead': inboxMarkAllReadArgs,
  'prefs.set': prefsSetArgs,
} as const;

export type IntentType = keyof typeof INTENT_ARGS;
export const INTENT_TYPES = Object.keys(INTENT_ARGS) as IntentType[];

export type IntentArgs<T extends IntentType> = z.output<(typeof INTENT_ARGS)[T]>;
/** Arguments as a client writes them (before trimming and normalizing). */
export type IntentArgsInput<T extends IntentType> = z.input<(typeof INTENT_ARGS)[T]>;

function variant<T extends IntentType>(type: T) {
  return z.object({
    id: idOf<IntentId>(),
    type: z.literal(type),
    args: INTENT_ARGS[type],
    basis: z.optional(basisSchema),
  });
}

export const intentSchema = z.discriminatedUnion('type', [
  variant('thread.create'),
  variant('thread.archive'),
  variant('thread.restore'),
  variant('thread.addMember'),
  variant('thread.removeMember'),
  variant('conversation.open'),
  variant('decision.propose'),
  variant('decision.approve'),
  variant('decision.resolve'),
  variant('decision.defer'),
  variant('decision.reopen'),
  variant('checkpoint.approve'),
  variant('checkpoint.reject'),
  variant('member.invite'),
  variant('member.setRole'),
  variant('member.remove'),
  variant('inbox.markRead'),
  variant('inbox.markAllRead'),
  variant('prefs.set'),
]);

/** A validated intent; narrow on `type` to get its `args`. */
export type Intent = z.output<typeof intentSchema>;
export type IntentOf<T extends IntentType> = Extract<Intent, { type: T }>;
/** An intent as a client writes it. */
export type IntentInput = z.input<typeof intentSchema>;

export type ParsedIntent = { ok: true; intent: Intent } | { ok: false; message: string };

/** Validates one intent; the message lists every issue as `path: message`. */
export function parseIntent(value: unknown): ParsedIntent {
  const result = intentSchema.safeParse(value);
  if (result.success) return { ok: true, intent: result.data };
  const message = result.error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
  return { ok: false, message };
}

/**
 * The intent without its id, in a canonical form (normalized args, fixed key order): a retry with
 * the same id must carry the same content.
 */
export function intentContent(intent: Intent): string {
  return JSON.stringify({ type: intent.type, args: intent.args, basis: intent.basis ?? null });
}
