/**
 * Monaco, loaded only when a learner focuses or clicks an exercise's code (~2.5 MB gzip
 * with the TypeScript worker). Exposes the small `CodeEditor` interface the exercise uses.
 */
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/typescript/register';
import { typescriptDefaults, ScriptTarget, ModuleKind, ModuleResolutionKind } from 'monaco-editor/languages/features/typescript/register';
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
  dispose(): void;
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
      lib: ['es2022'],
    });
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
  });
  editor.onDidChangeModelContent(() => opts.onChange(model.getValue()));
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => opts.onRun());
  const onTheme = () => monaco.editor.setTheme(theme());
  document.addEventListener('dpl:theme', onTheme);
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
    dispose: () => {
      document.removeEventListener('dpl:theme', onTheme);
      editor.dispose();
      model.dispose();
    },
  };
}
