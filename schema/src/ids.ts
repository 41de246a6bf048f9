declare const brand: unique symbol;

/** A string that is statically known to be an id of kind `K`; ids of different kinds do not mix. */
export type Brand<T, K extends string> = T & { readonly [brand]: K };

export type UserId = Brand<string, 'UserId'>;
export type WorkspaceId = Brand<string, 'WorkspaceId'>;
export type ThreadId = Brand<string, 'ThreadId'>;
export type DecisionId = Brand<string, 'DecisionId'>;
export type UploadId = Brand<string, 'UploadId'>;
export type ApiTokenId = Brand<string, 'ApiTokenId'>;
export type SessionId = Brand<string, 'SessionId'>;
export type CheckpointId = Brand<string, 'CheckpointId'>;
export type IntentId = Brand<string, 'IntentId'>;
export type NotificationId = Brand<string, 'NotificationId'>;
export type InvitationId = Brand<string, 'InvitationId'>;

/** Ids are opaque, URL-safe strings: letters, digits, `-` and `_`, 1 to 64 of them. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/**
 * A new UUIDv7 (RFC 9562): 48 bits of milliseconds, then random bits, so ids sort by creation
 * time. Works in browsers and Node alike (Web Crypto only).
 */
export function newId<T extends string = string>(now: number = Date.now()): T {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as T;
}
