/**
 * One thread: its title, the collaborative body editor (CodeMirror, loaded now), who is here,
 * messages with @mentions, and the thread's decisions. Read-only for viewers: the server's access
 * when connected, the workspace role from the catalog document before that (offline).
 */
import { createEffect, createMemo, createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { useSession } from '../lib/context';
import { acceptedCreate, reopenWhenCreated } from '../lib/reopen';
import { fromDoc, fromObservable } from '../lib/signals';
import { threadWorkspace } from '../lib/thread-workspace';
import type { Workspaces } from '../lib/workspaces';
import { Attachments } from '../ui/Attachments';
import { Composer, MessageText } from '../ui/Messages';
import { DecisionsPanel } from '../ui/DecisionsPanel';
import { peersOf, Presence, seenBy, trackAway } from '../ui/Presence';

export function ThreadScreen(props: { threadId: string; workspaces: Workspaces; reopen: () => void }) {
  const session = useSession();
  const thread = session.client.thread(props.threadId);
  const handle = session.client.open(`thread:${props.threadId}`);
  onCleanup(() => {
    thread.release();
    handle.release();
  });
  const [workspaceId] = createResource(
    async () => (await threadWorkspace(session, props.threadId)) ?? props.workspaces.current(),
  );
  const ws = createMemo(() => {
    const id = workspaceId();
    if (!id) return null;
    const view = session.client.workspace(id);
    onCleanup(() => view.release());
    return view;
  });
  const members = createMemo(() => {
    const view = ws();
    return view ? fromDoc(view, () => view.members()) : () => [];
  });
  const docStatus = fromObservable(thread.status);
  const outbox = fromObservable(session.outbox);
  const meta = fromDoc(thread, () => thread.meta());
  const messages = fromDoc(thread, () => thread.messages());
  const files = fromDoc(thread, () => thread.attachments());
  reopenWhenCreated(
    `thread:${props.threadId}`,
    () => docStatus(),
    outbox,
    (state) => acceptedCreate(state, 'thread.create', 'threadId', props.threadId),
    () => props.reopen(),
  );
  const [loaded, setLoaded] = createSignal(false);
  void thread.whenLoaded.then(() => setLoaded(true));

  const role = () => members()().find((m) => m.userId === session.me.id)?.role ?? null;
  // Memos: the status changes on every keystroke (unsynced), the editor only remounts when these do.
  const readOnly = createMemo(() => {
    const access = docStatus().access;
    if (access) return access === 'read';
    return role() === 'viewer';
  });
  const generation = createMemo(() => docStatus().generation);
  /** The title this client gave the thread (its create, queued or settled) until the document has it. */
  const pendingTitle = () => {
    const state = outbox();
    for (const p of [...state.pending, ...state.settled]) {
      const intent = p.intent;
      if (intent.type === 'thread.create' && intent.args.threadId === props.threadId)
        return intent.args.title;
    }
    return null;
  };
  const title = () => meta().title || pendingTitle() || (loaded() ? 'Untitled thread' : 'Loading…');
  const names = createMemo(() => new Map(members()().map((m) => [m.userId as string, m.name])));

  // Here while the screen is: the document may stay open after it (a leading tab holds it for its
  // other tabs), so leaving clears this tab's presence and cursor rather than leaving them behind.
  handle.awareness.setLocalState({
    ...(handle.awareness.getLocalState() ?? {}),
    user: { id: session.me.id, name: session.me.name },
  });
  onCleanup(() => handle.awareness.setLocalState(null));
  const peers = peersOf(handle.awareness, session.me.id);
  trackAway(handle.awareness);
  // Read receipts: how far this user has read, while the messages are on a visible screen.
  const markSeen = () => {
    if (document.hidden) return;
    const newest = Math.max(0, ...messages().map((m) => m.at));
    const local = handle.awareness.getLocalState() as { seen?: number } | null;
    if (newest > (local?.seen ?? 0)) handle.awareness.setLocalStateField('seen', newest);
  };
  createEffect(markSeen);
  document.addEventListener('visibilitychange', markSeen);
  onCleanup(() => document.removeEventListener('visibilitychange', markSeen));
  const receipts = createMemo(() => seenBy(peers(), messages()));

  let host: HTMLDivElement | undefined;
  createEffect(() => {
    const ro = readOnly();
    void generation();
    if (!loaded() || !host) return;
    let destroy: (() => void) | null = null;
    let cancelled = false;
    void import('../editor/editor').then(({ mountEditor }) => {
      if (cancelled || !host) return;
      destroy = mountEditor(host, {
        ytext: handle.doc.getText('body'),
        awareness: handle.awareness,
        readOnly: ro,
        label: 'Thread notes',
      });
    });
    onCleanup(() => {
      cancelled = true;
      destroy?.();
    });
  });

  return (
    <article class="thread">
      <h1>{title()}</h1>
      <Show when={docStatus().denied}>
        <p class="error" role="alert">
          You cannot open this thread: {docStatus().denied?.reason ?? 'access denied'}.
        </p>
      </Show>
      <Presence peers={peers} />
      <Show when={readOnly()}>
        <p class="reason" data-testid="read-only">
          Read-only: viewers can read this thread but not change it.
        </p>
      </Show>
      <section aria-labelledby="notes-h">
        <h2 id="notes-h">Notes</h2>
        <div ref={host} class="editor" data-testid="editor" data-readonly={readOnly() ? 'true' : 'false'}>
          <Show when={!loaded()}>
            <p class="skeleton">Loading notes…</p>
          </Show>
        </div>
      </section>
      <section aria-labelledby="messages-h">
        <h2 id="messages-h">Messages</h2>
        <Show when={messages().length > 0} fallback={<p class="muted">No messages yet.</p>}>
          <ol class="messages">
            <For each={messages()}>
              {(m, i) => (
                <li>
                  <strong>{names().get(m.author) ?? 'Someone'}</strong>{' '}
                  <time dateTime={new Date(m.at).toISOString()}>{new Date(m.at).toLocaleString()}</time>
                  <p>
                    <MessageText text={m.text} names={names()} />
                  </p>
                  <Show when={receipts().get(i())}>
                    {(who) => (
                      <p class="muted seen" data-testid="seen-by">
                        Seen by {who().join(', ')}
                      </p>
                    )}
                  </Show>
                </li>
              )}
            </For>
          </ol>
        </Show>
        <Show when={!readOnly()}>
          <Composer members={members()()} onSend={(text) => thread.post(text)} awareness={handle.awareness} />
        </Show>
      </section>
      <Attachments threadId={props.threadId} files={files()} readOnly={readOnly()} />
      <Show when={workspaceId()}>
        {(id) => <DecisionsPanel threadId={props.threadId} workspaceId={id()} />}
      </Show>
    </article>
  );
}
