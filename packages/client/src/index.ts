export { decodeDurableAck, unsyncedCount } from './acks.js';
