/**
 * A workspace at a glance (`GET /api/dashboard`): threads, decisions by status and by how long
 * they have been open, checkpoints waiting, unread notifications, files. The figures are the
 * server's; the last ones seen are kept on the device, so offline the screen shows them with
 * their time instead of nothing.
 */
import { createResource, For, onCleanup, Show } from 'solid-js';
import type { Dashboard } from '@caucus/client';
import { useSession } from '../lib/context';

const AGING: Array<[string, string]> = [
  ['day', 'Under a day'],
  ['week', 'Under a week'],
  ['month', 'Under a month'],
  ['older', 'Older'],
];

const key = (workspaceId: string) => `caucus:dashboard:${workspaceId}`;

function kept(workspaceId: string): Dashboard | null {
  try {
    const raw = localStorage.getItem(key(workspaceId));
    return raw ? (JSON.parse(raw) as Dashboard) : null;
  } catch {
    return null;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function DashboardScreen(props: { workspaceId: string }) {
  const session = useSession();
  const [figures, { refetch }] = createResource(
    () => props.workspaceId,
    async (workspaceId): Promise<{ data: Dashboard | null; error: string | null }> => {
      const res = await session.api.dashboard(workspaceId);
      if (res.ok) {
        localStorage.setItem(key(workspaceId), JSON.stringify(res.value));
        return { data: res.value, error: null };
      }
      const error = res.error.code === 'network' ? 'You are offline.' : res.error.message;
      return { data: kept(workspaceId), error };
    },
  );
  const onOnline = () => void refetch();
  window.addEventListener('online', onOnline);
  onCleanup(() => window.removeEventListener('online', onOnline));
  const data = () => figures()?.data ?? null;

  return (
    <>
      <h1>Dashboard</h1>
      <p class="row">
        <button type="button" onClick={() => void refetch()} disabled={figures.loading}>
          Refresh
        </button>
        <Show when={data()}>
          {(d) => (
            <span class="muted" data-testid="dashboard-at">
              As of {new Date(d().at).toLocaleString()}
            </span>
          )}
        </Show>
      </p>
      <Show when={figures()?.error}>
        {(error) => (
          <p class="warning" role="status">
            {error()}
            {data() ? ' These are the last figures this device saw.' : ''}
          </p>
        )}
      </Show>
      <Show
        when={data()}
        fallback={
          <Show when={figures.loading}>
            <p class="skeleton">Loading the dashboard…</p>
          </Show>
        }
      >
        {(d) => (
          <div class="dashboard" data-testid="dashboard">
            <section aria-labelledby="dash-threads">
              <h2 id="dash-threads">Threads</h2>
              <dl>
                <dt>Active</dt>
                <dd data-testid="dash-threads-active">{d().threads.active}</dd>
                <dt>Archived</dt>
                <dd>{d().threads.archived}</dd>
              </dl>
            </section>
            <section aria-labelledby="dash-decisions">
              <h2 id="dash-decisions">Decisions</h2>
              <dl>
                <For each={Object.entries(d().decisions.byStatus)}>
                  {([status, n]) => (
                    <>
                      <dt>{status[0]?.toUpperCase() + status.slice(1)}</dt>
                      <dd data-testid={`dash-decisions-${status}`}>{n}</dd>
                    </>
                  )}
                </For>
              </dl>
              <h3>Open for</h3>
              <dl>
                <For each={AGING}>
                  {([bucket, label]) => (
                    <>
                      <dt>{label}</dt>
                      <dd data-testid={`dash-aging-${bucket}`}>{d().decisions.aging[bucket] ?? 0}</dd>
                    </>
                  )}
                </For>
              </dl>
            </section>
            <section aria-labelledby="dash-other">
              <h2 id="dash-other">Waiting and unread</h2>
              <dl>
                <dt>Checkpoints waiting</dt>
                <dd data-testid="dash-checkpoints">{d().checkpoints.pending}</dd>
                <dt>Unread notifications</dt>
                <dd>{d().notifications.unread}</dd>
                <dt>Files</dt>
                <dd>
                  {d().files.count} ({megabytes(d().files.bytes)})
                </dd>
              </dl>
            </section>
          </div>
        )}
      </Show>
    </>
  );
}
