import type { ApiErrorCode } from '@caucus/schema';

/** The `reason` label of `caucus_auth_failures_total`. */
export const AUTH_FAILURE_REASONS = [
  /** A login with an unknown email or a wrong password. */
  'invalid-credentials',
  /** An access, API or refresh token that is forged, malformed, revoked or unknown. */
  'invalid-token',
  /** A token past its lifetime. */
  'token-expired',
  /** A used refresh token presented again (its session was revoked). */
  'refresh-token-reused',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** The failure an auth error code stands for, or null when the code is not an auth failure. */
export function authFailureReason(code: ApiErrorCode): AuthFailureReason | null {
  switch (code) {
    case 'invalid-credentials':
    case 'token-expired':
    case 'refresh-token-reused':
      return code;
    case 'unauthorized':
      return 'invalid-token';
    default:
      return null;
  }
}
