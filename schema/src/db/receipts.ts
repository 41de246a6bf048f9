/**
 * Signed verdict receipts (docs/RECEIPTS.md), stored with the intent they answer so that a retry
 * returns the very receipt the first answer carried. Append-only: a receipt is never re-signed.
 */
import { index, primaryKey, sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';
import type { IntentId } from '../ids.js';
import type { Receipt, ReceiptKind } from '../receipt.js';

export const receipts = sqliteTable(
  'receipts',
  {
    intentId: text('intent_id').$type<IntentId>().notNull(),
    /** `verdict` (the first answer) or `outcome` (how its checkpoint closed). */
    kind: text('kind').$type<ReceiptKind>().notNull(),
    /** The signing key (also inside the signed payload). */
    kid: text('kid').notNull(),
    /** The whole receipt `{ payload, signature }`, as sent. */
    receipt: text('receipt', { mode: 'json' }).$type<Receipt>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.intentId, t.kind] }), index('receipts_kid').on(t.kid)],
);
