/**
 * The multiplexed sync protocol (`caucus.mux.v1`): one WebSocket carries many documents. Plain
 * data and pure codecs, shared by the server and the client (docs/PROTOCOL.md, "Many documents on
 * one connection").
 *
 * A frame is `varUint(type)` and its fields. Document messages carry the document's name and then
 * an unchanged y-websocket message (sync, awareness, query-awareness, auth `PermissionDenied`,
 * durable ack), so everything that holds for one document on `/sync/<doc>` holds per document
 * here. The same document message is the same bytes for every subscriber, so the server encodes a
 * broadcast once.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Access } from './roles.js';

/** Negotiated with `Sec-WebSocket-Protocol` on `/sync` (no document name in the path). */
export const MUX_SUBPROTOCOL = 'caucus.mux.v1';
export const MUX_PROTOCOL_VERSION = 1;

/** Client → server frame types. */
export const MUX_CLIENT = {
  /** Open documents: `varUint(n)` × { varString(doc), varUint(flags), varUint8Array(stateVector) }. */
  subscribe: 0,
  /** Close documents: `varUint(n)` × varString(doc). Answered with `closed` code 1000 each. */
  unsubscribe: 1,
  /** A y-websocket message for one subscribed document: varString(doc), then the message bytes. */
  doc: 2,
  /** Application ping: varUint(id); answered with `pong` carrying the same id. */
  ping: 3,
  /** A fresh token for this connection (same user): varString(token). Answered with `authed`. */
  auth: 4,
} as const;

/** Server → client frame types. */
export const MUX_SERVER = {
  /** A subscription is live: varString(doc), varString(access). Sync messages follow. */
  subscribed: 0,
  /** A subscription ended or was refused: varString(doc), varUint(code), varString(reason). */
  closed: 1,
  /** A y-websocket message of one document: varString(doc), then the message bytes. */
  doc: 2,
  /** Answer to `ping`: varUint(id). */
  pong: 3,
  /** The subscription's access changed (role change): varString(doc), varString(access). */
  access: 4,
  /** The token sent with `auth` was accepted: varUint(expiresAt ms since epoch, 0 = never). */
  authed: 5,
} as const;

/** `subscribe` flag bits. */
export const MUX_FLAGS = {
  /** Send durable acks (message type 100) for this document. */
  acks: 1,
} as const;

/**
 * Codes of `closed` (one document) — the same numbers as the close codes of a per-document
 * connection, plus 1000 for an unsubscribe the client asked for and 4404/4409 for subscriptions
 * refused at once. 4400-4499 are final for that document until something changes (a new token,
 * a new role); 1011 and 1013 are transient: subscribe again after a backoff.
 */
export const MUX_CLOSE = {
  unsubscribed: 1000,
  internalError: 1011,
  malformed: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  /** Not a document name. */
  notFound: 4404,
  /** The connection already holds the maximum number of documents. */
  tooManyDocuments: 4409,
  tooLarge: 4413,
  rateLimited: 4429,
} as const;

export type MuxClientMessage =
  | { type: 'subscribe'; docs: MuxSubscription[] }
  | { type: 'unsubscribe'; docs: string[] }
  | { type: 'doc'; doc: string; message: Uint8Array }
  | { type: 'ping'; id: number }
  | { type: 'auth'; token: string };

export interface MuxSubscription {
  doc: string;
  /** Durable acks wanted. */
  acks: boolean;
  /** The client's state vector of the document (an empty one, `[0]`, for a document it lacks). */
  stateVector: Uint8Array;
}

export type MuxServerMessage =
  | { type: 'subscribed'; doc: string; access: Exclude<Access, 'none'> }
  | { type: 'closed'; doc: string; code: number; reason: string }
  | { type: 'doc'; doc: string; message: Uint8Array }
  | { type: 'pong'; id: number }
  | { type: 'access'; doc: string; access: Exclude<Access, 'none'> }
  | { type: 'authed'; expiresAt: number | null };

/** A frame that is not a well-formed mux message. */
export class MalformedMuxFrame extends Error {
  override name = 'MalformedMuxFrame';
}

function build(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

function parse<T>(frame: Uint8Array, read: (d: decoding.Decoder) => T): T {
  try {
    return read(decoding.createDecoder(frame));
  } catch (err) {
    if (err instanceof MalformedMuxFrame) throw err;
    throw new MalformedMuxFrame(err instanceof Error ? err.message : 'undecodable frame');
  }
}

const rest = (d: decoding.Decoder): Uint8Array => d.arr.subarray(d.pos);

function readAccess(d: decoding.Decoder): 'read' | 'write' {
  const access = decoding.readVarString(d);
  if (access !== 'read' && access !== 'write') throw new MalformedMuxFrame(`unknown access ${access}`);
  return access;
}

/** A document message is the same bytes whoever receives it: `varUint(doc) · varString(name) · message`. */
function encodeDocFrame(type: number, doc: string, message: Uint8Array): Uint8Array {
  return build((e) => {
    encoding.writeVarUint(e, type);
    encoding.writeVarString(e, doc);
    encoding.writeUint8Array(e, message);
  });
}

export const encodeMuxClient = (m: MuxClientMessage): Uint8Array => {
  switch (m.type) {
    case 'subscribe':
      return build((e) => {
        encoding.writeVarUint(e, MUX_CLIENT.subscribe);
        encoding.writeVarUint(e, m.docs.length);
        for (const s of m.docs) {
          encoding.writeVarString(e, s.doc);
          encoding.writeVarUint(e, s.acks ? MUX_FLAGS.acks : 0);
          encoding.writeVarUint8Array(e, s.stateVector);
        }
      });
    case 'unsubscribe':
      return build((e) => {
        encoding.writeVarUint(e, MUX_CLIENT.unsubscribe);
        encoding.writeVarUint(e, m.docs.length);
        for (const doc of m.docs) encoding.writeVarString(e, doc);
      });
    case 'doc':
      return encodeDocFrame(MUX_CLIENT.doc, m.doc, m.message);
    case 'ping':
      return build((e) => {
        encoding.writeVarUint(e, MUX_CLIENT.ping);
        encoding.writeVarUint(e, m.id);
      });
    case 'auth':
      return build((e) => {
        encoding.writeVarUint(e, MUX_CLIENT.auth);
        encoding.writeVarString(e, m.token);
      });
  }
};

/** Decodes a client frame; throws {@link MalformedMuxFrame}. `maxDocs` bounds a subscribe's list. */
export function decodeMuxClient(frame: Uint8Array, maxDocs = Number.MAX_SAFE_INTEGER): MuxClientMessage {
  return parse(frame, (d) => {
    const type = decoding.readVarUint(d);
    switch (type) {
      case MUX_CLIENT.subscribe: {
        const n = decoding.readVarUint(d);
        if (n > maxDocs) throw new MalformedMuxFrame(`a subscribe lists at most ${maxDocs} documents`);
        const docs: MuxSubscription[] = [];
        for (let i = 0; i < n; i++) {
          const doc = decoding.readVarString(d);
          const flags = decoding.readVarUint(d);
          const stateVector = decoding.readVarUint8Array(d);
          docs.push({ doc, acks: (flags & MUX_FLAGS.acks) !== 0, stateVector });
        }
        return { type: 'subscribe', docs };
      }
      case MUX_CLIENT.unsubscribe: {
        const n = decoding.readVarUint(d);
        if (n > maxDocs) throw new MalformedMuxFrame(`an unsubscribe lists at most ${maxDocs} documents`);
        const docs: string[] = [];
        for (let i = 0; i < n; i++) docs.push(decoding.readVarString(d));
        return { type: 'unsubscribe', docs };
      }
      case MUX_CLIENT.doc: {
        const doc = decoding.readVarString(d);
        const message = rest(d);
        if (message.length === 0) throw new MalformedMuxFrame('a document message without a message');
        return { type: 'doc', doc, message };
      }
      case MUX_CLIENT.ping:
        return { type: 'ping', id: decoding.readVarUint(d) };
      case MUX_CLIENT.auth:
        return { type: 'auth', token: decoding.readVarString(d) };
      default:
        throw new MalformedMuxFrame(`unknown frame type ${type}`);
    }
  });
}

export const encodeMuxServer = (m: MuxServerMessage): Uint8Array => {
  switch (m.type) {
    case 'subscribed':
    case 'access':
      return build((e) => {
        encoding.writeVarUint(e, m.type === 'subscribed' ? MUX_SERVER.subscribed : MUX_SERVER.access);
        encoding.writeVarString(e, m.doc);
        encoding.writeVarString(e, m.access);
      });
    case 'closed':
      return build((e) => {
        encoding.writeVarUint(e, MUX_SERVER.closed);
        encoding.writeVarString(e, m.doc);
        encoding.writeVarUint(e, m.code);
        encoding.writeVarString(e, m.reason);
      });
    case 'doc':
      return encodeDocFrame(MUX_SERVER.doc, m.doc, m.message);
    case 'pong':
      return build((e) => {
        encoding.writeVarUint(e, MUX_SERVER.pong);
        encoding.writeVarUint(e, m.id);
      });
    case 'authed':
      return build((e) => {
        encoding.writeVarUint(e, MUX_SERVER.authed);
        encoding.writeVarUint(e, m.expiresAt ?? 0);
      });
  }
};

/** Decodes a server frame; throws {@link MalformedMuxFrame}. */
export function decodeMuxServer(frame: Uint8Array): MuxServerMessage {
  return parse(frame, (d) => {
    const type = decoding.readVarUint(d);
    switch (type) {
      case MUX_SERVER.subscribed:
        return { type: 'subscribed', doc: decoding.readVarString(d), access: readAccess(d) };
      case MUX_SERVER.access:
        return { type: 'access', doc: decoding.readVarString(d), access: readAccess(d) };
      case MUX_SERVER.closed:
        return {
          type: 'closed',
          doc: decoding.readVarString(d),
          code: decoding.readVarUint(d),
          reason: decoding.readVarString(d),
        };
      case MUX_SERVER.doc:
        return { type: 'doc', doc: decoding.readVarString(d), message: rest(d) };
      case MUX_SERVER.pong:
        return { type: 'pong', id: decoding.readVarUint(d) };
      case MUX_SERVER.authed: {
        const expiresAt = decoding.readVarUint(d);
        return { type: 'authed', expiresAt: expiresAt === 0 ? null : expiresAt };
      }
      default:
        throw new MalformedMuxFrame(`unknown frame type ${type}`);
    }
  });
}
