/**
 * `/checkpoints/<id>`: an action waiting for approvals. Checkpoints are in no document, so this
 * screen asks the server (online only) and approves or rejects through the outbox.
 */
import { createResource, Show } from 'solid-js';
import { useSession } from '../lib/context';
import { fromObservable } from '../lib/signals';

export function CheckpointScreen(props: { checkpointId: string }) {
  const session = useSession();
  const outbox = fromObservable(session.outbox);
  const [checkpoint, { refetch }] = createResource(async () => {
    const res = await session.api.checkpoint(props.checkpointId);
    if (!res.ok)
      throw new Error(res.error.code === 'network' ? 'Checkpoints need the network.' : res.error.message);
    return res.value;
  });
  const queued = () =>
    outbox().pending.some(
      (p) => (p.intent.args as { checkpointId?: string }).checkpointId === props.checkpointId,
    );
  const decide = (type: 'checkpoint.approve' | 'checkpoint.reject') => {
    const s = session.outbox.submit(type, { checkpointId: props.checkpointId });
    void s.verdict.then(() => refetch());
  };
  return (
    <>
      <h1>Checkpoint</h1>
      <Show when={!checkpoint.loading} fallback={<p class="skeleton">Loading the checkpoint…</p>}>
        <Show
          when={!checkpoint.error && checkpoint()}
          fallback={
            <p class="error">{checkpoint.error instanceof Error ? checkpoint.error.message : 'Not found'}</p>
          }
        >
          {(c) => (
            <>
              <p>
                <strong>{c().action.type}</strong> on {c().target.kind} waits for approvals:{' '}
                {c().approvals.length}/{c().requiredApprovals} · status {c().status}
              </p>
              <div class="row">
                <button
                  type="button"
                  disabled={c().status !== 'pending' || queued()}
                  onClick={() => decide('checkpoint.approve')}
                >
                  Approve
                </button>
                <button
                  type="button"
                  disabled={c().status !== 'pending' || queued()}
                  onClick={() => decide('checkpoint.reject')}
                >
                  Reject
                </button>
              </div>
            </>
          )}
        </Show>
      </Show>
    </>
  );
}
