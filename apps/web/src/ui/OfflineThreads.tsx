/**
 * The background-sync setting: how many of the workspace's most recently active threads are kept
 * available offline, and how many this tab holds (and has in step with the server) right now.
 */
import { Show } from 'solid-js';
import {
  backgroundSyncState,
  MAX_OFFLINE_THREADS,
  offlineThreadLimit,
  setOfflineThreadLimit,
} from '../lib/background-sync';

export function OfflineThreads() {
  return (
    <form class="row offline-threads" aria-label="Offline threads" onSubmit={(e) => e.preventDefault()}>
      <label class="inline">
        Keep{' '}
        <input
          type="number"
          name="offline-threads"
          min="0"
          max={MAX_OFFLINE_THREADS}
          step="1"
          size="4"
          value={offlineThreadLimit()}
          onChange={(e) => {
            setOfflineThreadLimit(e.currentTarget.value);
            // Show what was kept (a bad entry falls back to the default or the bounds).
            e.currentTarget.value = String(offlineThreadLimit());
          }}
        />{' '}
        threads available offline
      </label>
      <Show when={backgroundSyncState().kept > 0}>
        <span class="muted" data-testid="offline-threads" data-kept={backgroundSyncState().kept}>
          {backgroundSyncState().synced} of {backgroundSyncState().kept} synced
        </span>
      </Show>
    </form>
  );
}
