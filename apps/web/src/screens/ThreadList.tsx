/**
 * A workspace's threads from its `workspace:` catalog document (offline too), with the threads
 * this client queued but the server has not made yet shown as pending; private threads from the
 * user's own catalog; full-text search when online; a form to start a thread (an intent, so it
 * works offline and links at once).
 */
import { createMemo, createSignal, For, onCleanup, Show } from 'solid-js';
import type { ThreadSummary } from '@caucus/client';
import { newId, type ThreadId } from '@caucus/schema';
import { useSession } from '../lib/context';
import { field } from '../lib/form';
import { mayI } from '../lib/policy';
import { rememberThreadWorkspace } from '../lib/thread-workspace';
import { navigate } from '../lib/router';
import { fromDoc, fromObservable } from '../lib/signals';
import { OfflineThreads } from '../ui/OfflineThreads';

interface Row {
  id: string;
  title: string;
  updatedAt: number;
  preview: string;
  pending: boolean;
  private: boolean;
}

export function ThreadList(props: { workspaceId: string }) {
  const session = useSession();
  const ws = session.client.workspace(props.workspaceId);
  const inbox = session.client.inbox(session.me.id);
  onCleanup(() => {
    ws.release();
    inbox.release();
  });
  const outbox = fromObservable(session.outbox);
  const catalog = fromDoc(ws, () => ws.threads());
  const privateThreads = fromDoc(inbox, () =>
    inbox.privateThreads().filter((t) => t.workspaceId === props.workspaceId),
  );
  const [loaded, setLoaded] = createSignal(false);
  void ws.whenLoaded.then(() => setLoaded(true));
  const [results, setResults] = createSignal<ThreadSummary[] | null>(null);
  const [searchError, setSearchError] = createSignal<string | null>(null);

  const unstableRows = (): Row[] => {
    const known = new Set<string>();
    const list: Row[] = [];
    for (const t of [...catalog(), ...privateThreads()]) {
      if (known.has(t.id)) continue;
      known.add(t.id);
      list.push({
        id: t.id,
        title: t.title,
        updatedAt: t.updatedAt,
        preview: t.lastMessage?.text ?? '',
        pending: false,
        private: 'members' in t,
      });
    }
    for (const p of outbox().pending) {
      const intent = p.intent;
      if (intent.type !== 'thread.create') continue;
      const args = intent.args;
      if (args.workspaceId !== props.workspaceId || known.has(args.threadId)) continue;
      list.push({
        id: args.threadId,
        title: args.title,
        updatedAt: p.queuedAt,
        preview: '',
        pending: true,
        private: args.visibility === 'private',
      });
    }
    return list.sort((a, b) => b.updatedAt - a.updatedAt);
  };

  // A row keeps its identity while unchanged, so <For> keeps its DOM. The list is computed again
  // on every change of the outbox, which the client's status refreshes many times while a
  // workspace opens (background sync subscribing its threads): new objects each time made <For>
  // rebuild all 1,000 rows of a big workspace each time.
  let previous = new Map<string, Row>();
  const same = (a: Row, b: Row) =>
    a.title === b.title &&
    a.updatedAt === b.updatedAt &&
    a.preview === b.preview &&
    a.pending === b.pending &&
    a.private === b.private;
  const rows = createMemo<Row[]>(
    () => {
      const list = unstableRows().map((row) => {
        const old = previous.get(row.id);
        return old && same(old, row) ? old : row;
      });
      previous = new Map(list.map((row) => [row.id, row]));
      return list;
    },
    [],
    { equals: (a, b) => a.length === b.length && a.every((row, i) => row === b[i]) },
  );

  const canCreate = createMemo(() => {
    void outbox();
    void catalog();
    return mayI(session.outbox, session.me.id, 'thread.create', {
      threadId: newId(),
      workspaceId: props.workspaceId,
      title: 'x',
    });
  });

  const create = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const title = field(form, 'title').trim();
    if (!title) return;
    const threadId = newId<ThreadId>();
    session.outbox.submit('thread.create', { threadId, workspaceId: props.workspaceId, title });
    rememberThreadWorkspace(threadId, props.workspaceId);
    form.reset();
    navigate(`/threads/${threadId}`);
  };

  const search = async (event: SubmitEvent) => {
    event.preventDefault();
    const q = field(event.currentTarget as HTMLFormElement, 'q').trim();
    if (!q) return setResults(null);
    const res = await session.api.threads({ workspaceId: props.workspaceId, q });
    if (res.ok) {
      setSearchError(null);
      setResults(res.value.threads);
    } else
      setSearchError(
        res.error.code === 'network'
          ? 'Search needs the network; the list below works offline.'
          : res.error.message,
      );
  };

  return (
    <>
      <h1>Threads</h1>
      <form class="row" onSubmit={create} aria-label="New thread">
        <label class="grow">
          <span class="visually-hidden">New thread title</span>
          <input
            name="title"
            placeholder="New thread title"
            required
            maxlength="500"
            disabled={!canCreate().allowed}
          />
        </label>
        <button type="submit" disabled={!canCreate().allowed}>
          Start thread
        </button>
      </form>
      <Show
        when={(() => {
          const p = canCreate();
          return p.allowed ? null : p.reason;
        })()}
      >
        {(reason) => <p class="reason">{reason()}</p>}
      </Show>
      <form class="row" role="search" onSubmit={(e) => void search(e)}>
        <label class="grow">
          <span class="visually-hidden">Search threads</span>
          <input name="q" type="search" placeholder="Search titles, notes and messages" />
        </label>
        <button type="submit">Search</button>
      </form>
      <Show when={searchError()}>
        <p class="warning">{searchError()}</p>
      </Show>
      <Show when={results()}>
        {(found) => (
          <section aria-label="Search results">
            <h2>
              {found().length} result(s){' '}
              <button type="button" class="link" onClick={() => setResults(null)}>
                Clear
              </button>
            </h2>
            <ul class="list">
              <For each={found()}>
                {(t) => (
                  <li>
                    <a href={`/threads/${t.id}`}>{t.title}</a>
                  </li>
                )}
              </For>
            </ul>
          </section>
        )}
      </Show>
      <Show when={loaded() || rows().length > 0} fallback={<p class="skeleton">Loading threads…</p>}>
        <Show when={rows().length > 0} fallback={<p>No threads yet. Start one above.</p>}>
          <ul class="list" aria-label="Threads" data-testid="thread-list">
            <For each={rows()}>
              {(t) => (
                <li>
                  <a
                    href={`/threads/${t.id}`}
                    onClick={() => rememberThreadWorkspace(t.id, props.workspaceId)}
                  >
                    {t.title}
                  </a>
                  <Show when={t.pending}>
                    <span class="tag">pending</span>
                  </Show>
                  <Show when={t.private}>
                    <span class="tag">private</span>
                  </Show>
                  <Show when={t.preview}>
                    <p class="muted">{t.preview}</p>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
      <OfflineThreads />
    </>
  );
}
