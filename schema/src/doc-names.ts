import { ID_PATTERN, type DecisionId, type ThreadId, type UserId, type WorkspaceId } from './ids.js';

/** The four kinds of document Caucus syncs; the prefix before `:` in a document name. */
export const DOC_KINDS = ['thread', 'decision', 'inbox', 'workspace'] as const;
export type DocKind = (typeof DOC_KINDS)[number];

export type DocRef =
  | { readonly kind: 'thread'; readonly id: ThreadId }
  | { readonly kind: 'decision'; readonly id: DecisionId }
  | { readonly kind: 'inbox'; readonly id: UserId }
  | { readonly kind: 'workspace'; readonly id: WorkspaceId };

/** A document name such as `thread:0192…`; only produced by {@link parseDocName} or {@link docName}. */
export type DocName = string & { readonly __docName: true };

/** Documents clients may write (subject to role and content rules); the others are server-only. */
export const CLIENT_WRITABLE_KINDS: ReadonlySet<DocKind> = new Set(['thread']);

export function parseDocName(name: string): DocRef | null {
  const colon = name.indexOf(':');
  if (colon < 0) return null;
  const kind = name.slice(0, colon);
  const id = name.slice(colon + 1);
  if (!(DOC_KINDS as readonly string[]).includes(kind) || !ID_PATTERN.test(id)) return null;
  return { kind, id } as DocRef;
}

export function docName(ref: DocRef): DocName {
  return `${ref.kind}:${ref.id}` as DocName;
}

export const threadDoc = (id: ThreadId): DocName => docName({ kind: 'thread', id });
export const decisionDoc = (id: DecisionId): DocName => docName({ kind: 'decision', id });
export const inboxDoc = (id: UserId): DocName => docName({ kind: 'inbox', id });
export const workspaceDoc = (id: WorkspaceId): DocName => docName({ kind: 'workspace', id });
