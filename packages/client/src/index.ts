export { decodeDurableAck, unsyncedCount } from './acks.js';
export * from './uploads/upload.js';
export { AuthRequired, staticToken, type TokenSource } from './auth/token-source.js';
export { memorySessionStore, Mutex, type SessionStore, type StoredSession } from './auth/session-store.js';
export { indexedDbSessionStore } from './auth/indexeddb-session-store.js';
export {
  logIn,
  normalizeUrl,
  RefreshFailed,
  resumeSession,
  SessionAuth,
  signUp,
  type SessionOptions,
} from './auth/session.js';
export { Http, type HttpOptions, type RequestOptions } from './api/http.js';
export { CaucusApi, type DecisionQuery, type ThreadQuery } from './api/caucus-api.js';
export * from './api/result.js';
export type * from './api/shapes.js';
export { Outbox, type FlushReport, type OutboxOptions, type SendIntents } from './outbox/outbox.js';
export * from './outbox/outbox-types.js';
export { memoryOutboxStore, type OutboxStore } from './outbox/store.js';
export { indexedDbOutboxStore } from './outbox/indexeddb-outbox-store.js';
export {
  decodeRecord,
  OUTBOX_FORMAT_VERSION,
  type OutboxRecord,
  type RawRecord,
  type StoredVerdict,
} from './outbox/record.js';
export { EMPTY_VIEW, type GovernedView } from './outbox/governed-view.js';
export { docGovernedView, type DocLookup } from './outbox/doc-view.js';
export { Overlay, preview, type Optimistic, type Prediction } from './outbox/preview.js';
export { backoffMs, RETRY_MAX_MS, RETRY_MIN_MS } from './outbox/backoff.js';
export * from './receipts/verify.js';
export * from './receipts/keys.js';
