/**
 * A workspace's open decisions, read from its `workspace:` catalog document (and the open
 * decisions of the user's private threads, from their inbox document), so the screen works
 * offline: grouped by how long they have been open (the policy's aging buckets, the ones the
 * dashboard counts), oldest first, each opening its decision screen — where approve, resolve,
 * defer and reopen are, as the policy allows them. Above them, the checkpoints awaiting the user:
 * the unread checkpoint notifications of their inbox.
 */
import { For, Show, onCleanup } from 'solid-js';
import {
  AGING_BUCKETS,
  agingBucket,
  type AgingBucket,
  type InboxNotification,
  type WorkspaceDecisionEntry,
} from '@caucus/schema';
import { useSession } from '../lib/context';
import { fromDoc } from '../lib/signals';

const HEADINGS: Record<AgingBucket, string> = {
  day: 'Open less than a day',
  week: 'Open less than a week',
  month: 'Open less than a month',
  older: 'Open a month or more',
};

const STATUS: Record<string, string> = { open: 'open', deferred: 'deferred' };

function approvals(d: WorkspaceDecisionEntry): string {
  return d.requiredApprovals > 0
    ? `${d.approvals} of ${d.requiredApprovals} approvals`
    : 'no approvals needed';
}

export function DecisionsScreen(props: { workspaceId: string }) {
  const session = useSession();
  const ws = session.client.workspace(props.workspaceId);
  const inbox = session.client.inbox(session.me.id);
  onCleanup(() => {
    ws.release();
    inbox.release();
  });
  const shared = fromDoc(ws, () => ws.decisions());
  const own = fromDoc(inbox, () =>
    inbox.privateDecisions().filter((d) => d.workspaceId === props.workspaceId),
  );
  const awaiting = fromDoc(inbox, (): InboxNotification[] =>
    inbox.unread().filter((n) => n.kind === 'checkpoint'),
  );

  const groups = () => {
    const now = Date.now();
    const byBucket = new Map<AgingBucket, WorkspaceDecisionEntry[]>();
    const seen = new Set<string>();
    for (const d of [...shared(), ...own()].sort((a, b) => a.openedAt - b.openedAt)) {
      if (seen.has(d.id)) continue;
      seen.add(d.id);
      const bucket = agingBucket(d.status, d.openedAt, now);
      if (bucket === null) continue;
      const list = byBucket.get(bucket) ?? [];
      list.push(d);
      byBucket.set(bucket, list);
    }
    return AGING_BUCKETS.map((bucket) => ({ bucket, decisions: byBucket.get(bucket) ?? [] })).filter(
      (g) => g.decisions.length > 0,
    );
  };

  return (
    <>
      <h1>Decisions</h1>
      <section aria-labelledby="awaiting-heading">
        <h2 id="awaiting-heading">Checkpoints awaiting you</h2>
        <Show when={awaiting().length > 0} fallback={<p>None right now.</p>}>
          <ul class="list" data-testid="awaiting-checkpoints">
            <For each={awaiting()}>
              {(n) => (
                <li>
                  <a href={n.link}>{n.title}</a>
                  <Show when={n.body}>
                    <p class="muted">{n.body}</p>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>
      <Show
        when={groups().length > 0}
        fallback={<p data-testid="no-open-decisions">No open decisions in this workspace.</p>}
      >
        <For each={groups()}>
          {(group) => (
            <section aria-labelledby={`aging-${group.bucket}`} data-testid={`aging-${group.bucket}`}>
              <h2 id={`aging-${group.bucket}`}>
                {HEADINGS[group.bucket]} ({group.decisions.length})
              </h2>
              <ul class="list">
                <For each={group.decisions}>
                  {(d) => (
                    <li data-testid="open-decision">
                      <a href={`/decisions/${d.id}`}>{d.title}</a>{' '}
                      <span class="muted">
                        {STATUS[d.status] ?? d.status}, {approvals(d)}
                        <Show when={d.pendingCheckpointId}>, a checkpoint is waiting</Show>
                      </span>
                    </li>
                  )}
                </For>
              </ul>
            </section>
          )}
        </For>
      </Show>
    </>
  );
}
