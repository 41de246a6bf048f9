/**
 * `@caucus/client/receipts`: offline verification of verdict receipts (docs/RECEIPTS.md). An entry
 * of its own, so the Ed25519 code and the receipt schema load only where receipts are checked
 * (the client imports it on demand), not in every page that syncs documents.
 */
export * from './receipts/verify.js';
export * from './receipts/keys.js';
