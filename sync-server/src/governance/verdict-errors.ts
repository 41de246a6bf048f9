/** Rejected verdicts as HTTP errors, for the REST routes that run an intent underneath. */
import type { ApiErrorCode, Json, RejectionCode, Verdict } from '@caucus/schema';
import { ApiError } from '../errors.js';

export const REJECTION_HTTP_CODES: Readonly<Record<RejectionCode, ApiErrorCode>> = {
  'invalid-intent': 'invalid-body',
  'invalid-args': 'invalid-body',
  forbidden: 'forbidden',
  'not-found': 'not-found',
  'id-taken': 'conflict',
  'id-conflict': 'conflict',
  'invalid-transition': 'conflict',
  stale: 'conflict',
  'already-approved': 'conflict',
  'checkpoint-pending': 'conflict',
  'last-owner': 'conflict',
  'last-member': 'conflict',
  'already-member': 'conflict',
};

/** The result of an accepted verdict; a rejection throws the matching `ApiError`. */
export function acceptedResult(verdict: Verdict): { [key: string]: Json } {
  switch (verdict.status) {
    case 'accepted':
      return verdict.result;
    case 'rejected':
      throw new ApiError(REJECTION_HTTP_CODES[verdict.code], verdict.reason);
    case 'awaiting-approval':
      // Only for intents that cannot wait; a checkpoint here is a policy/route mismatch.
      throw new Error(`unexpected checkpoint ${verdict.checkpointId} for a direct request`);
  }
}
