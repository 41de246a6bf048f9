/**
 * A readable summary of a Yjs update against a document: what applying it would change, one line
 * per change (`message "hi" added`, `body: 12 characters inserted`). Used for refused changes, so
 * a person can tell what was kept aside without reading Yjs bytes.
 */
import * as Y from 'yjs';
import { THREAD_ROOTS } from '@caucus/schema';

/** Longest quoted text in a summary line. */
const QUOTE_CHARS = 40;

function quote(text: unknown): string {
  const s = typeof text === 'string' ? text : (JSON.stringify(text) ?? String(text));
  return `"${s.length > QUOTE_CHARS ? `${s.slice(0, QUOTE_CHARS - 1)}…` : s}"`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function textChange(root: string, delta: Array<{ insert?: unknown; delete?: number }>): string | null {
  let inserted = 0;
  let deleted = 0;
  for (const op of delta) {
    if (typeof op.insert === 'string') inserted += op.insert.length;
    else if (op.insert !== undefined) inserted += 1;
    deleted += op.delete ?? 0;
  }
  const parts = [
    inserted > 0 ? `${plural(inserted, 'character')} inserted` : '',
    deleted > 0 ? `${plural(deleted, 'character')} deleted` : '',
  ].filter(Boolean);
  return parts.length ? `${root}: ${parts.join(', ')}` : null;
}

function describeMessagesEvent(event: Y.YEvent<Y.AbstractType<unknown>>, lines: string[]): void {
  if (event.target instanceof Y.Array) {
    for (const op of event.changes.delta) {
      if (Array.isArray(op.insert))
        for (const item of op.insert as unknown[]) {
          const text = item instanceof Y.Map ? (item.get('text') as unknown) : item;
          lines.push(`message ${quote(text)} added`);
        }
      if (op.delete) lines.push(`${plural(op.delete, 'message')} deleted`);
    }
    return;
  }
  if (event.target instanceof Y.Map) {
    const id = event.target.get('id') as unknown;
    for (const [key, change] of event.changes.keys) {
      const now = event.target.get(key) as unknown;
      if (change.action === 'delete') lines.push(`message ${quote(id)}: ${key} removed`);
      else if (key === 'text') lines.push(`message ${quote(id)} edited to ${quote(now)}`);
      else lines.push(`message ${quote(id)}: ${key} set to ${quote(now)}`);
    }
  }
}

function describeMapEvent(root: string, event: Y.YEvent<Y.AbstractType<unknown>>, lines: string[]): void {
  if (!(event.target instanceof Y.Map)) return void lines.push(`${root} changed`);
  for (const [key, change] of event.changes.keys) {
    if (change.action === 'delete') lines.push(`${root}: ${key} removed`);
    else lines.push(`${root}: ${key} set to ${quote(event.target.get(key))}`);
  }
}

/**
 * What `update` would change in `base` (which is not modified). Lists nothing when the update
 * adds nothing `base` lacks.
 */
export function summarizeUpdate(base: Y.Doc, update: Uint8Array, kind: string): string[] {
  const probe = new Y.Doc({ gc: false });
  Y.applyUpdate(probe, Y.encodeStateAsUpdate(base));
  const lines: string[] = [];
  const known = new Set<string>();
  const watch = (root: string, type: Y.Map<unknown> | Y.Text | Y.Array<unknown>) => {
    known.add(root);
    type.observeDeep((events: Array<Y.YEvent<Y.AbstractType<unknown>>>) => {
      for (const event of events) {
        if (type instanceof Y.Text) {
          const line = textChange(root, event.delta as Array<{ insert?: unknown; delete?: number }>);
          if (line) lines.push(line);
        } else if (root === THREAD_ROOTS.messages) describeMessagesEvent(event, lines);
        else describeMapEvent(root, event, lines);
      }
    });
  };
  if (kind === 'thread') {
    watch(THREAD_ROOTS.meta, probe.getMap(THREAD_ROOTS.meta));
    watch(THREAD_ROOTS.body, probe.getText(THREAD_ROOTS.body));
    watch(THREAD_ROOTS.messages, probe.getArray(THREAD_ROOTS.messages));
    watch(THREAD_ROOTS.attachments, probe.getMap(THREAD_ROOTS.attachments));
  }
  const touched = new Set<string>();
  probe.on('afterTransaction', (tr: Y.Transaction) => {
    for (const [root, type] of probe.share)
      if (!known.has(root) && (tr.changed.has(type) || tr.changedParentTypes.has(type))) touched.add(root);
  });
  const stateBefore = Y.encodeStateVector(probe);
  Y.applyUpdate(probe, update);
  for (const root of touched)
    lines.push(kind === 'thread' ? `${root}: changed (not part of a thread document)` : `${root} changed`);
  if (lines.length === 0 && !sameStateVector(stateBefore, Y.encodeStateVector(probe)))
    lines.push('changes the document does not show (formatting or internal structure)');
  probe.destroy();
  return lines;
}

function sameStateVector(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
