/**
 * `caucus watch <doc>…`: prints each change to the named documents as it arrives, one line each
 * (`--json`: one JSON object a line) — new and edited messages, note edits, titles, attachments,
 * notifications, decision changes, catalog entries — until interrupted.
 */
import * as Y from 'yjs';
import type { Command } from 'commander';
import {
  CATALOG_THREADS_ROOT,
  DECISION_ROOTS,
  INBOX_ROOTS,
  parseDocName,
  THREAD_ROOTS,
  WORKSPACE_ROOTS,
  type DocName,
} from '@caucus/schema';
import type { DocHandle } from '@caucus/client';
import type { Context } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { ContextOf } from '../program.js';
import { connected } from '../settle.js';

export interface Change {
  doc: string;
  /** Which part changed: a root of the document (`messages`, `body`, `notifications`, …). */
  part: string;
  action: 'added' | 'updated' | 'deleted' | 'edited';
  key?: string;
  value?: unknown;
}

function describe(change: Change): string {
  const value = change.value as { author?: unknown; text?: unknown; title?: unknown } | undefined;
  if (change.part === 'messages' && value && typeof value.text === 'string') {
    return `${change.doc} message ${change.action} by ${String(value.author)}: ${value.text}`;
  }
  if (change.part === 'body') return `${change.doc} notes edited`;
  const what =
    value && typeof value.title === 'string'
      ? `: ${value.title}`
      : value !== undefined && typeof value !== 'object'
        ? `: ${String(value)}`
        : '';
  return `${change.doc} ${change.part}${change.key ? ` ${change.key}` : ''} ${change.action}${what}`;
}

function plain(value: unknown): unknown {
  return value instanceof Y.AbstractType ? (value.toJSON() as unknown) : value;
}

/** Turns the document's deep changes into one {@link Change} per entry. */
function changesOf(doc: string, events: ReadonlyArray<Y.YEvent<Y.AbstractType<unknown>>>): Change[] {
  const out: Change[] = [];
  for (const event of events) {
    let root: Y.AbstractType<unknown> = event.target;
    while (root._item?.parent instanceof Y.AbstractType) root = root._item.parent as Y.AbstractType<unknown>;
    const part = [...root.doc!.share.entries()].find(([, type]) => type === root)?.[0] ?? '?';
    if (event.target instanceof Y.Text) {
      out.push({ doc, part, action: 'edited' });
    } else if (event.target instanceof Y.Array) {
      for (const item of event.changes.added)
        for (const v of item.content.getContent()) out.push({ doc, part, action: 'added', value: plain(v) });
      if (event.changes.deleted.size > 0) out.push({ doc, part, action: 'deleted' });
    } else if (event.target instanceof Y.Map) {
      const map = event.target as Y.Map<unknown>;
      for (const [key, change] of event.changes.keys) {
        const action = change.action === 'add' ? 'added' : change.action === 'delete' ? 'deleted' : 'updated';
        // A key changed inside a message map is an update of that message.
        if (map !== root && part === 'messages')
          out.push({ doc, part, action: 'updated', value: map.toJSON() });
        else
          out.push({
            doc,
            part,
            action,
            key,
            ...(action !== 'deleted' ? { value: plain(map.get(key)) } : {}),
          });
      }
    }
  }
  return out;
}

/** The roots of each kind of document (DESIGN §2), defined with their types so they can be observed. */
type Root = Pick<Y.Map<unknown>, 'observeDeep'>;

function rootsOf(name: string, doc: Y.Doc): Root[] {
  const roots: Root[] = [];
  const add = (type: Root) => roots.push(type);
  switch (parseDocName(name)?.kind) {
    case 'thread':
      add(doc.getMap(THREAD_ROOTS.meta));
      add(doc.getText(THREAD_ROOTS.body));
      add(doc.getArray(THREAD_ROOTS.messages));
      add(doc.getMap(THREAD_ROOTS.attachments));
      break;
    case 'decision':
      add(doc.getMap(DECISION_ROOTS.decision));
      add(doc.getArray(DECISION_ROOTS.history));
      break;
    case 'inbox':
      add(doc.getMap(INBOX_ROOTS.notifications));
      add(doc.getMap(INBOX_ROOTS.prefs));
      break;
    case 'workspace':
      add(doc.getMap(CATALOG_THREADS_ROOT));
      add(doc.getMap(WORKSPACE_ROOTS.members));
      add(doc.getMap(WORKSPACE_ROOTS.decisions));
      break;
    case undefined:
      break;
  }
  return roots;
}

/** Opens `names` and calls `print` for every change until the process is interrupted. */
export async function watchDocs(
  ctx: Context,
  names: readonly string[],
  print: (change: Change) => void,
): Promise<void> {
  for (const name of names) {
    if (!parseDocName(name))
      throw new CliError(
        'usage',
        `not a document name: ${name} (thread:<id>, decision:<id>, inbox:<userId>, workspace:<id>)`,
        EXIT.usage,
      );
  }
  const client = await ctx.client();
  const handles: DocHandle[] = names.map((name) => client.open(name as DocName));
  await Promise.all(handles.map((h) => h.whenLoaded));
  const online = (await connected(client)) === 'online';
  if (online) await Promise.all(handles.map((h) => h.whenSynced));
  const watched = new WeakSet<Y.Doc>();
  const observe = (handle: DocHandle, doc: Y.Doc) => {
    if (watched.has(doc)) return;
    watched.add(doc);
    // Remote changes only: what this process itself loaded or wrote is not news.
    const listener: Parameters<Root['observeDeep']>[0] = (events, tx) => {
      if (!tx.local)
        for (const change of changesOf(handle.name, events as Array<Y.YEvent<Y.AbstractType<unknown>>>))
          print(change);
    };
    for (const type of rootsOf(handle.name, doc)) type.observeDeep(listener);
  };
  for (const handle of handles) {
    observe(handle, handle.doc);
    // After a refused change the document is replaced by the server's copy: watch that one.
    handle.onChange((doc) => observe(handle, doc));
  }
  ctx.out.note(
    online
      ? `watching ${names.join(', ')}`
      : `offline: watching ${names.join(', ')} from the state dir; changes print once connected`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  for (const handle of handles) handle.release();
}

export function addWatchCommand(program: Command, contextOf: ContextOf): void {
  program
    .command('watch <docs...>')
    .description('print changes to documents as they arrive, one line each (thread:<id>, inbox:<userId>, …)')
    .action(async (names: string[], _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      await watchDocs(ctx, names, (change) => ctx.out.result(change, () => describe(change)));
    });
}
