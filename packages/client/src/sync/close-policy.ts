/**
 * What a subscription does after the server's `closed` for it (docs/PROTOCOL.md, close codes):
 * subscribe again after a pause, again on the next connection, again when a view opens the
 * document anew, or stay refused.
 */
import { MUX_CLOSE } from '@caucus/schema';

/** `closed` codes after which the document is subscribed again after a pause. */
export const TRANSIENT_CLOSE_CODES: ReadonlySet<number> = new Set([
  1001,
  MUX_CLOSE.internalError,
  1013,
  MUX_CLOSE.rateLimited,
]);
/** Refusals worth trying again on the next connection (a new token, room for more documents). */
export const RETRY_ON_RECONNECT: ReadonlySet<number> = new Set([
  MUX_CLOSE.unauthorized,
  MUX_CLOSE.tooManyDocuments,
]);
/**
 * Refusals that a new view of the document asks the server about again: a thread or decision made
 * by a queued intent is refused until the intent is accepted (`SyncSession.askAgain`).
 */
export const ASK_AGAIN_ON_OPEN: ReadonlySet<number> = new Set([MUX_CLOSE.notFound, MUX_CLOSE.forbidden]);
/** First pause before subscribing a document again after a transient `closed` (ms). */
export const RESUBSCRIBE_BASE_MS = 1000;
