/**
 * The sync core's only view of a transport (STYLE §3): a `ws` WebSocket fits it, and so does an
 * in-memory test socket. The core never imports `ws`.
 */
export interface SyncSocket {
  /** Sends one binary message. The same bytes may be handed to many sockets. */
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
  /** Bytes queued but not yet written; used to drop consumers that fall too far behind. */
  readonly bufferedAmount: number;
}
