export * from './ids.js';
export * from './doc-names.js';
export * from './roles.js';
export * from './docs.js';
export * from './errors.js';
export * from './protocol.js';
export * as tables from './db/tables.js';
export type { ThreadStatus } from './db/tables.js';
export { THREAD_STATUSES } from './db/tables.js';
