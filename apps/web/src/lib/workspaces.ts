/**
 * The workspaces the user is in: asked from the server when online and kept in localStorage, so
 * the switcher and the last workspace open offline too.
 */
import { createSignal, type Accessor } from 'solid-js';
import type { Workspace } from '@caucus/client';
import type { AppSession } from './session';

export interface Workspaces {
  list: Accessor<Workspace[]>;
  current: Accessor<string | null>;
  select(id: string): void;
  refresh(): Promise<void>;
}

export function workspacesOf(session: AppSession): Workspaces {
  const listKey = `caucus:workspaces:${session.me.id}`;
  const lastKey = `caucus:workspace:${session.me.id}`;
  const read = (): Workspace[] => {
    try {
      return JSON.parse(localStorage.getItem(listKey) ?? '[]') as Workspace[];
    } catch {
      return [];
    }
  };
  const [list, setList] = createSignal<Workspace[]>(read());
  const [current, setCurrent] = createSignal<string | null>(localStorage.getItem(lastKey));
  const fallback = () => {
    if (current() && list().some((w) => w.id === current())) return;
    const first = list().find((w) => w.personal) ?? list()[0];
    if (first) setCurrent(first.id);
  };
  fallback();
  return {
    list,
    current,
    select(id) {
      localStorage.setItem(lastKey, id);
      setCurrent(id);
    },
    async refresh() {
      const res = await session.api.workspaces();
      if (!res.ok) return;
      localStorage.setItem(listKey, JSON.stringify(res.value.workspaces));
      setList(res.value.workspaces);
      fallback();
    },
  };
}
