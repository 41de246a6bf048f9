/**
 * Remote cursors and selections from awareness, drawn with classes only. y-codemirror.next's own
 * plugin colours each caret with a `style` attribute, which `style-src 'self'` refuses; here a
 * user's colour is one of a fixed palette of classes (picked from their id), defined in the
 * editor's theme. Publishes this tab's selection as `cursor` (relative positions) like y-codemirror.
 */
import { RangeSet, type Range } from '@codemirror/state';
import {
  Decoration,
  EditorView,
  ViewPlugin,
  WidgetType,
  type DecorationSet,
  type ViewUpdate,
} from '@codemirror/view';
import type { DocHandle } from '@caucus/client';
import * as Y from 'yjs';

type Awareness = DocHandle['awareness'];

/** Colours a user can get, as `cm-remote-c<n>` classes (see editor.ts). */
export const PALETTE = [
  '#b3261e',
  '#1f6f43',
  '#6a3ab2',
  '#8a5a00',
  '#00639b',
  '#a0306e',
  '#006a6a',
  '#5b5f00',
];

export function colourIndex(key: string): number {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % PALETTE.length;
}

interface RemoteState {
  user?: { id?: string; name?: string };
  cursor?: { anchor?: unknown; head?: unknown } | null;
}

class CaretWidget extends WidgetType {
  constructor(
    readonly name: string,
    readonly colour: number,
  ) {
    super();
  }
  override eq(other: CaretWidget): boolean {
    return other.name === this.name && other.colour === this.colour;
  }
  toDOM(): HTMLElement {
    const caret = document.createElement('span');
    caret.className = `cm-remote-caret cm-remote-c${this.colour}`;
    caret.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'cm-remote-name';
    label.textContent = this.name;
    caret.append(label);
    return caret;
  }
  override ignoreEvent(): boolean {
    return true;
  }
}

export function remoteCursors(ytext: Y.Text, awareness: Awareness) {
  return ViewPlugin.fromClass(
    class {
      decorations: DecorationSet = RangeSet.of([]);
      private readonly listener: (change: { added: number[]; updated: number[]; removed: number[] }) => void;
      constructor(readonly view: EditorView) {
        this.listener = ({ added, updated, removed }) => {
          const others = [...added, ...updated, ...removed].some((id) => id !== awareness.clientID);
          if (others) queueMicrotask(() => view.dispatch({}));
        };
        awareness.on('change', this.listener);
      }
      destroy(): void {
        awareness.off('change', this.listener);
      }
      update(update: ViewUpdate): void {
        this.publish(update);
        this.decorations = this.draw(update.view);
      }
      private publish(update: ViewUpdate): void {
        const local = awareness.getLocalState() as RemoteState | null;
        if (!local || !(update.view.hasFocus && document.hasFocus())) return;
        const sel = update.state.selection.main;
        const anchor = Y.createRelativePositionFromTypeIndex(ytext, sel.anchor);
        const head = Y.createRelativePositionFromTypeIndex(ytext, sel.head);
        const same =
          local.cursor?.anchor &&
          local.cursor.head &&
          Y.compareRelativePositions(Y.createRelativePositionFromJSON(local.cursor.anchor), anchor) &&
          Y.compareRelativePositions(Y.createRelativePositionFromJSON(local.cursor.head), head);
        if (!same) awareness.setLocalStateField('cursor', { anchor, head });
      }
      private draw(view: EditorView): DecorationSet {
        const doc = ytext.doc;
        if (!doc) return RangeSet.of([]);
        const ranges: Range<Decoration>[] = [];
        awareness.getStates().forEach((raw, clientId) => {
          const state = raw as RemoteState;
          if (clientId === awareness.clientID || !state.cursor?.anchor || !state.cursor.head) return;
          const anchor = Y.createAbsolutePositionFromRelativePosition(
            Y.createRelativePositionFromJSON(state.cursor.anchor),
            doc,
          );
          const head = Y.createAbsolutePositionFromRelativePosition(
            Y.createRelativePositionFromJSON(state.cursor.head),
            doc,
          );
          if (!anchor || !head || anchor.type !== ytext || head.type !== ytext) return;
          const length = view.state.doc.length;
          const from = Math.min(anchor.index, head.index, length);
          const to = Math.min(Math.max(anchor.index, head.index), length);
          const colour = colourIndex(state.user?.id ?? String(clientId));
          if (to > from)
            ranges.push(Decoration.mark({ class: `cm-remote-sel cm-remote-c${colour}` }).range(from, to));
          ranges.push(
            Decoration.widget({
              side: 1,
              widget: new CaretWidget(state.user?.name ?? 'Someone', colour),
            }).range(Math.min(head.index, length)),
          );
        });
        return Decoration.set(ranges, true);
      }
    },
    { decorations: (v) => v.decorations },
  );
}
