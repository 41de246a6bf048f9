/**
 * One document of a multiplexed socket, as the sync core sees it: a `SyncSocket` whose messages
 * travel as `doc` frames of the shared socket. The `Connection` behind it is the same one a
 * per-document socket gets, so every per-document limit, rule and permission holds per channel.
 */
import { encodeMuxServer, type DocName } from '@caucus/schema';
import type { Connection } from './connection.js';
import type { SyncSocket } from './socket.js';

/** What a channel needs from its socket's session. */
export interface ChannelHost {
  /** Writes one mux frame on the shared socket. */
  write(frame: Uint8Array, onWritten?: () => void): void;
  /** The channel's connection closed it from the server side. */
  channelClosed(channel: MuxChannel, code: number, reason: string): void;
  readonly bufferedAmount: number;
}

export class MuxChannel implements SyncSocket {
  conn: Connection | null = null;

  constructor(
    private readonly host: ChannelHost,
    readonly doc: DocName,
  ) {}

  send(message: Uint8Array, onWritten?: () => void): void {
    this.host.write(docFrame(this.doc, message), onWritten);
  }

  close(code: number, reason: string): void {
    this.host.channelClosed(this, code, reason);
  }

  accessChanged(access: 'read' | 'write'): void {
    this.host.write(encodeMuxServer({ type: 'access', doc: this.doc, access }));
  }

  get bufferedAmount(): number {
    return this.host.bufferedAmount;
  }
}

/**
 * The last document message wrapped, and its frame: a room broadcast hands the same message to
 * every member, so its `doc` frame is built once per room (and, being the same bytes, framed once
 * by the link) instead of once per subscriber.
 */
let lastMessage: Uint8Array | null = null;
let lastDoc = '';
let lastFrame: Uint8Array = new Uint8Array(0);

function docFrame(doc: DocName, message: Uint8Array): Uint8Array {
  if (message !== lastMessage || doc !== lastDoc) {
    lastFrame = encodeMuxServer({ type: 'doc', doc, message });
    lastMessage = message;
    lastDoc = doc;
  }
  return lastFrame;
}
