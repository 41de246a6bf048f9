/**
 * The sync wire protocol: y-websocket's framing (a varuint message type, then its payload), so the
 * official `y-websocket` client works unchanged, plus one message type of Caucus's own.
 */
export const PROTOCOL_VERSION = 1;

export const MESSAGE_TYPES = {
  /** y-protocols sync: step 1 (state vector), step 2 (update), update. */
  sync: 0,
  /** y-protocols awareness update. */
  awareness: 1,
  /** y-protocols auth: `PermissionDenied` with a reason. */
  auth: 2,
  /** Ask the other side to send all awareness states. */
  queryAwareness: 3,
  /**
   * Caucus durable ack (only on connections opened with `?acks=1`): sent after the updates this
   * connection sent are committed; payload is the document's state vector as a varUint8Array.
   */
  durableAck: 100,
} as const;
export type MessageType = (typeof MESSAGE_TYPES)[keyof typeof MESSAGE_TYPES];

/** y-protocols sync sub-messages. */
export const SYNC_STEPS = { step1: 0, step2: 1, update: 2 } as const;

/** y-protocols auth sub-message. */
export const AUTH_PERMISSION_DENIED = 0;

/**
 * WebSocket close codes. 4400–4499 mirror HTTP 4xx and are terminal for the official y-websocket
 * client (it does not reconnect); 1001 and 1013 are transient.
 */
export const CLOSE_CODES = {
  /** The server is shutting down; reconnect later. */
  goingAway: 1001,
  /** A frame over the maximum frame size. */
  frameTooLarge: 1009,
  /** The server failed (e.g. storage); reconnect later. Nothing acknowledged is lost. */
  internalError: 1011,
  /** The connection fell too far behind (slow consumer); reconnect. */
  tryAgainLater: 1013,
  /** A frame that is not a well-formed message of this protocol. */
  malformed: 4400,
  /** The token expired or was revoked; reconnect with a fresh one. */
  unauthorized: 4401,
  /** Access to the document was withdrawn. */
  forbidden: 4403,
  /** An update or the document over its size limit. */
  tooLarge: 4413,
  /** Too many messages per second. */
  rateLimited: 4429,
} as const;
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** The subprotocol a browser offers (with `caucus-token.<token>`) to pass its token without a URL. */
export const SUBPROTOCOL = 'caucus.v1';
export const TOKEN_SUBPROTOCOL_PREFIX = 'caucus-token.';
