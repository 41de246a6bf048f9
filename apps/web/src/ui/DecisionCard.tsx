/**
 * One decision: its state from the `decision:` document, with this client's queued intents
 * applied (shown as pending until the server rules), its last verdict, and the actions the
 * shared policy allows — the others disabled with the policy's reason beside them.
 */
import { createMemo, createSignal, For, onCleanup, Show } from 'solid-js';
import type { IntentType } from '@caucus/schema';
import { useSession } from '../lib/context';
import { mayI } from '../lib/policy';
import { acceptedCreate, Reopening, reopenWhenCreated } from '../lib/reopen';
import { fromDoc, fromObservable } from '../lib/signals';

const ACTIONS = [
  { type: 'decision.approve', label: 'Approve' },
  { type: 'decision.resolve', label: 'Resolve' },
  { type: 'decision.defer', label: 'Defer' },
  { type: 'decision.reopen', label: 'Reopen' },
] as const satisfies ReadonlyArray<{ type: IntentType; label: string }>;

/** A decision card that opens its document again once this client's proposal of it is accepted. */
export function DecisionCard(props: { decisionId: string }) {
  return <Reopening>{(reopen) => <Card decisionId={props.decisionId} reopen={reopen} />}</Reopening>;
}

function Card(props: { decisionId: string; reopen: () => void }) {
  const session = useSession();
  const view = session.client.decision(props.decisionId);
  onCleanup(() => view.release());
  const fields = fromDoc(view, () => view.fields());
  const outbox = fromObservable(session.outbox);
  const docStatus = fromObservable(view.status);
  reopenWhenCreated(
    `decision:${props.decisionId}`,
    () => docStatus(),
    outbox,
    (state) => acceptedCreate(state, 'decision.propose', 'decisionId', props.decisionId),
    () => props.reopen(),
  );
  const [outcome, setOutcome] = createSignal('');

  const mine = (intent: { type: string; args: unknown }) =>
    intent.type.startsWith('decision.') &&
    (intent.args as { decisionId?: string }).decisionId === props.decisionId;
  const queued = createMemo(() => outbox().pending.filter((p) => mine(p.intent)));
  const predicted = createMemo(() => outbox().optimistic.decision(props.decisionId as never));
  const lastVerdict = createMemo(() => {
    const settled = outbox().settled.filter((s) => mine(s.intent));
    return settled[settled.length - 1] ?? null;
  });
  const state = () => predicted() ?? fields();
  const argsFor = (type: (typeof ACTIONS)[number]['type']) =>
    type === 'decision.resolve'
      ? { decisionId: props.decisionId, outcome: outcome() || state()?.options[0] || 'x' }
      : { decisionId: props.decisionId };
  const permission = (type: (typeof ACTIONS)[number]['type']) => {
    void outbox();
    void fields();
    void outcome();
    return mayI(session.outbox, session.me.id, type, argsFor(type));
  };
  const act = (type: (typeof ACTIONS)[number]['type']) => {
    if (type === 'decision.resolve' && !outcome().trim()) return;
    session.outbox.submit(type, argsFor(type));
  };
  const inputId = `outcome-${props.decisionId}`;

  return (
    <li class="decision" data-testid="decision" data-status={state()?.status ?? 'unknown'}>
      <h3>{state()?.title ?? 'Decision (not synced yet)'}</h3>
      <p>
        Status: <strong data-testid="decision-status">{state()?.status ?? 'unknown'}</strong>
        <Show when={state()}>
          {(s) => (
            <>
              {' '}
              · approvals {s().approvals.length}/{s().requiredApprovals}
              <Show when={s().outcome}> · outcome: {s().outcome}</Show>
            </>
          )}
        </Show>
        <Show when={queued().length > 0}>
          <span class="tag" data-testid="decision-queued">
            {queued().length} queued
          </span>
        </Show>
      </p>
      <Show when={lastVerdict()}>
        {(v) => (
          <p class="verdict" data-testid="decision-verdict">
            Last verdict on {v().intent.type}: {v().verdict.status}
          </p>
        )}
      </Show>
      <div class="row">
        <label for={inputId}>Outcome</label>
        <Show
          when={(state()?.options.length ?? 0) > 0}
          fallback={
            <input id={inputId} value={outcome()} onInput={(e) => setOutcome(e.currentTarget.value)} />
          }
        >
          <select id={inputId} value={outcome()} onChange={(e) => setOutcome(e.currentTarget.value)}>
            <option value="">Choose…</option>
            <For each={state()?.options ?? []}>{(o) => <option value={o}>{o}</option>}</For>
          </select>
        </Show>
      </div>
      <div class="row actions">
        <For each={ACTIONS}>
          {(a) => {
            const reasonId = `${a.type}-${props.decisionId}-why`;
            return (
              <span class="action">
                <button
                  type="button"
                  disabled={!permission(a.type).allowed}
                  aria-describedby={permission(a.type).allowed ? undefined : reasonId}
                  onClick={() => act(a.type)}
                >
                  {a.label}
                </button>
                <Show
                  when={(() => {
                    const p = permission(a.type);
                    return p.allowed ? null : p.reason;
                  })()}
                >
                  {(reason) => (
                    <span id={reasonId} class="reason" data-testid="action-reason">
                      {reason()}
                    </span>
                  )}
                </Show>
              </span>
            );
          }}
        </For>
      </div>
    </li>
  );
}
