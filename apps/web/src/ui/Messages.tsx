/**
 * Messages: `@<userId>` mentions (what the server notifies on) shown as `@Name`, and a composer
 * whose `@` opens a list of the workspace's members (arrow keys, Enter or Tab to pick). While the
 * user types, awareness carries `typing` so others see it (cleared after a pause).
 */
import { createMemo, createSignal, For, Show } from 'solid-js';
import type { DocHandle } from '@caucus/client';
import type { WorkspaceMemberEntry } from '@caucus/schema';

/** How long after the last keystroke "typing…" goes away (ms). */
const TYPING_IDLE_MS = 3000;
const MENTION = /@([A-Za-z0-9_-]{6,128})/g;

export function MessageText(props: { text: string; names: Map<string, string> }) {
  const parts = createMemo(() => {
    const out: Array<{ text: string; mention: boolean }> = [];
    let last = 0;
    for (const m of props.text.matchAll(MENTION)) {
      const name = props.names.get(m[1] ?? '');
      if (!name) continue;
      out.push(
        { text: props.text.slice(last, m.index), mention: false },
        { text: `@${name}`, mention: true },
      );
      last = m.index + m[0].length;
    }
    out.push({ text: props.text.slice(last), mention: false });
    return out;
  });
  return <For each={parts()}>{(p) => (p.mention ? <span class="mention">{p.text}</span> : p.text)}</For>;
}

export function Composer(props: {
  members: WorkspaceMemberEntry[];
  onSend: (text: string) => Promise<unknown>;
  awareness: DocHandle['awareness'];
}) {
  const [text, setText] = createSignal('');
  const [query, setQuery] = createSignal<string | null>(null);
  const [active, setActive] = createSignal(0);
  const [error, setError] = createSignal<string | null>(null);
  let area: HTMLTextAreaElement | undefined;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;

  const matches = createMemo(() => {
    const q = query();
    if (q === null) return [];
    return props.members.filter((m) => m.name.toLowerCase().startsWith(q.toLowerCase())).slice(0, 6);
  });
  const typing = () => {
    props.awareness.setLocalStateField('typing', true);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => props.awareness.setLocalStateField('typing', false), TYPING_IDLE_MS);
  };
  const onInput = (value: string) => {
    setText(value);
    typing();
    const before = value.slice(0, area?.selectionStart ?? value.length);
    const m = before.match(/(?:^|\s)@([^\s@]*)$/);
    setQuery(m ? (m[1] ?? '') : null);
    setActive(0);
  };
  const pick = (member: WorkspaceMemberEntry) => {
    const value = text();
    const caret = area?.selectionStart ?? value.length;
    const start = value.slice(0, caret).lastIndexOf('@');
    const next = `${value.slice(0, start)}@${member.userId} ${value.slice(caret)}`;
    setText(next);
    setQuery(null);
    area?.focus();
  };
  const send = async (event: SubmitEvent) => {
    event.preventDefault();
    const value = text().trim();
    if (!value) return;
    try {
      await props.onSend(value);
      setText('');
      setError(null);
      props.awareness.setLocalStateField('typing', false);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const onKey = (e: KeyboardEvent) => {
    const list = matches();
    if (list.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((active() + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      const m = list[active()];
      if (!m) return;
      e.preventDefault();
      pick(m);
    } else if (e.key === 'Escape') setQuery(null);
  };

  return (
    <form class="composer" onSubmit={(e) => void send(e)}>
      <label for="composer-text">Message</label>
      <textarea
        id="composer-text"
        ref={area}
        rows="3"
        value={text()}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={matches().length > 0}
        aria-controls="mention-list"
        aria-activedescendant={matches().length > 0 ? `mention-${active()}` : undefined}
        onInput={(e) => onInput(e.currentTarget.value)}
        onKeyDown={onKey}
      />
      <Show when={matches().length > 0}>
        <ul id="mention-list" role="listbox" class="mentions" aria-label="Mention someone">
          <For each={matches()}>
            {(m, i) => (
              <li
                id={`mention-${i()}`}
                role="option"
                aria-selected={i() === active()}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(m);
                }}
              >
                {m.name}
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={error()}>
        <p class="error" role="alert">
          {error()}
        </p>
      </Show>
      <button type="submit">Send</button>
    </form>
  );
}
