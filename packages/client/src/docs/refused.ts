/**
 * A refused change: local edits of a document that the server would not accept (DESIGN §2,
 * "quarantine"). Kept — as a Yjs update and a summary people can read — until the user exports or
 * discards it; nothing refused is dropped silently.
 */
import type { RefusalCode } from '@caucus/schema';

export interface RefusedChange {
  id: string;
  /** The document name. */
  doc: string;
  /** When the server refused it (ms since the epoch). */
  at: number;
  /** The server's reason; `unknown` when it sent none we understand. */
  reason: { code: RefusalCode | 'unknown'; message: string };
  /** One line per change, e.g. `message "hello" added`, `body: 12 characters inserted`. */
  summary: string[];
  /** The refused edits as a Yjs update against the server's document at the time. */
  update: Uint8Array;
}

/** What `refused.export(id)` gives. */
export interface RefusedExport {
  doc: string;
  reason: RefusedChange['reason'];
  update: Uint8Array;
  summary: string[];
}
