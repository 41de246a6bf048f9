export { decodeDurableAck, unsyncedCount } from './acks.js';
export * from './uploads/upload.js';
export * from './receipts/verify.js';
export * from './receipts/keys.js';
