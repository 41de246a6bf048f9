/**
 * The sync core's only view of a transport (STYLE §3): a per-document WebSocket fits it, so does
 * one channel of a multiplexed socket, and an in-memory test socket. The core never imports `ws`.
 */
export interface SyncSocket {
  /**
   * Sends one binary message. The same bytes may be handed to many sockets. `onWritten` runs once
   * the message has left the process's buffers (never, when the socket closes first); a socket
   * with no buffer of its own calls it at once, asynchronously.
   */
  send(data: Uint8Array, onWritten?: () => void): void;
  close(code: number, reason: string): void;
  /**
   * What the connection may do changed and it stays open (a role change): tell the client. A
   * per-document socket can only say "read-only" (`PermissionDenied`); a channel sends `access`.
   */
  accessChanged(access: 'read' | 'write'): void;
  /** Bytes queued but not yet written (shared by every channel of one multiplexed socket). */
  readonly bufferedAmount: number;
}
