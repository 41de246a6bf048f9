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
