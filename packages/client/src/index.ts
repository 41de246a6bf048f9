export { decodeDurableAck, unsyncedCount } from './acks.js';
export * from './uploads/upload.js';
