// The code editor: CodeMirror 6 with the highlighting of the languages the
// judges run (PHP's edits as plain text). Tab indents; Escape then Tab (or Ctrl-M / Shift-Alt-M)
// moves focus out, as CodeMirror provides, so the keyboard is never trapped.
import { EditorState, Compartment } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars, dropCursor,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { indentOnInput, bracketMatching, syntaxHighlighting, indentUnit, StreamLanguage } from '@codemirror/language';
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { classHighlighter } from '@lezer/highlight';

// legacy returns the stream parser exported as name by a module of
// @codemirror/legacy-modes (the modes of CodeMirror 5), as a language.
const legacy = (load, name) => async () => StreamLanguage.define((await load())[name]);

// Each language's grammar is a chunk of its own, loaded when first used.
const modes = {
  python: async () => [(await import('@codemirror/lang-python')).python(), indentUnit.of('    ')],
  c: async () => [(await import('@codemirror/lang-cpp')).cpp(), indentUnit.of('    ')],
  cpp: async () => [(await import('@codemirror/lang-cpp')).cpp(), indentUnit.of('    ')],
  java: async () => [(await import('@codemirror/lang-java')).java(), indentUnit.of('    ')],
  javascript: async () => [(await import('@codemirror/lang-javascript')).javascript(), indentUnit.of('  ')],
  go: async () => [(await import('@codemirror/lang-go')).go(), indentUnit.of('\t')],
  typescript: async () => [(await import('@codemirror/lang-javascript')).javascript({ typescript: true }), indentUnit.of('    ')],
  rust: async () => [await legacy(() => import('@codemirror/legacy-modes/mode/rust'), 'rust')(), indentUnit.of('    ')],
  kotlin: async () => [await legacy(() => import('@codemirror/legacy-modes/mode/clike'), 'kotlin')(), indentUnit.of('    ')],
  csharp: async () => [await legacy(() => import('@codemirror/legacy-modes/mode/clike'), 'csharp')(), indentUnit.of('    ')],
  ruby: async () => [await legacy(() => import('@codemirror/legacy-modes/mode/ruby'), 'ruby')(), indentUnit.of('  ')],
  perl: async () => [await legacy(() => import('@codemirror/legacy-modes/mode/perl'), 'perl')(), indentUnit.of('    ')],
  lua: async () => [await legacy(() => import('@codemirror/legacy-modes/mode/lua'), 'lua')(), indentUnit.of('  ')],
  bash: async () => [await legacy(() => import('@codemirror/legacy-modes/mode/shell'), 'shell')(), indentUnit.of('  ')],
};

async function modeOf(id) {
  try {
    return (await modes[id]?.()) ?? [];
  } catch (err) {
    console.error(`load the ${id} grammar`, err); // plain text still edits
    return [];
  }
}

// createEditor puts an editor in parent. onChange gets the text after each
// edit; onSubmit is bound to Ctrl-Enter / Cmd-Enter.
export function createEditor(parent, { doc, language, label, onChange, onSubmit }) {
  const lang = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        dropCursor(),
        EditorState.allowMultipleSelections.of(true),
        indentOnInput(),
        syntaxHighlighting(classHighlighter),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        keymap.of([
          { key: 'Mod-Enter', run: () => { onSubmit?.(); return true; } },
          ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab,
        ]),
        lang.of([]),
        EditorView.contentAttributes.of({ tabindex: '0', 'aria-label': label, 'aria-multiline': 'true', spellcheck: 'false', autocorrect: 'off', autocapitalize: 'off' }),
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange?.(u.state.doc.toString()); }),
      ],
    }),
  });
  let wanted = language;
  const setLanguage = async (id) => {
    wanted = id;
    const ext = await modeOf(id);
    if (wanted === id && !view.destroyed) view.dispatch({ effects: lang.reconfigure(ext) });
  };
  setLanguage(language);
  return {
    view,
    get text() { return view.state.doc.toString(); },
    // setText replaces the text as one edit, which Ctrl-Z undoes.
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setLanguage,
    focus() { view.focus(); },
    destroy() { view.destroy(); },
  };
}
