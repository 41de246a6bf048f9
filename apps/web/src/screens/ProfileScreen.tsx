/**
 * The profile: name, email and the avatar. The avatar is fetched with the Bearer token (an
 * `<img src>` could not send it) and shown from a blob: URL; a new one goes up over tus
 * (`createUpload({ purpose: 'avatar' })`) with a progress bar, and the server keeps a 300×300
 * version of it.
 */
import { createSignal, onCleanup, Show } from 'solid-js';
import { AVATAR_MAX_BYTES, AVATAR_TYPES } from '@caucus/schema';
import { createUpload, UploadFailed } from '@caucus/client';
import { useSession } from '../lib/context';

export function ProfileScreen() {
  const session = useSession();
  const [avatarUrl, setAvatarUrl] = createSignal<string | null>(null);
  const [loaded, setLoaded] = createSignal(false);
  const [progress, setProgress] = createSignal<{ sent: number; total: number } | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const show = (url: string | null) => {
    const old = avatarUrl();
    if (old) URL.revokeObjectURL(old);
    setAvatarUrl(url);
  };
  onCleanup(() => show(null));

  const load = async () => {
    const res = await session.api.avatar(session.me.id);
    if (res.ok) show(URL.createObjectURL(res.value));
    else if (res.error.code === 'not-found') show(null);
    else setError(`The avatar could not be loaded: ${res.error.message}`);
    setLoaded(true);
  };
  void load();

  const choose = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    if (file.size > AVATAR_MAX_BYTES) {
      setError(`That image is too large: an avatar is at most ${AVATAR_MAX_BYTES / 1024 / 1024} MB.`);
      return;
    }
    setBusy(true);
    setProgress({ sent: 0, total: file.size });
    const upload = createUpload({
      url: location.origin,
      token: () => session.auth.token(),
      purpose: 'avatar',
      file,
    });
    upload.subscribe((s) => setProgress({ sent: s.bytesAccepted, total: s.bytesTotal ?? file.size }));
    try {
      await upload.start();
      await load();
    } catch (err) {
      setError(
        err instanceof UploadFailed
          ? `The avatar was not saved: ${err.failure.message}`
          : 'The avatar was not saved.',
      );
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };

  const remove = async () => {
    setError(null);
    setBusy(true);
    const res = await session.api.removeAvatar();
    setBusy(false);
    if (res.ok) show(null);
    else setError(`The avatar was not removed: ${res.error.message}`);
  };

  return (
    <>
      <h1>Profile</h1>
      <dl class="profile">
        <dt>Name</dt>
        <dd data-testid="profile-name">{session.me.name}</dd>
        <dt>Email</dt>
        <dd data-testid="profile-email">{session.me.email}</dd>
      </dl>
      <h2>Avatar</h2>
      <Show when={loaded()} fallback={<p class="skeleton">Loading your avatar…</p>}>
        <Show when={avatarUrl()} fallback={<p class="muted">No avatar yet.</p>}>
          {(url) => <img class="avatar" src={url()} alt="Your avatar" width="150" height="150" />}
        </Show>
      </Show>
      <div class="row">
        <label>
          Choose an avatar{' '}
          <input
            type="file"
            accept={AVATAR_TYPES.join(',')}
            disabled={busy()}
            onChange={(e) => {
              const input = e.currentTarget;
              void choose(input.files?.[0]).finally(() => (input.value = ''));
            }}
          />
        </label>
        <Show when={avatarUrl()}>
          <button type="button" disabled={busy()} onClick={() => void remove()}>
            Remove avatar
          </button>
        </Show>
      </div>
      <Show when={progress()}>
        {(p) => <progress max={p().total} value={p().sent} aria-label="Avatar upload" />}
      </Show>
      <Show when={error()}>
        {(message) => (
          <p class="error" role="alert">
            {message()}
          </p>
        )}
      </Show>
    </>
  );
}
