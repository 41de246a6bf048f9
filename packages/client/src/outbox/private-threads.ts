/**
 * Typed helpers over the outbox for private threads and direct conversations (docs/API.md,
 * "Private threads and conversations"). Each queues one intent — so it works offline and is sent
 * in order with the rest — and answers what a caller needs at once: the thread's id.
 *
 * A conversation is the one thread of a set of people: opening it again (from any of them, from
 * two offline devices at once) must land in the same thread. So `openConversation` answers the
 * thread to show now — the conversation the user's catalog or an earlier queued or settled open
 * names, else a new id — and `thread`, the thread the server's verdict names, which is the one to
 * follow when it differs (someone else opened it first while this device was offline).
 */
import {
  conversationKey,
  conversationMembers,
  newId,
  type IntentInput,
  type ThreadId,
  type UserId,
  type WorkspaceId,
} from '@caucus/schema';
import type { Outbox } from './outbox.js';
import type { Submitted } from './outbox-types.js';
import type { Prediction } from './preview.js';
import type { StoredVerdict } from './record.js';

export interface PrivateThreadInput {
  workspaceId: WorkspaceId | string;
  title: string;
  /** Members of the workspace besides the creator, who is always one. */
  memberIds: ReadonlyArray<UserId | string>;
  intent?: string;
  /** A client-made id; a new one by default. */
  threadId?: ThreadId;
}

export interface CreatedThread extends Submitted {
  /** The new thread's id, yours at once (open `client.thread(threadId)` offline). */
  threadId: ThreadId;
}

export interface OpenedConversation extends Submitted {
  /** The thread to show now (see {@link OpenedConversation.known}); may be corrected by `thread`. */
  threadId: ThreadId;
  /**
   * Where `threadId` comes from: `existing` — a conversation this client knows of (the user's
   * catalog, or an earlier open of the same people); `new` — no conversation is known, so the
   * intent's own new thread.
   */
  known: 'existing' | 'new';
  /** The prediction of the shared policy over the state this client holds. */
  prediction: Prediction | null;
  /**
   * The conversation's thread as the server ruled: the existing one when these people already
   * had one, else the intent's own. Rejects with {@link IntentRejected} on a rejection, and with
   * `IntentDiscarded` when the intent is discarded.
   */
  thread: Promise<ThreadId>;
}

/** A rejected intent as an error (for promises that answer a value, not a verdict). */
export class IntentRejected extends Error {
  override name = 'IntentRejected';
  readonly code: string;
  readonly reason: string;
  readonly remedy: string;

  constructor(verdict: { code: string; reason: string; remedy: string }) {
    super(`${verdict.code}: ${verdict.reason} — ${verdict.remedy}`);
    this.code = verdict.code;
    this.reason = verdict.reason;
    this.remedy = verdict.remedy;
  }
}

/** `thread.create` with `visibility: 'private'`: a thread its members alone see. */
export function createPrivateThread(outbox: Outbox, input: PrivateThreadInput): CreatedThread {
  const threadId = input.threadId ?? newId<ThreadId>();
  const submitted = outbox.submit('thread.create', {
    threadId,
    workspaceId: input.workspaceId,
    title: input.title,
    ...(input.intent !== undefined ? { intent: input.intent } : {}),
    visibility: 'private',
    memberIds: input.memberIds as UserId[],
  });
  return { ...submitted, threadId };
}

/** `thread.addMember`: a member of the workspace joins a private thread. */
export function addThreadMember(
  outbox: Outbox,
  threadId: ThreadId | string,
  userId: UserId | string,
): Submitted {
  return outbox.submit('thread.addMember', { threadId: threadId, userId: userId });
}

/** `thread.removeMember`: the creator or an owner removes a member; anyone removes themselves (leaves). */
export function removeThreadMember(
  outbox: Outbox,
  threadId: ThreadId | string,
  userId: UserId | string,
): Submitted {
  return outbox.submit('thread.removeMember', { threadId: threadId, userId: userId });
}

/** The thread a `conversation.open` verdict names, or null for any other verdict. */
export function conversationOf(verdict: StoredVerdict): ThreadId | null {
  if (verdict.status !== 'accepted') return null;
  const threadId = verdict.result?.threadId;
  return typeof threadId === 'string' ? (threadId as ThreadId) : null;
}

/**
 * `conversation.open` with `userIds` (members of the workspace; the user comes on top). Resolves
 * once the intent is stored in the outbox.
 */
export async function openConversation(
  outbox: Outbox,
  input: { workspaceId: WorkspaceId | string; userIds: ReadonlyArray<UserId | string> },
): Promise<OpenedConversation> {
  const own = newId<ThreadId>();
  const workspaceId = input.workspaceId as WorkspaceId;
  const userIds = input.userIds as UserId[];
  const submitted = outbox.submit('conversation.open', { threadId: own, workspaceId, userIds });
  await submitted.queued;
  const prediction = outbox.current.pending.find((p) => p.id === submitted.id)?.prediction ?? null;
  const predicted = prediction?.status === 'accepted' ? prediction.result : undefined;
  const earlier = predicted ? null : knownConversation(outbox, workspaceId, userIds, submitted.id);
  const threadId = predicted?.threadId ?? earlier ?? own;
  const thread = submitted.verdict.then((verdict) => {
    if (verdict.status === 'rejected') throw new IntentRejected(verdict);
    const named = conversationOf(verdict);
    if (!named)
      throw new IntentRejected({
        code: 'bad-response',
        reason: 'the verdict names no thread',
        remedy: 'retry',
      });
    return named;
  });
  thread.catch(() => undefined);
  const known = predicted ? (predicted.existed ? 'existing' : 'new') : earlier ? 'existing' : 'new';
  return { ...submitted, threadId, known, prediction, thread };
}

/**
 * The conversation of the same people that an earlier open in this outbox names: the newest
 * settled verdict, else the thread a queued one will create (what `caucus dm` run twice offline
 * needs, where no catalog is at hand).
 */
function knownConversation(
  outbox: Outbox,
  workspaceId: WorkspaceId,
  userIds: readonly UserId[],
  except: string,
): ThreadId | null {
  const actor = outbox.actor;
  if (actor === null) return null;
  const key = conversationKey(conversationMembers(actor, userIds));
  const same = (intent: IntentInput): boolean => {
    if (intent.type !== 'conversation.open' || intent.id === except) return false;
    const args = intent.args as { workspaceId: string; userIds: readonly string[] };
    const members = conversationMembers(actor, args.userIds as readonly UserId[]);
    return args.workspaceId === workspaceId && conversationKey(members) === key;
  };
  const { pending, settled } = outbox.current;
  // A conversation the server named already outranks one a queued open would create.
  for (const s of [...settled].reverse()) {
    const named = same(s.intent) ? conversationOf(s.verdict) : null;
    if (named) return named;
  }
  for (const p of pending) {
    if (!same(p.intent)) continue;
    if (p.prediction.status === 'accepted' && p.prediction.result) return p.prediction.result.threadId;
    return (p.intent.args as { threadId: string }).threadId as ThreadId;
  }
  return null;
}
