export { decodeDurableAck, unsyncedCount } from './acks.js';
export * from './uploads/upload.js';
export { createClient, CaucusClient, type ClientOptions, type ClientPart } from './client.js';
export type { ClientStatus, ClientProblem, IntentProblem, OutboxStatus } from './client-status.js';
export { ClientError, CLIENT_ERROR_CODES, type ClientErrorCode } from './errors.js';
export { Store, type Observable } from './observable.js';
export { AuthRequired, staticToken, type TokenSource } from './auth/token-source.js';
export type { DocHandle } from './docs/registry.js';
export type { DocStatus } from './docs/entry.js';
export type { RefusedChange, RefusedExport } from './docs/refused.js';
export type { RefusedList } from './docs/refused-list.js';
export { summarizeUpdate } from './docs/summary.js';
export { ThreadView } from './docs/thread.js';
export { DecisionView, InboxView, WorkspaceView } from './docs/server-docs.js';
export { memoryStorage } from './storage/memory.js';
export { indexedDbStorage, type IndexedDbStorageOptions } from './storage/indexeddb.js';
export type {
  ClientStorage,
  DocBinding,
  LoadedDoc,
  MetaStore,
  RefusedStore,
  StorageKind,
} from './storage/types.js';
export { browserTransport, syncUrl, type Transport, type TransportFactory } from './sync/transport.js';
export type { ConnectionState, HeartbeatOptions } from './sync/connection.js';
export { backoffDelay } from './sync/backoff.js';
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
export { CaucusApi, type DecisionQuery, type NewNotice, type ThreadQuery } from './api/caucus-api.js';
export * from './api/result.js';
export type * from './api/shapes.js';
export type { Dashboard } from './api/dashboard-shape.js';
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
// The preview itself (`preview`, `Overlay`) is `@caucus/client/preview`, loaded by the outbox on
// demand, so pages that only sync documents do not load the shared policy.
export type { Overlay, Optimistic, Prediction } from './outbox/preview.js';
export { backoffMs, RETRY_MAX_MS, RETRY_MIN_MS } from './outbox/backoff.js';
export { attachOutbox, type AttachOutboxOptions } from './outbox/attach.js';
export {
  addThreadMember,
  conversationOf,
  createPrivateThread,
  IntentRejected,
  openConversation,
  removeThreadMember,
  type CreatedThread,
  type OpenedConversation,
  type PrivateThreadInput,
} from './outbox/private-threads.js';
