/**
 * A thread's decisions: the open ones from the workspace document (or the user's own catalog for
 * a private thread), those this client proposed (queued or settled), and those seen here before
 * (remembered, since a resolved decision leaves the open list). A form proposes a new one.
 */
import { createMemo, For, onCleanup, Show } from 'solid-js';
import { newId, type DecisionId } from '@caucus/schema';
import { useSession } from '../lib/context';
import { field } from '../lib/form';
import { mayI } from '../lib/policy';
import { fromDoc, fromObservable } from '../lib/signals';
import { DecisionCard } from './DecisionCard';

export function DecisionsPanel(props: { threadId: string; workspaceId: string }) {
  const session = useSession();
  const ws = session.client.workspace(props.workspaceId);
  const inbox = session.client.inbox(session.me.id);
  onCleanup(() => {
    ws.release();
    inbox.release();
  });
  const outbox = fromObservable(session.outbox);
  const open = fromDoc(ws, () => ws.decisions().filter((d) => d.threadId === props.threadId));
  const openPrivate = fromDoc(inbox, () =>
    inbox.privateDecisions().filter((d) => d.threadId === props.threadId),
  );
  const key = `caucus:thread-decisions:${props.threadId}`;

  const ids = createMemo(() => {
    const seen: string[] = JSON.parse(localStorage.getItem(key) ?? '[]') as string[];
    const all = new Set<string>(seen);
    for (const d of [...open(), ...openPrivate()]) all.add(d.id);
    const state = outbox();
    for (const entry of [...state.pending, ...state.settled]) {
      const intent = entry.intent;
      if (intent.type === 'decision.propose' && intent.args.threadId === props.threadId)
        all.add(intent.args.decisionId);
    }
    const list = [...all].sort();
    localStorage.setItem(key, JSON.stringify(list));
    return list;
  });

  const canPropose = () => {
    void outbox();
    void open();
    return mayI(session.outbox, session.me.id, 'decision.propose', {
      decisionId: newId(),
      threadId: props.threadId,
      title: 'x',
    });
  };

  const propose = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const title = field(form, 'title').trim();
    const approvals = Number(field(form, 'approvals') || 0);
    if (!title) return;
    session.outbox.submit('decision.propose', {
      decisionId: newId<DecisionId>(),
      threadId: props.threadId,
      title,
      ...(approvals > 0 ? { requiredApprovals: approvals } : {}),
    });
    form.reset();
  };

  return (
    <section aria-labelledby="decisions-h" class="decisions">
      <h2 id="decisions-h">Decisions</h2>
      <Show when={ids().length > 0} fallback={<p class="muted">No decisions in this thread yet.</p>}>
        <ul class="list">
          <For each={ids()}>{(id) => <DecisionCard decisionId={id} />}</For>
        </ul>
      </Show>
      <form class="row" onSubmit={propose} aria-label="Propose a decision">
        <label class="grow">
          Proposal
          <input name="title" required maxlength="500" disabled={!canPropose().allowed} />
        </label>
        <label>
          Approvals needed
          <input name="approvals" type="number" min="0" max="10" value="0" disabled={!canPropose().allowed} />
        </label>
        <button type="submit" disabled={!canPropose().allowed}>
          Propose
        </button>
      </form>
      <Show
        when={(() => {
          const p = canPropose();
          return p.allowed ? null : p.reason;
        })()}
      >
        {(reason) => <p class="reason">Proposing: {reason()}</p>}
      </Show>
    </section>
  );
}
