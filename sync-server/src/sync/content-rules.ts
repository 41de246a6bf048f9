/**
 * Content rules of `thread:` documents (DESIGN §2), checked on a shadow copy of the document:
 * the update is applied to the shadow, the transaction's new and deleted items are inspected
 * before any observer runs, and only an update that passes is applied to the real document.
 *
 * Attribution: every Yjs clientID of a document is bound to the first user that wrote with it,
 * so the owner of any item is known from its id — also for items that were written earlier.
 */
import * as Y from 'yjs';
import { THREAD_ROOTS, CLIENT_THREAD_ROOTS, type Refusal } from '@caucus/schema';

export interface RuleContext {
  /** The user whose update is being checked (for deletions, which carry no clientID). */
  actor: string;
  /** clientID → user id, including the bindings this update makes. */
  owners: ReadonlyMap<number, string>;
  maxFieldChars: number;
}

/**
 * Deepest nesting of plain values (embeds, formats, map values) a document accepts. Yjs decodes
 * any depth but encodes JSON recursively: a value nested thousands deep would be accepted and then
 * overflow the stack whenever the document is encoded (sync, compaction, load).
 */
export const MAX_VALUE_DEPTH = 32;

/** True when `value` nests arrays/objects deeper than `max`; iterative, so any input is safe. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? (v as unknown[]) : Object.values(v))
      stack.push([child, depth + 1]);
  }
  return false;
}

function valuesOf(content: Y.Item['content']): unknown[] {
  if (content instanceof Y.ContentAny || content instanceof Y.ContentJSON) return content.getContent();
  if (content instanceof Y.ContentEmbed) return [content.embed];
  if (content instanceof Y.ContentFormat) return [content.value];
  return [];
}

/** `meta` keys and the longest value each may hold. */
const META_KEYS: ReadonlySet<string> = new Set(['title', 'intent']);

/** Creates the root types with their real constructors, so updates integrate into typed roots. */
export function defineThreadRoots(doc: Y.Doc): void {
  doc.getMap(THREAD_ROOTS.meta);
  doc.getText(THREAD_ROOTS.body);
  doc.getArray(THREAD_ROOTS.messages);
  doc.getMap(THREAD_ROOTS.attachments);
}

interface Location {
  root: string | null;
  /** The top-level item of `messages` this item is inside of (or is). */
  message: Y.Item | null;
}

function locate(item: Y.Item, rootNames: ReadonlyMap<object, string>): Location {
  let child = item;
  let parent = item.parent as Y.AbstractType<unknown> | null;
  while (parent !== null && parent._item !== null) {
    child = parent._item;
    parent = child.parent as Y.AbstractType<unknown> | null;
  }
  const root = parent === null ? null : (rootNames.get(parent) ?? null);
  return { root, message: root === THREAD_ROOTS.messages ? child : null };
}

function refuse(code: Refusal['code'], message: string): Refusal {
  return { code, message };
}

function plainValue(item: Y.Item): unknown {
  return item.content instanceof Y.ContentAny ? item.content.getContent()[0] : undefined;
}

function messageMap(message: Y.Item): Y.Map<unknown> | null {
  return message.content instanceof Y.ContentType && message.content.type instanceof Y.Map
    ? (message.content.type as Y.Map<unknown>)
    : null;
}

function checkNewItem(
  item: Y.Item,
  at: Location,
  ctx: RuleContext,
  newMessages: Set<Y.Item>,
): Refusal | null {
  const owner = ctx.owners.get(item.id.client);
  if (item.content instanceof Y.ContentDoc) return refuse('invalid-shape', 'subdocuments are not supported');
  if (valuesOf(item.content).some((v) => nestsDeeperThan(v, MAX_VALUE_DEPTH))) {
    return refuse('invalid-shape', `values may nest at most ${MAX_VALUE_DEPTH} levels deep`);
  }
  if (at.root === THREAD_ROOTS.attachments)
    return refuse('server-only', 'attachments are written by the server');
  if (at.root === null || !CLIENT_THREAD_ROOTS.has(at.root)) {
    return refuse('invalid-shape', `a thread document has no root "${at.root ?? '?'}"`);
  }
  const direct = item.parent !== null && (item.parent as Y.AbstractType<unknown>)._item === null;
  if (at.root === THREAD_ROOTS.meta && direct) {
    if (item.parentSub === null || !META_KEYS.has(item.parentSub)) {
      return refuse('invalid-shape', `meta holds only ${[...META_KEYS].join(', ')}`);
    }
    const value = plainValue(item);
    if (!item.deleted && typeof value !== 'string')
      return refuse('invalid-shape', `meta.${item.parentSub} must be a string`);
    if (typeof value === 'string' && value.length > ctx.maxFieldChars) {
      return refuse(
        'field-too-large',
        `meta.${item.parentSub} is longer than ${ctx.maxFieldChars} characters`,
      );
    }
    return null;
  }
  if (at.root === THREAD_ROOTS.body && direct && item.parentSub !== null) {
    return refuse('invalid-shape', 'body is a text');
  }
  if (at.message === null) return null;
  if (at.message === item) {
    if (item.parentSub !== null) return refuse('invalid-shape', 'messages is an array');
    if (!item.deleted && messageMap(item) === null) return refuse('invalid-shape', 'a message must be a map');
    newMessages.add(item);
    return null;
  }
  const messageOwner = ctx.owners.get(at.message.id.client);
  if (owner === undefined || owner !== messageOwner) {
    return refuse('not-message-author', 'only the author of a message may change it');
  }
  if (item.parentSub === 'author' && plainValue(item) !== messageOwner && !item.deleted) {
    return refuse('author-mismatch', "a message's author must be the user who writes it");
  }
  const value = plainValue(item);
  if (typeof value === 'string' && value.length > ctx.maxFieldChars) {
    return refuse('field-too-large', `a message field is longer than ${ctx.maxFieldChars} characters`);
  }
  return null;
}

function checkDeletedItem(item: Y.Item, at: Location, ctx: RuleContext): Refusal | null {
  if (at.root === THREAD_ROOTS.attachments)
    return refuse('server-only', 'attachments are written by the server');
  if (at.message !== null && ctx.owners.get(at.message.id.client) !== ctx.actor) {
    return refuse('not-message-author', 'only the author of a message may change or delete it');
  }
  return null;
}

/** Every item of `structs` overlapping [clock, clock + len), without splitting any. */
function* overlapping(structs: ReadonlyArray<Y.Item | Y.GC>, clock: number, len: number) {
  let i = Y.findIndexSS(structs as (Y.Item | Y.GC)[], clock);
  for (; i < structs.length; i++) {
    const struct = structs[i];
    if (struct === undefined || struct.id.clock >= clock + len) break;
    if (struct instanceof Y.Item) yield struct;
  }
}

/**
 * Checks one transaction on the shadow document. Call from the doc's `beforeObserverCalls`
 * event, where items are integrated but not yet merged or garbage-collected.
 */
export function checkThreadTransaction(doc: Y.Doc, tr: Y.Transaction, ctx: RuleContext): Refusal | null {
  const rootNames = new Map<object, string>();
  for (const [name, type] of doc.share) {
    rootNames.set(type, name);
    if (!CLIENT_THREAD_ROOTS.has(name) && name !== THREAD_ROOTS.attachments) {
      return refuse('invalid-shape', `a thread document has no root "${name}"`);
    }
  }
  const newMessages = new Set<Y.Item>();
  for (const [client, after] of tr.afterState) {
    const before = tr.beforeState.get(client) ?? 0;
    if (after <= before) continue;
    const structs = doc.store.clients.get(client) ?? [];
    for (const item of overlapping(structs, before, after - before)) {
      if (item.id.clock < before) continue;
      const refusal = checkNewItem(item, locate(item, rootNames), ctx, newMessages);
      if (refusal) return refusal;
    }
  }
  for (const message of newMessages) {
    if (message.deleted) continue;
    const author = messageMap(message)?.get('author');
    if (author !== ctx.owners.get(message.id.client)) {
      return refuse('author-mismatch', 'a new message must carry its author, the user who writes it');
    }
  }
  for (const [client, ranges] of tr.deleteSet.clients) {
    const structs = doc.store.clients.get(client) ?? [];
    for (const range of ranges) {
      for (const item of overlapping(structs, range.clock, range.len)) {
        const refusal = checkDeletedItem(item, locate(item, rootNames), ctx);
        if (refusal) return refusal;
      }
    }
  }
  return null;
}
