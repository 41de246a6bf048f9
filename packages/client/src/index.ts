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
