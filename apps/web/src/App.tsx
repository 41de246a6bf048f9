/**
 * The app's top: resume the session this browser kept (offline too), else sign in; an error
 * boundary with a retry around everything, and a loading state instead of a blank page.
 */
import { createResource, ErrorBoundary, Match, Show, Switch, createSignal } from 'solid-js';
import { SessionContext } from './lib/context';
import { resume, type AppSession } from './lib/session';
import { SignIn } from './screens/SignIn';
import { Shell } from './screens/Shell';

export function App() {
  const [session, setSession] = createSignal<AppSession | null>(null);
  const [resumed] = createResource(async () => {
    const s = await resume();
    setSession(s);
    return true;
  });
  return (
    <ErrorBoundary
      fallback={(err: unknown, reset) => (
        <main class="page" role="alert">
          <h1>Something went wrong</h1>
          <p>{err instanceof Error ? err.message : String(err)}</p>
          <button type="button" onClick={reset}>
            Try again
          </button>
        </main>
      )}
    >
      <Switch>
        <Match when={resumed.loading}>
          <main class="page" aria-busy="true">
            <h1 class="visually-hidden">Caucus</h1>
            <p class="skeleton">Opening Caucus…</p>
          </main>
        </Match>
        <Match when={session()}>
          {(s) => (
            <SessionContext.Provider value={s()}>
              <Shell onSignedOut={() => setSession(null)} />
            </SessionContext.Provider>
          )}
        </Match>
        <Match when={resumed()}>
          <Show when={!session()}>
            <SignIn onSignedIn={setSession} />
          </Show>
        </Match>
      </Switch>
    </ErrorBoundary>
  );
}
