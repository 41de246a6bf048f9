/** Transaction origins every part of the client recognises. */

/** The origin of transactions that carry what the server sent (it has it: storing it can wait). */
export const SERVER_ORIGIN = Symbol('caucus-server');
