/**
 * The client's one error type: every failure it reports carries a machine-readable `code`, so a UI
 * or the CLI can map it without parsing messages.
 */
export const CLIENT_ERROR_CODES = [
  /** Not a document name (`thread:<id>`, `decision:<id>`, `inbox:<userId>`, `workspace:<id>`). */
  'invalid-doc-name',
  /** The document may only be read (viewer, archived thread, server-only document). */
  'read-only',
  /** The server refused the subscription (no access, removed, too many documents). */
  'doc-refused',
  /** A write needs to know who the user is, and the client has never been online to ask. */
  'user-unknown',
  /** An operation needs the server and the client is not connected. */
  'offline',
  /** The credentials were refused and cannot be renewed: sign in again. */
  'auth-required',
  /** The client (or the handle) was closed. */
  'closed',
  /** A message, refused change or other item that does not exist. */
  'not-found',
  /** The state dir belongs to another server. */
  'state-dir-mismatch',
  /** The document is already open in this tab through another client (one store instance per document). */
  'doc-already-open',
  /** The local store failed (disk full, IndexedDB gone). */
  'storage-failed',
  /** Waiting took longer than the caller allowed. */
  'timeout',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

export class ClientError extends Error {
  override name = 'ClientError';

  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}
