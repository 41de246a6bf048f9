import { createSignal, Show } from 'solid-js';
import { field } from '../lib/form';
import { signIn, type AppSession } from '../lib/session';

export function SignIn(props: { onSignedIn: (session: AppSession) => void }) {
  const [mode, setMode] = createSignal<'sign-up' | 'sign-in'>('sign-in');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    setBusy(true);
    setError(null);
    const res = await signIn(mode(), {
      email: field(form, 'email'),
      password: field(form, 'password'),
      name: field(form, 'name'),
    });
    setBusy(false);
    if (res.ok) props.onSignedIn(res.value);
    else
      setError(
        res.error.code === 'network'
          ? 'The server cannot be reached. Try again when online.'
          : res.error.message,
      );
  };
  return (
    <main class="page narrow">
      <h1>{mode() === 'sign-up' ? 'Create your Caucus account' : 'Sign in to Caucus'}</h1>
      <form onSubmit={(e) => void submit(e)} class="stack">
        <Show when={mode() === 'sign-up'}>
          <label>
            Name
            <input name="name" autocomplete="name" required maxlength="100" />
          </label>
        </Show>
        <label>
          Email
          <input name="email" type="email" autocomplete="email" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            minlength="8"
            required
            autocomplete={mode() === 'sign-up' ? 'new-password' : 'current-password'}
          />
        </label>
        <Show when={error()}>
          <p class="error" role="alert">
            {error()}
          </p>
        </Show>
        <button type="submit" disabled={busy()}>
          {mode() === 'sign-up' ? 'Sign up' : 'Sign in'}
        </button>
      </form>
      <p>
        <button
          type="button"
          class="link"
          onClick={() => setMode(mode() === 'sign-up' ? 'sign-in' : 'sign-up')}
        >
          {mode() === 'sign-up' ? 'I have an account: sign in' : 'New here? Create an account'}
        </button>
      </p>
    </main>
  );
}
