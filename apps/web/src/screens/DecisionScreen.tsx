/** `/decisions/<id>`: one decision with its actions, and the way back to its thread. */
import { onCleanup, Show } from 'solid-js';
import { useSession } from '../lib/context';
import { fromDoc } from '../lib/signals';
import { DecisionCard } from '../ui/DecisionCard';

export function DecisionScreen(props: { decisionId: string }) {
  const session = useSession();
  const view = session.client.decision(props.decisionId);
  onCleanup(() => view.release());
  const fields = fromDoc(view, () => view.fields());
  return (
    <>
      <h1>Decision</h1>
      <Show when={fields()}>
        {(f) => (
          <p>
            In <a href={`/threads/${f().threadId}`}>its thread</a>.
          </p>
        )}
      </Show>
      <ul class="list">
        <DecisionCard decisionId={props.decisionId} />
      </ul>
    </>
  );
}
