/**
 * The bytes the load generator speaks, built by hand so the generator stays light: y-websocket
 * frames (with Hocuspocus's document-name prefix when asked), Yjs updates that append text to a
 * `Y.Text` (byte-identical to what Yjs itself emits; the smoke test checks), and the latency
 * marker a writer puts in each update.
 */
import * as encoding from 'lib0/encoding';

/** y-protocols message types and sync steps. */
export const MSG_SYNC = 0;
export const MSG_AWARENESS = 1;
export const MSG_AUTH = 2;
export const STEP1 = 0;
export const STEP2 = 1;
export const STEP_UPDATE = 2;
/** Caucus's durable ack: type, then the document's state vector as a varUint8Array. */
export const MSG_DURABLE_ACK = 100;

/** Where sync frames go and how they are wrapped: y-websocket, or Hocuspocus's multiplexed dialect. */
export interface Dialect {
  readonly name: 'y-websocket' | 'hocuspocus';
  /** Bytes in front of every message (Hocuspocus: the document name as a varString). */
  prefix(doc: string): Uint8Array;
}

export const Y_WEBSOCKET: Dialect = { name: 'y-websocket', prefix: () => new Uint8Array(0) };

export const HOCUSPOCUS: Dialect = {
  name: 'hocuspocus',
  prefix: (doc) => {
    const e = encoding.createEncoder();
    encoding.writeVarString(e, doc);
    return encoding.toUint8Array(e);
  },
};

function message(prefix: Uint8Array, write: (e: encoding.Encoder) => void): Buffer {
  const e = encoding.createEncoder();
  encoding.writeUint8Array(e, prefix);
  write(e);
  const bytes = encoding.toUint8Array(e);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const syncStep1 = (prefix: Uint8Array, stateVector: Uint8Array = EMPTY_STATE_VECTOR): Buffer =>
  message(prefix, (e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    encoding.writeVarUint(e, STEP1);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const syncStep2 = (prefix: Uint8Array, update: Uint8Array): Buffer =>
  message(prefix, (e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    encoding.writeVarUint(e, STEP2);
    encoding.writeVarUint8Array(e, update);
  });

export const syncUpdate = (prefix: Uint8Array, update: Uint8Array): Buffer =>
  message(prefix, (e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    encoding.writeVarUint(e, STEP_UPDATE);
    encoding.writeVarUint8Array(e, update);
  });

/** Hocuspocus's first message on a document: Auth / Token with the token string. */
export const hocuspocusAuth = (prefix: Uint8Array, token: string): Buffer =>
  message(prefix, (e) => {
    encoding.writeVarUint(e, MSG_AUTH);
    encoding.writeVarUint(e, 0);
    encoding.writeVarString(e, token);
  });

/** An empty state vector: "send me everything". */
export const EMPTY_STATE_VECTOR = new Uint8Array([0]);

/** The root text writers type into (the `body` of a thread document). */
export const TEXT_ROOT = 'body';

/**
 * A Yjs v1 update inserting `text` into the root `Y.Text` `root`, written by `client` at `clock`,
 * right after the client's own previous character (or at the start when `clock` is 0): one Item
 * with ContentString, an empty delete set. This is what `Y.Text#insert` at the end of a text the
 * client wrote alone produces, minus the cost of a Y.Doc per writer.
 */
export function appendUpdate(client: number, clock: number, text: string, root = TEXT_ROOT): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1); // one client
  encoding.writeVarUint(e, 1); // one struct
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, clock);
  if (clock === 0) {
    encoding.writeUint8(e, 4); // ContentString, no origins: parent follows
    encoding.writeVarUint(e, 1); // parent is a root type, by key
    encoding.writeVarString(e, root);
  } else {
    encoding.writeUint8(e, 4 | 0x80); // ContentString with a left origin
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock - 1);
  }
  encoding.writeVarString(e, text);
  encoding.writeVarUint(e, 0); // empty delete set
  return encoding.toUint8Array(e);
}

/**
 * Latency markers: `⟦run.writer.seq.sentMicros⟧` in base 36. Inserted as text, they survive any
 * merging a server does (Yjs keeps a string's UTF-8 bytes contiguous when it merges updates or
 * encodes a state), so a receiver finds every update in a message by scanning its bytes.
 */
const OPEN = Buffer.from('⟦');
const CLOSE = Buffer.from('⟧');

export function marker(run: number, writer: number, seq: number, sentMicros: number): string {
  return `⟦${run.toString(36)}.${writer.toString(36)}.${seq.toString(36)}.${Math.round(sentMicros).toString(36)}⟧`;
}

export interface Mark {
  run: number;
  writer: number;
  seq: number;
  sentMicros: number;
}

/** Calls `found` for every well-formed marker in `bytes` (from `start`). */
export function scanMarkers(bytes: Buffer, found: (mark: Mark) => void, start = 0): void {
  let at = bytes.indexOf(OPEN, start);
  while (at >= 0) {
    const end = bytes.indexOf(CLOSE, at + OPEN.length);
    if (end < 0) return;
    const mark = parseMark(bytes, at + OPEN.length, end);
    if (mark) found(mark);
    at = bytes.indexOf(OPEN, end + CLOSE.length);
  }
}

function parseMark(bytes: Buffer, from: number, to: number): Mark | null {
  const fields = [0, 0, 0, 0];
  let field = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = bytes[i] as number;
    let d: number;
    if (c === 0x2e) {
      if (digits === 0 || ++field > 3) return null;
      digits = 0;
      continue;
    } else if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x7a) d = c - 0x61 + 10;
    else return null;
    fields[field] = (fields[field] as number) * 36 + d;
    digits++;
  }
  if (field !== 3 || digits === 0) return null;
  const [run, writer, seq, sentMicros] = fields as [number, number, number, number];
  return { run, writer, seq, sentMicros };
}

/** Microseconds on the generator's monotonic clock. */
export const nowMicros = (): number => performance.now() * 1000;
