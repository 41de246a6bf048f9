/** Why an intent was rejected: the `code` of a `rejected` verdict. */
export const REJECTION_CODES = [
  /** The intent is not well-formed (unknown type, bad arguments). Fix the client; do not retry. */
  'invalid-intent',
  /** Well-formed, but the arguments do not fit the target (an outcome that is not an option). */
  'invalid-args',
  /** The actor's role does not allow it, and it cannot be requested either. */
  'forbidden',
  /** The target does not exist, or the actor cannot see it. */
  'not-found',
  /** The id the intent would create is already taken. */
  'id-taken',
  /** An intent with this id was already submitted with other content or by someone else. */
  'id-conflict',
  /** The target's state does not allow it (the decision and checkpoint state machines). */
  'invalid-transition',
  /** The target changed since the client saw it (the intent's `basis` no longer holds). */
  'stale',
  /** The actor already approved this decision or checkpoint. */
  'already-approved',
  /** The target already has a pending checkpoint; approve or reject that one first. */
  'checkpoint-pending',
  /** The change would leave the workspace without an owner. */
  'last-owner',
  /** The change would leave a private thread without members. */
  'last-member',
  /** `member.invite` of someone already in the workspace (change a role with `member.setRole`). */
  'already-member',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  code: RejectionCode;
  /** What went wrong, for people. */
  reason: string;
  /** What to do about it, for people. */
  remedy: string;
}

export function reject(code: RejectionCode, reason: string, remedy: string): Rejection {
  return { code, reason, remedy };
}

/** Tells a rejection from the state a transition function returns instead. */
export function isRejection(value: object): value is Rejection {
  return 'code' in value && 'remedy' in value;
}

/**
 * One answer for every id a create cannot use, whatever holds it and wherever: it never says what
 * the id names, so an outsider holding a leaked id of a private thread learns nothing about it.
 */
export const ID_TAKEN: Rejection = reject(
  'id-taken',
  'that id cannot be used',
  'make a new id (a fresh uuid) and try again',
);
