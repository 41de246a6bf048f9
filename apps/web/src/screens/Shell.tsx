/**
 * The signed-in frame: system notice banners, the header (workspace switcher, navigation, inbox
 * badge), the always-visible sync status with its "Needs attention" tray, toasts, and the screen
 * the path names.
 */
import { createEffect, For, Match, onCleanup, Show, Switch, type JSX } from 'solid-js';
import { useSession } from '../lib/context';
import { navigate, route } from '../lib/router';
import { startBackgroundSync } from '../lib/background-sync';
import { Reopening } from '../lib/reopen';
import { signOut } from '../lib/session';
import { fromDoc, fromObservable } from '../lib/signals';
import { isUnread } from '../lib/unread';
import { workspacesOf } from '../lib/workspaces';
import { NoticeBanner } from '../ui/NoticeBanner';
import { SyncStatus } from '../ui/SyncStatus';
import { Toasts } from '../ui/Toasts';
import { CheckpointScreen } from './CheckpointScreen';
import { DecisionScreen } from './DecisionScreen';
import { InboxScreen } from './InboxScreen';
import { InvitationScreen } from './InvitationScreen';
import { DashboardScreen } from './DashboardScreen';
import { DecisionsScreen } from './DecisionsScreen';
import { MembersScreen } from './MembersScreen';
import { ProfileScreen } from './ProfileScreen';
import { ThreadList } from './ThreadList';
import { ThreadScreen } from './ThreadScreen';

export function Shell(props: { onSignedOut: () => void }) {
  const session = useSession();
  const workspaces = workspacesOf(session);
  const inbox = session.client.inbox(session.me.id);
  onCleanup(() => inbox.release());
  const outbox = fromObservable(session.outbox);
  const notifications = fromDoc(inbox, () => inbox.notifications());
  const unread = () => {
    void outbox();
    return notifications().filter((n) => isUnread(n, session.outbox)).length;
  };
  void workspaces.refresh();
  // The browser knows first when the network goes: stop the socket then (an open WebSocket can
  // outlive the network for a while), and on the way back connect and send the outbox at once.
  const onOnline = () => {
    session.client.connect();
    void session.client.flush().catch(() => undefined);
    void workspaces.refresh();
  };
  const onOffline = () => session.client.disconnect();
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  if (!navigator.onLine) session.client.disconnect();
  onCleanup(() => {
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOffline);
  });
  void navigator.storage?.persist?.().catch(() => false);

  createEffect(() => {
    const r = route();
    if (
      (r.name === 'workspace' || r.name === 'members' || r.name === 'dashboard' || r.name === 'decisions') &&
      r.id !== workspaces.current()
    )
      workspaces.select(r.id);
  });
  const wsId = () => workspaces.current();
  startBackgroundSync(session, wsId);

  const out = async () => {
    await signOut(session);
    props.onSignedOut();
    navigate('/', { replace: true });
  };

  return (
    <div class="app">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <NoticeBanner session={session} />
      <header class="bar">
        <a href={wsId() ? `/workspaces/${wsId()}` : '/'} class="brand">
          Caucus
        </a>
        <label class="switcher">
          <span class="visually-hidden">Workspace</span>
          <select
            onChange={(e) => {
              workspaces.select(e.currentTarget.value);
              navigate(`/workspaces/${e.currentTarget.value}`);
            }}
          >
            <Show when={workspaces.list().length === 0}>
              <option value="">No workspace yet</option>
            </Show>
            <For each={workspaces.list()}>
              {(w) => (
                <option value={w.id} selected={w.id === wsId()}>
                  {w.name}
                </option>
              )}
            </For>
          </select>
        </label>
        <nav aria-label="Main">
          <a href={wsId() ? `/workspaces/${wsId()}` : '/'}>Threads</a>
          <Show when={wsId()}>
            <a href={`/workspaces/${wsId()}/members`}>Members</a>
            <a href={`/workspaces/${wsId()}/decisions`}>Decisions</a>
            <a href={`/workspaces/${wsId()}/dashboard`}>Dashboard</a>
          </Show>
          <a href="/inbox">
            Inbox
            <Show when={unread() > 0}>
              <span class="badge" data-testid="unread-badge">
                {unread()}
                <span class="visually-hidden"> unread</span>
              </span>
            </Show>
          </a>
        </nav>
        <a class="me" href="/profile">
          {session.me.name}
        </a>
        <button type="button" class="link" onClick={() => void out()}>
          Sign out
        </button>
      </header>
      <SyncStatus />
      <main id="main" class="page" tabindex="-1">
        <Switch fallback={<NotFound />}>
          <Match when={route().name === 'home' || route().name === 'workspace'}>
            <Show when={wsId()} fallback={<p class="skeleton">Loading your workspaces…</p>}>
              {(id) => <ThreadList workspaceId={id()} />}
            </Show>
          </Match>
          <Match when={route().name === 'members' && wsId()}>
            {(id) => <MembersScreen workspaceId={id()} />}
          </Match>
          <Match when={route().name === 'dashboard' && wsId()}>
            {(id) => <DashboardScreen workspaceId={id()} />}
          </Match>
          <Match when={route().name === 'decisions' && wsId()}>
            {(id) => <DecisionsScreen workspaceId={id()} />}
          </Match>
          <Match
            when={(() => {
              const r = route();
              return r.name === 'thread' ? r.id : null;
            })()}
          >
            {(id) => (
              <Keyed key={id()}>
                {() => (
                  <Reopening>
                    {(reopen) => <ThreadScreen threadId={id()} workspaces={workspaces} reopen={reopen} />}
                  </Reopening>
                )}
              </Keyed>
            )}
          </Match>
          <Match
            when={(() => {
              const r = route();
              return r.name === 'decision' ? r.id : null;
            })()}
          >
            {(id) => <Keyed key={id()}>{() => <DecisionScreen decisionId={id()} />}</Keyed>}
          </Match>
          <Match
            when={(() => {
              const r = route();
              return r.name === 'checkpoint' ? r.id : null;
            })()}
          >
            {(id) => <CheckpointScreen checkpointId={id()} />}
          </Match>
          <Match when={route().name === 'inbox'}>
            <InboxScreen inbox={inbox} />
          </Match>
          <Match when={route().name === 'profile'}>
            <ProfileScreen />
          </Match>
          <Match
            when={(() => {
              const r = route();
              return r.name === 'invitation' ? r.token : null;
            })()}
          >
            {(token) => <InvitationScreen token={token()} onJoined={() => void workspaces.refresh()} />}
          </Match>
        </Switch>
      </main>
      <Toasts inbox={inbox} />
    </div>
  );
}

/** Renders its child again from scratch when `key` changes (a new thread is a new screen). */
function Keyed(props: { key: string; children: () => JSX.Element }) {
  return <For each={[props.key]}>{() => props.children()}</For>;
}

function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>
        Nothing lives at this address. <a href="/">Go to your threads</a>.
      </p>
    </>
  );
}
