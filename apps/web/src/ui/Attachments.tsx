/**
 * A thread's attachments: the finished files from the thread document (thumbnails for images,
 * fetched with the user's token), and for editors a drop zone and file picker for several files
 * at once, each upload with its progress bar, pause/resume, retry and cancel (lib/uploads.ts
 * keeps them going across screens and reloads).
 */
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { ALLOWED_FILE_TYPES, type ThreadAttachment } from '@caucus/schema';
import { useSession } from '../lib/context';
import { uploadsOf, type UploadItem } from '../lib/uploads';
import { download } from './download';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function hasThumbnail(type: string): boolean {
  const rule = (ALLOWED_FILE_TYPES as Record<string, { thumbnail?: true }>)[type];
  return rule?.thumbnail === true;
}

function Thumbnail(props: { file: ThreadAttachment }) {
  const session = useSession();
  let href: string | null = null;
  onCleanup(() => {
    if (href) URL.revokeObjectURL(href);
  });
  const [url] = createResource(async () => {
    // Fetched by the API client (an <img> cannot send the token); shown as a `blob:` URL.
    const res = await session.api.thumbnail(props.file.id);
    if (!res.ok) throw new Error(res.error.message);
    href = URL.createObjectURL(res.value);
    return href;
  });
  return (
    <Show when={!url.error && url()} fallback={<span class="file-icon" aria-hidden="true" />}>
      {(src) => <img class="thumbnail" src={src()} alt={`Preview of ${props.file.name}`} />}
    </Show>
  );
}

function UploadRow(props: { item: UploadItem }) {
  const session = useSession();
  const uploads = uploadsOf(session);
  const state = () => props.item.state;
  // Sent, not yet confirmed: the server confirms a whole chunk (up to 16 MiB) at a time.
  const done = () => state()?.bytesSent ?? 0;
  const percent = () => Math.floor((100 * done()) / Math.max(1, props.item.size));
  const note = () => {
    const s = state();
    if (!s) return 'sending in another tab';
    if (s.error) return `failed: ${s.error.message}`;
    if (props.item.paused || s.status === 'paused') return 'paused';
    if (s.resumedFrom !== null) return `resumed at ${size(s.resumedFrom)}`;
    return s.status === 'idle' ? 'waiting' : 'uploading';
  };
  return (
    <li class="upload" data-testid="upload" data-status={state()?.status ?? 'elsewhere'}>
      <span class="upload-name">{props.item.name}</span>
      <progress max={props.item.size} value={done()} aria-label={`Upload of ${props.item.name}`} />
      <span class="upload-figure">
        {percent()}% of {size(props.item.size)} · {note()}
      </span>
      <Show when={state()}>
        <Show
          when={state()?.error}
          fallback={
            <Show
              when={props.item.paused}
              fallback={
                <button type="button" onClick={() => uploads.pause(props.item.id)}>
                  Pause {props.item.name}
                </button>
              }
            >
              <button type="button" onClick={() => uploads.resume(props.item.id)}>
                Resume {props.item.name}
              </button>
            </Show>
          }
        >
          <button type="button" onClick={() => uploads.retry(props.item.id)}>
            Retry {props.item.name}
          </button>
        </Show>
        <button type="button" onClick={() => void uploads.cancel(props.item.id)}>
          Cancel {props.item.name}
        </button>
      </Show>
    </li>
  );
}

export function Attachments(props: { threadId: string; files: ThreadAttachment[]; readOnly: boolean }) {
  const session = useSession();
  const uploads = uploadsOf(session);
  void uploads.resumeThread(props.threadId);
  const mine = () => uploads.items().filter((item) => item.threadId === props.threadId);
  const [over, setOver] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const add = (files: FileList | null | undefined) => {
    if (!files || files.length === 0) return;
    setError(null);
    uploads.add(props.threadId, [...files]).catch((err: unknown) => setError(String(err)));
  };
  const save = async (file: ThreadAttachment) => {
    const res = await session.api.fileBytes(file.id);
    if (res.ok) download(file.name, res.value);
    else setError(`Could not download ${file.name}: ${res.error.message}`);
  };

  return (
    <section aria-labelledby="attachments-h" class="attachments">
      <h2 id="attachments-h">Attachments</h2>
      <Show when={props.files.length > 0} fallback={<p class="muted">No files yet.</p>}>
        <ul class="files">
          <For each={props.files}>
            {(file) => (
              <li data-testid="attachment">
                <Show when={hasThumbnail(file.type)} fallback={<span class="file-icon" aria-hidden="true" />}>
                  <Thumbnail file={file} />
                </Show>
                <button type="button" class="link" onClick={() => void save(file)}>
                  {file.name}
                </button>{' '}
                <span class="muted">{size(file.size)}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={mine().length > 0}>
        <ul class="uploads" aria-label="Uploads">
          <For each={mine()}>{(item) => <UploadRow item={item} />}</For>
        </ul>
      </Show>
      <Show when={!props.readOnly}>
        <div
          class="dropzone"
          classList={{ over: over() }}
          data-testid="dropzone"
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            add(e.dataTransfer?.files);
          }}
        >
          <label>
            Add files
            <input
              type="file"
              multiple
              onChange={(e) => {
                add(e.currentTarget.files);
                e.currentTarget.value = '';
              }}
            />
          </label>{' '}
          <span class="muted">or drop them here</span>
        </div>
      </Show>
      <Show when={error()}>
        <p class="error" role="alert">
          {error()}
        </p>
      </Show>
    </section>
  );
}
