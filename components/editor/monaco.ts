/**
 * Monaco, loaded only when a learner focuses or clicks an exercise's code (~2.5 MB gzip
 * with the TypeScript worker). Exposes the small `CodeEditor` interface the exercise uses.
 */
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/typescript/register';
import { typescriptDefaults, getTypeScriptWorker, ScriptTarget, ModuleKind, ModuleResolutionKind } from 'monaco-editor/languages/features/typescript/register';
// Declarations of every `@sims/*` module, emitted from sims/ at build time (scripts/sims-dts.mjs).
import simsDts from 'virtual:sims-dts';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
// Production builds drop the CSS of lazily imported Monaco chunks (see stack-notes): link it.
import cssUrl from '../../node_modules/monaco-editor/min/vs/editor/editor.main.css?url';

/** What an exercise needs from its code editor. */
export interface CodeEditor {
  getValue(): string;
  setValue(value: string): void;
  /** Focuses the editor; `offset` (characters from the start) places the cursor. */
  focus(offset?: number): void;
  /** Shows error markers (1-based line and column). */
  setMarkers(markers: { line: number; column: number; message: string }[]): void;
  /**
   * The TypeScript service's problems in the current code (syntax and types), computed now:
   * the same diagnostics the editor underlines. Lines and columns are 1-based.
   */
  problems(): Promise<EditorProblem[]>;
  /** The markers the editor shows now (TypeScript's and the grader's). */
  markers(): EditorProblem[];
  dispose(): void;
}

/** One problem in the learner's code. */
export interface EditorProblem {
  line: number;
  column: number;
  message: string;
}

export interface CodeEditorOptions {
  value: string;
  /** Accessible name of the editor. */
  label: string;
  onChange(value: string): void;
  /** Ctrl/Cmd+Enter. */
  onRun(): void;
  /** Extra type declarations (`.d.ts` text) for what the exercise imports. */
  extraLibs?: { path: string; content: string }[];
  /** Long lines wrap at the editor's width instead of scrolling sideways (the Lab's cells, as their textareas do). */
  wrap?: boolean;
  /** A narrow gutter (line numbers only, no folding): the Lab's cells, which are short and sit on phones too. */
  compactGutter?: boolean;
  /** The host's height follows the code, between these heights in pixels (the Lab's cells). */
  fitHeight?: { min: number; max: number };
}

let configured = false;

function configure(extraLibs: { path: string; content: string }[]): void {
  if (!configured) {
    (self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
      getWorker: (_id: string, label: string) => (label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker()),
    };
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = cssUrl;
    document.head.append(link);
    typescriptDefaults.setCompilerOptions({
      target: ScriptTarget.ES2020,
      module: ModuleKind.ESNext,
      moduleResolution: ModuleResolutionKind.NodeJs,
      strict: true,
      noEmit: true,
      // Lib *file* names: the service treats each entry as a root file, so `es2022` (a
      // tsconfig alias) is ignored and left even `Error` undeclared. `full` adds the DOM's
      // console, timers and TextEncoder, which learner code may use while debugging.
      lib: ['lib.es2022.full.d.ts'],
      // Every file is a module, even one without import or export: a Lab cell's names are its
      // own, and the names other cells define come from the notebook's declarations
      // (`setNotebookCells`). An exercise's submission is a module either way.
      moduleDetection: 3 /* ts.ModuleDetectionKind.Force */,
    });
    // `@sims/<name>` resolves to file:///node_modules/@sims/<name>/index.d.ts.
    for (const lib of simsDts) typescriptDefaults.addExtraLib(lib.content, lib.path);
    configured = true;
  }
  for (const lib of extraLibs) typescriptDefaults.addExtraLib(lib.content, lib.path);
}

function theme(): string {
  const t = document.documentElement.dataset.theme;
  const dark = t === 'dark' || (t !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
  return dark ? 'vs-dark' : 'vs';
}

let counter = 0;

/** Creates a TypeScript editor in `host`. Rejects if Monaco fails to start. */
export async function createCodeEditor(host: HTMLElement, opts: CodeEditorOptions): Promise<CodeEditor> {
  configure(opts.extraLibs ?? []);
  const uri = monaco.Uri.parse(`file:///exercise-${++counter}/submission.ts`);
  const model = monaco.editor.createModel(opts.value, 'typescript', uri);
  const editor = monaco.editor.create(host, {
    model,
    theme: theme(),
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 14,
    fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--font-mono').trim() || 'monospace',
    scrollBeyondLastLine: false,
    tabSize: 2,
    ariaLabel: opts.label,
    accessibilitySupport: 'auto',
    fixedOverflowWidgets: true,
    // `<=`, `->`, `!=` drawn as themselves, never as ligatures.
    fontLigatures: false,
    wordWrap: opts.wrap ? 'on' : 'off',
    ...(opts.compactGutter ? { lineNumbersMinChars: 2, folding: false, glyphMargin: false, lineDecorationsWidth: 8 } : {}),
    ...(opts.fitHeight ? { scrollbar: { alwaysConsumeMouseWheel: false } } : {}),
  });
  if (opts.fitHeight) {
    const { min, max } = opts.fitHeight;
    const fit = () => {
      host.style.height = `${Math.max(min, Math.min(max, editor.getContentHeight()))}px`;
    };
    editor.onDidContentSizeChange(fit);
    fit();
  }
  editor.onDidChangeModelContent(() => opts.onChange(model.getValue()));
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => opts.onRun());
  const onTheme = () => monaco.editor.setTheme(theme());
  document.addEventListener('dpl:theme', onTheme);
  // Keyboard exit (WCAG 2.1.2): Esc arms Tab-moves-focus for the next key only, so Esc then
  // Tab (or Shift+Tab) leaves the editor; any other key, or leaving, disarms it. Ctrl+M
  // (Monaco's own toggle) switches Tab to moving focus until pressed again.
  let armed = false;
  const arm = (on: boolean) => {
    if (armed === on) return;
    armed = on;
    editor.updateOptions({ tabFocusMode: on });
  };
  editor.onKeyDown((e) => {
    if (e.keyCode === monaco.KeyCode.Escape) arm(true);
    // Tab itself leaves armed: the focus move blurs the editor, which disarms.
    else if (e.keyCode !== monaco.KeyCode.Tab && e.keyCode !== monaco.KeyCode.Shift) arm(false);
  });
  editor.onDidBlurEditorText(() => arm(false));
  return {
    getValue: () => model.getValue(),
    setValue: (v) => {
      if (v !== model.getValue()) model.setValue(v);
    },
    focus: (offset) => {
      if (offset !== undefined) {
        const pos = model.getPositionAt(offset);
        editor.setPosition(pos);
        editor.revealPositionInCenterIfOutsideViewport(pos);
      }
      editor.focus();
    },
    setMarkers: (markers) =>
      monaco.editor.setModelMarkers(
        model,
        'grader',
        markers.map((m) => ({ severity: monaco.MarkerSeverity.Error, message: m.message, startLineNumber: m.line, startColumn: m.column, endLineNumber: m.line, endColumn: m.column + 1 })),
      ),
    problems: async () => {
      const worker = await (await getTypeScriptWorker())(uri);
      const file = uri.toString();
      const diags = [...(await worker.getSyntacticDiagnostics(file)), ...(await worker.getSemanticDiagnostics(file))];
      return diags.map((d) => {
        const pos = model.getPositionAt(d.start ?? 0);
        return { line: pos.lineNumber, column: pos.column, message: typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText };
      });
    },
    markers: () => monaco.editor.getModelMarkers({ resource: uri }).map((m) => ({ line: m.startLineNumber, column: m.startColumn, message: m.message })),
    dispose: () => {
      document.removeEventListener('dpl:theme', onTheme);
      editor.dispose();
      model.dispose();
    },
  };
}

/** A Lab cell as the type checker needs it: its code and the names it defines (components/lab/analyze.ts). */
export interface NotebookCellTypes {
  id: string;
  source: string;
  defines: readonly string[];
}

const shadows = new Map<string, monaco.editor.ITextModel>();
let namesLib: monaco.IDisposable | null = null;

/**
 * Tells the type checker about a Lab notebook, so a cell that reads another cell's name sees it
 * with the type TypeScript infers in the defining cell (not "Cannot find name"). Each cell has a
 * hidden copy that exports its names (`file:///lab/cells/<id>.ts`), and one global declaration
 * file (`file:///lab/names.d.ts`) declares every name as
 * `declare const name: typeof import('./cells/<id>').name`. Each cell is a module of its own
 * (`moduleDetection: force`), so its own definitions take precedence over those declarations. A name
 * defined by two cells takes the first one's type. Call it whenever the cells change; cells no
 * longer given are forgotten, and every editor is checked again when anything changed. Values
 * only: a class used as a type in another cell is not declared.
 */
export function setNotebookCells(cells: readonly NotebookCellTypes[]): void {
  configure([]);
  let changed = !namesLib;
  const keep = new Set<string>();
  const declared = new Set<string>();
  const lines: string[] = [];
  for (const c of cells) {
    const key = c.id.replace(/[^\w-]/g, '_');
    keep.add(key);
    const names = c.defines.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
    const text = `${c.source}\n;export { ${names.join(', ')} };\n`;
    const model = shadows.get(key);
    if (!model) {
      shadows.set(key, monaco.editor.createModel(text, 'typescript', monaco.Uri.parse(`file:///lab/cells/${key}.ts`)));
      changed = true;
    } else if (model.getValue() !== text) {
      model.setValue(text);
      changed = true;
    }
    for (const n of names) {
      if (declared.has(n)) continue;
      declared.add(n);
      lines.push(`declare const ${n}: typeof import('./cells/${key}').${n};`);
    }
  }
  for (const [key, model] of shadows) {
    if (keep.has(key)) continue;
    model.dispose();
    shadows.delete(key);
    changed = true;
  }
  if (!changed) return;
  // Replacing the declarations re-checks every open editor (a type changed in one cell shows in
  // the cells that read it), even when their text is the same.
  namesLib?.dispose();
  namesLib = typescriptDefaults.addExtraLib(`${lines.join('\n')}\n// ${Date.now()}\n`, 'file:///lab/names.d.ts');
}
