/**
 * The thread body editor, loaded only when a thread opens (CodeMirror is most of the app's
 * JavaScript). It lives in a shadow root: CodeMirror's style-mod then installs its styles as
 * constructed stylesheets (`adoptedStyleSheets`), which `style-src 'self'` allows, instead of the
 * `<style>` elements it writes into a document's head — those a nonce-free CSP refuses.
 */
import { EditorState } from '@codemirror/state';
import { defaultKeymap } from '@codemirror/commands';
import { drawSelection, EditorView, highlightSpecialChars, keymap, placeholder } from '@codemirror/view';
import { ySync, ySyncFacet, YSyncConfig } from 'y-codemirror.next';
import * as Y from 'yjs';
import type { DocHandle } from '@caucus/client';
import { PALETTE, remoteCursors } from './remote-cursors';

export interface EditorOptions {
  ytext: Y.Text;
  awareness: DocHandle['awareness'];
  readOnly: boolean;
  label: string;
}

const palette: Record<string, Record<string, string>> = Object.fromEntries(
  PALETTE.flatMap((colour, i): Array<[string, Record<string, string>]> => [
    [`.cm-remote-caret.cm-remote-c${i}`, { borderColor: colour }],
    [`.cm-remote-c${i} .cm-remote-name`, { backgroundColor: colour }],
    [`.cm-remote-sel.cm-remote-c${i}`, { backgroundColor: `${colour}33` }],
  ]),
);

const theme = EditorView.theme({
  '&': { fontSize: '1rem', border: '1px solid #8a8f98', borderRadius: '6px', backgroundColor: '#fff' },
  '&.cm-focused': { outline: '2px solid #1f4e79', outlineOffset: '1px' },
  '.cm-content': {
    minHeight: '8rem',
    padding: '1.3rem 0.5rem 0.5rem',
    fontFamily: 'inherit',
    color: '#1b1b1f',
  },
  '.cm-placeholder': { color: '#5c5f66' },
  '.cm-remote-caret': {
    position: 'relative',
    borderLeft: '2px solid',
    marginLeft: '-1px',
    marginRight: '-1px',
  },
  '.cm-remote-name': {
    position: 'absolute',
    top: '-1.3em',
    left: '-1px',
    fontSize: '0.75rem',
    lineHeight: '1.2',
    color: '#fff',
    padding: '0 0.3em',
    whiteSpace: 'nowrap',
    borderRadius: '3px 3px 3px 0',
    userSelect: 'none',
  },
  ...palette,
});

export function mountEditor(host: HTMLElement, options: EditorOptions): () => void {
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.replaceChildren();
  const config = new YSyncConfig(options.ytext, options.awareness);
  // Undo only this tab's own edits (those the sync plugin made), never someone else's.
  const undo = new Y.UndoManager(options.ytext, { trackedOrigins: new Set([config]) });
  const view = new EditorView({
    root,
    parent: root,
    state: EditorState.create({
      doc: options.ytext.toJSON(),
      extensions: [
        // No CodeMirror history: it would undo other people's edits too (the UndoManager below).
        highlightSpecialChars(),
        drawSelection(),
        EditorView.lineWrapping,
        placeholder(options.readOnly ? 'No notes yet.' : 'Write the thread’s notes…'),
        EditorState.readOnly.of(options.readOnly),
        EditorView.editable.of(!options.readOnly),
        EditorView.contentAttributes.of({
          'aria-label': options.label,
          'aria-multiline': 'true',
          ...(options.readOnly ? { 'aria-readonly': 'true' } : {}),
        }),
        keymap.of([
          { key: 'Mod-z', run: () => (undo.undo(), true) },
          { key: 'Mod-y', mac: 'Mod-Shift-z', run: () => (undo.redo(), true) },
          ...defaultKeymap,
        ]),
        ySyncFacet.of(config),
        ySync,
        remoteCursors(options.ytext, options.awareness),
        theme,
      ],
    }),
  });
  return () => {
    view.destroy();
    undo.destroy();
  };
}
