/**
 * Members and roles from the `workspace:` document (offline too), with this client's queued role
 * changes applied. Owners invite, change roles and remove; every control asks the shared policy
 * and is disabled with its reason when the policy says no.
 */
import { For, onCleanup, Show } from 'solid-js';
import { ROLES, type Role } from '@caucus/schema';
import { useSession } from '../lib/context';
import { field } from '../lib/form';
import { mayI } from '../lib/policy';
import { fromDoc, fromObservable } from '../lib/signals';

export function MembersScreen(props: { workspaceId: string }) {
  const session = useSession();
  const ws = session.client.workspace(props.workspaceId);
  onCleanup(() => ws.release());
  const outbox = fromObservable(session.outbox);
  const docMembers = fromDoc(ws, () => ws.members());
  const members = () => {
    void outbox();
    const predicted = session.outbox.current.optimistic.members(props.workspaceId as never);
    const names = new Map(docMembers().map((m) => [m.userId as string, m.name]));
    return (predicted ?? docMembers()).map((m) => ({
      userId: m.userId,
      role: m.role,
      name: names.get(m.userId) ?? 'Someone',
    }));
  };
  const may = (type: 'member.invite' | 'member.setRole' | 'member.remove', args: Record<string, unknown>) => {
    void outbox();
    void docMembers();
    return mayI(session.outbox, session.me.id, type, { workspaceId: props.workspaceId, ...args });
  };
  const invitePermission = () => may('member.invite', { email: 'someone@example.com', role: 'editor' });

  const invite = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    session.outbox.submit('member.invite', {
      workspaceId: props.workspaceId,
      email: field(form, 'email'),
      role: (field(form, 'role') || 'editor') as Role,
    });
    form.reset();
  };

  return (
    <>
      <h1>Members</h1>
      <table class="members">
        <caption class="visually-hidden">Members and their roles</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          <For each={members()}>
            {(m) => {
              const setRole = (role: Role) => may('member.setRole', { userId: m.userId, role });
              const remove = () => may('member.remove', { userId: m.userId });
              return (
                <tr>
                  <td>
                    {m.name}
                    {m.userId === session.me.id ? ' (you)' : ''}
                  </td>
                  <td>
                    <label>
                      <span class="visually-hidden">Role of {m.name}</span>
                      <select
                        value={m.role}
                        disabled={!ROLES.some((r) => r !== m.role && setRole(r).allowed)}
                        onChange={(e) =>
                          session.outbox.submit('member.setRole', {
                            workspaceId: props.workspaceId,
                            userId: m.userId,
                            role: e.currentTarget.value as Role,
                          })
                        }
                      >
                        <For each={ROLES}>{(r) => <option value={r}>{r}</option>}</For>
                      </select>
                    </label>
                  </td>
                  <td>
                    <button
                      type="button"
                      disabled={!remove().allowed}
                      title={(() => {
                        const p = remove();
                        return p.allowed ? undefined : p.reason;
                      })()}
                      onClick={() =>
                        session.outbox.submit('member.remove', {
                          workspaceId: props.workspaceId,
                          userId: m.userId,
                        })
                      }
                    >
                      {m.userId === session.me.id ? 'Leave' : `Remove ${m.name}`}
                    </button>
                  </td>
                </tr>
              );
            }}
          </For>
        </tbody>
      </table>
      <h2>Invite someone</h2>
      <form class="row" onSubmit={invite}>
        <label class="grow">
          Email
          <input name="email" type="email" required disabled={!invitePermission().allowed} />
        </label>
        <label for="invite-role">Role</label>
        <select id="invite-role" name="role" disabled={!invitePermission().allowed}>
          <For each={ROLES}>
            {(r) => (
              <option value={r} selected={r === 'editor'}>
                {r}
              </option>
            )}
          </For>
        </select>
        <button type="submit" disabled={!invitePermission().allowed}>
          Invite
        </button>
      </form>
      <Show
        when={(() => {
          const p = invitePermission();
          return p.allowed ? null : p.reason;
        })()}
      >
        {(reason) => <p class="reason">Inviting: {reason()}</p>}
      </Show>
    </>
  );
}
