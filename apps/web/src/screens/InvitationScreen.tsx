/** `/invitations/<token>` (the link an invitation notification carries): look it up, accept or decline. */
import { createResource, createSignal, Show } from 'solid-js';
import { useSession } from '../lib/context';
import { navigate } from '../lib/router';

interface Lookup {
  workspace: { id: string; name: string };
  invitedBy: { name: string };
  role: string;
  email: string;
}

export function InvitationScreen(props: { token: string; onJoined: () => void }) {
  const session = useSession();
  const [error, setError] = createSignal<string | null>(null);
  // Tokens travel in bodies, never in URLs (the server's rule).
  const post = (path: string) =>
    fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: props.token }),
    });
  const [invitation] = createResource(async (): Promise<Lookup | null> => {
    const res = await post('/api/invitations/lookup').catch(() => null);
    if (!res) throw new Error('Invitations need the network: try again when online.');
    if (!res.ok) return null;
    return (await res.json()) as Lookup;
  });
  const accept = async () => {
    const token = await session.auth.token();
    const res = await fetch('/api/invitations/accept', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ token: props.token }),
    }).catch(() => null);
    if (!res?.ok) return setError(res ? `The server said ${res.status}.` : 'No network.');
    const joined = (await res.json()) as { workspaceId: string };
    props.onJoined();
    navigate(`/workspaces/${joined.workspaceId}`);
  };
  const decline = async () => {
    await post('/api/invitations/decline').catch(() => null);
    navigate('/');
  };
  return (
    <>
      <h1>Invitation</h1>
      <Show when={!invitation.loading} fallback={<p class="skeleton">Looking the invitation up…</p>}>
        <Show when={invitation()} fallback={<p>This invitation is no longer valid.</p>}>
          {(inv) => (
            <>
              <p>
                {inv().invitedBy.name} invites you to <strong>{inv().workspace.name}</strong> as {inv().role}.
              </p>
              <div class="row">
                <button type="button" onClick={() => void accept()}>
                  Accept
                </button>
                <button type="button" onClick={() => void decline()}>
                  Decline
                </button>
              </div>
            </>
          )}
        </Show>
      </Show>
      <Show when={error()}>
        <p class="error" role="alert">
          {error()}
        </p>
      </Show>
    </>
  );
}
