/**
 * Searching the read model's full-text indexes (their schema: storage/search-schema.ts): how a
 * user's text becomes an FTS5 query, and how the columns weigh in the ranking.
 */

/** Column weights for bm25 over `thread_fts` (title, intent, body) and over `message_fts`. */
export const FTS_WEIGHTS = { title: 10, intent: 4, body: 1, message: 2 } as const;

/** Most words of a search that are used; the rest are ignored. */
export const MAX_QUERY_TERMS = 12;

/** A word as the unicode61 tokenizer sees one: letters, digits and combining marks. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * A user's search text as an FTS5 query: every word must appear (in the same title, intent, body
 * or message), the last one also as a prefix (search as you type). Each word is quoted, so FTS5
 * syntax in the input (`AND`, `NEAR`, `*`, `"`, column filters) is just text. Null when the text
 * has no word at all.
 */
export function ftsQuery(text: string): string | null {
  const words = (text.match(WORD) ?? []).slice(0, MAX_QUERY_TERMS);
  if (words.length === 0) return null;
  return words.map((word, i) => `"${word}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}
