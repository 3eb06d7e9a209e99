/**
 * <dpl-exercise>: upgrades the server-rendered exercise (see Exercise.astro).
 *
 * The starter is a real <textarea> from the first paint; Monaco takes over on focus or
 * click and keeps what was typed. Code is saved (debounced) on every change and restored on
 * reload; runs go through the grading Worker with a deadline; results show in the page and
 * in an xterm panel.
 */
import { workerGrader } from '../grader/adapter.ts';
import { DEFAULT_DEADLINE_MS, prepareGrader } from '../grader/client.ts';
import { describeRunning, formatGradeError, formatReport, formatTimeout } from '../grader/format.ts';
import type { RunOutcome } from '../grader/protocol.ts';
import type { GradeError, GradeReport } from '../grader/runner.ts';
import { loadRecord, paintBadges, statusOf, saveRecord, clearRecord, type ExerciseRecord, type ExerciseStatus } from './store.ts';
import type { CodeEditor } from '../editor/monaco.ts';
import type { TerminalLike } from '../terminal/terminal.ts';

const SAVE_DEBOUNCE_MS = 300;

interface ExerciseJson {
  id: string;
  testFile: string;
  testSource: string;
  solution: string;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { dataset?: Record<string, string> } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  const { dataset, ...rest } = props;
  Object.assign(node, rest);
  if (dataset) Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
}

/** Updates every status badge for exercise `id` on the page (lesson header, cards). */
export function paintStatus(id: string, status: ExerciseStatus): void {
  paintBadges(document, (other) => (other === id ? status : statusOf(other)));
  document.dispatchEvent(new CustomEvent('dpl:progress', { detail: { id, status } }));
}

class DplExercise extends HTMLElement {
  private id_ = '';
  private textarea!: HTMLTextAreaElement;
  private editor: CodeEditor | null = null;
  private editorLoading: Promise<void> | null = null;
  private record!: ExerciseRecord;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private json: Promise<ExerciseJson> | null = null;
  private terminal: Promise<TerminalLike | null> | null = null;
  private running = false;
  private editListeners: ((code: string) => void)[] = [];

  /** Removes every listener `wire` added when the element leaves the page. */
  private listeners: AbortController | null = null;

  connectedCallback(): void {
    if (!this.textarea) {
      this.id_ = this.dataset.exerciseId ?? '';
      this.textarea = this.q<HTMLTextAreaElement>('code');
      const stored = loadRecord(this.id_);
      this.record = stored ?? { code: this.textarea.defaultValue, status: 'not-started', hintsShown: 0, runs: 0, updatedAt: 0 };
      if (stored) this.textarea.value = stored.code;
      paintStatus(this.id_, this.record.status);
      this.showHints(this.record.hintsShown);
      this.updateSolutionButton();
      this.wireNodeTerminal();
    }
    this.wire();
    this.dataset.ready = 'true';
  }

  disconnectedCallback(): void {
    if (this.saveTimer) this.flushSave();
    this.listeners?.abort();
    this.listeners = null;
  }

  /** Listens to the learner (again, after a move in the DOM); `disconnectedCallback` removes it all. */
  private wire(): void {
    this.listeners?.abort();
    this.listeners = new AbortController();
    const signal = this.listeners.signal;
    const on = (t: EventTarget, type: string, fn: (e: Event) => void, once = false) => t.addEventListener(type, fn, { signal, once });

    on(this.textarea, 'input', () => this.onCodeChange(this.textarea.value));
    on(this.textarea, 'focus', () => void this.loadEditor());
    on(this.textarea, 'pointerdown', () => void this.loadEditor());
    on(this, 'keydown', (ev) => {
      const e = ev as KeyboardEvent;
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        void this.run();
      }
    });
    on(this.action('run'), 'click', () => void this.run());
    // Start the grading worker as the learner reaches the exercise, so the first run is quick.
    for (const ev of ['pointerenter', 'focusin']) on(this, ev, prepareGrader, true);
    on(this.action('hint'), 'click', () => this.nextHint());
    on(this.action('solution'), 'click', () => void this.revealSolution());
    on(this.action('reset'), 'click', () => this.askReset());
    on(this.action('reset-yes'), 'click', () => this.reset());
    on(this.action('reset-no'), 'click', () => this.closeReset());
    // Esc dismisses the reset prompt like Keep my code, and focus goes back to Reset code.
    on(this.q('confirm'), 'keydown', (ev) => {
      const e = ev as KeyboardEvent;
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      this.closeReset();
    });
    // Only a save still waiting for the typing to pause is written on leaving: writing the
    // saved record again would undo what another tab did meanwhile (an import, a reset).
    on(window, 'pagehide', () => {
      if (this.saveTimer) this.flushSave();
    });
    // A phone may discard a tab in the background without a pagehide: save when it is hidden.
    on(document, 'visibilitychange', () => {
      if (document.visibilityState === 'hidden' && this.saveTimer) this.flushSave();
    });
  }

  private q<T extends HTMLElement = HTMLElement>(role: string): T {
    const node = this.querySelector<T>(`[data-role="${role}"]`);
    if (!node) throw new Error(`exercise ${this.id_}: missing [data-role=${role}]`);
    return node;
  }

  private action(name: string): HTMLButtonElement {
    const node = this.querySelector<HTMLButtonElement>(`[data-action="${name}"]`);
    if (!node) throw new Error(`exercise ${this.id_}: missing [data-action=${name}]`);
    return node;
  }

  /** The full editor once loaded (null before, or when it failed to load). */
  get editorHandle(): CodeEditor | null {
    return this.editor;
  }

  /** The learner's current code, from whichever editor is active. */
  get code(): string {
    return this.editor ? this.editor.getValue() : this.textarea.value;
  }

  private setCode(code: string): void {
    this.textarea.value = code;
    this.editor?.setValue(code);
  }

  /** "Open a Node.js terminal" (NodeTerminal.astro): loads its panel, and the WebContainer, on click only. */
  private wireNodeTerminal(): void {
    const root = this.querySelector<HTMLElement>('[data-wc]');
    const open = root?.querySelector<HTMLButtonElement>('[data-wc-part="open"]');
    if (!root || !open) return;
    open.addEventListener('click', async () => {
      const [{ openNodeTerminal }, { exerciseFiles }] = await Promise.all([import('../webcontainer/panel.ts'), import('../webcontainer/files.ts')]);
      await openNodeTerminal({
        root,
        dir: this.id_,
        files: async (load) => {
          const ex = await this.fetchJson();
          return exerciseFiles({ id: ex.id, testFile: ex.testFile, testSource: ex.testSource, learnerSource: this.code }, load);
        },
        exercise: {
          request: async () => {
            const ex = await this.fetchJson();
            return { testSource: ex.testSource, testFile: ex.testFile, learnerSource: this.code, learnerFile: 'submission.ts' };
          },
          show: (outcome) => this.showOutcome(outcome),
          onEdit: (fn) => this.editListeners.push(fn),
        },
      });
    });
  }

  private onCodeChange(code: string): void {
    for (const fn of this.editListeners) fn(code);
    this.record = { ...this.record, code, updatedAt: Date.now() };
    if (this.record.status === 'not-started' && code !== this.textarea.defaultValue) {
      this.record.status = 'attempted';
      // Save first: listeners of the progress event read the store.
      this.flushSave();
      paintStatus(this.id_, 'attempted');
      return;
    }
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.flushSave(), SAVE_DEBOUNCE_MS);
  }

  private flushSave(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.record.updatedAt) return;
    const res = saveRecord(this.id_, this.record);
    const note = this.q('save');
    if (res.ok) {
      note.dataset.kind = 'ok';
      note.textContent = 'Saved in this browser.';
    } else {
      note.dataset.kind = 'error';
      note.textContent = res.message;
    }
  }

  private async loadEditor(): Promise<void> {
    if (this.editor || this.editorLoading) return this.editorLoading ?? undefined;
    const state = this.q('editor-state');
    state.textContent = 'Loading the full editor…';
    this.editorLoading = (async () => {
      try {
        const { createCodeEditor } = await import('../editor/monaco.ts');
        const host = this.q('monaco');
        const hadFocus = document.activeElement === this.textarea;
        const selection = this.textarea.selectionStart;
        host.hidden = false;
        const editor = await createCodeEditor(host, {
          value: this.textarea.value,
          label: `Code editor for exercise ${this.id_}`,
          onChange: (v) => {
            this.textarea.value = v;
            this.onCodeChange(v);
          },
          onRun: () => void this.run(),
        });
        this.editor = editor;
        this.textarea.hidden = true;
        this.dataset.editor = 'monaco';
        state.textContent = 'TypeScript editor: type errors are underlined; Ctrl+Enter runs the tests. To leave it, press Esc then Tab (or Shift+Tab); Ctrl+M makes Tab move focus until pressed again.';
        if (hadFocus) editor.focus(selection);
      } catch (e) {
        host_hide(this);
        state.textContent = `The full editor could not load (${e instanceof Error ? e.message : String(e)}); the plain editor works.`;
      }
    })();
    return this.editorLoading;

    function host_hide(self: DplExercise) {
      self.q('monaco').hidden = true;
    }
  }

  private fetchJson(): Promise<ExerciseJson> {
    this.json ??= fetch(this.dataset.json ?? '').then(async (r) => {
      if (!r.ok) throw new Error(`could not load the exercise's tests (HTTP ${r.status})`);
      return (await r.json()) as ExerciseJson;
    });
    this.json.catch(() => {
      this.json = null;
    });
    return this.json;
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const btn = this.action('run');
    btn.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    const results = this.q('results');
    this.dataset.state = 'running';
    results.replaceChildren(el('p', { className: 'muted', dataset: { role: 'running' } }, `Running the tests… (stopped after ${DEFAULT_DEADLINE_MS / 1000} s)`), el('progress', { ariaLabel: 'Running tests' }));
    this.flushSave();
    let outcome: RunOutcome;
    try {
      const ex = await this.fetchJson();
      outcome = await workerGrader.run({ testSource: ex.testSource, testFile: ex.testFile, learnerSource: this.code, learnerFile: 'submission.ts' });
    } catch (e) {
      outcome = { id: 0, type: 'error', error: { kind: 'internal', file: 'submission.ts', message: e instanceof Error ? e.message : String(e) } };
    }
    this.showOutcome(outcome);
    const passed = outcome.type === 'result' && outcome.report.tests.length > 0 && outcome.report.tests.every((t) => t.state === 'pass');
    // Passing is kept: experimenting after a pass does not take the badge away.
    const status: ExerciseStatus = passed || this.record.status === 'passed' ? 'passed' : 'attempted';
    this.record = { ...this.record, code: this.code, status, runs: this.record.runs + 1, updatedAt: Date.now() };
    this.flushSave();
    paintStatus(this.id_, status);
    this.updateSolutionButton();
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    this.running = false;
    this.dataset.state = passed ? 'passed' : 'failed';
  }

  private showOutcome(outcome: RunOutcome): void {
    const results = this.q('results');
    let text: string;
    switch (outcome.type) {
      case 'result':
        results.replaceChildren(...this.renderReport(outcome.report));
        text = formatReport(outcome.report, { color: true });
        this.editor?.setMarkers([]);
        break;
      case 'error':
        results.replaceChildren(this.renderError(outcome.error));
        text = formatGradeError(outcome.error, { color: true });
        if (outcome.error.file === 'submission.ts' && outcome.error.line) {
          this.editor?.setMarkers([{ line: outcome.error.line, column: outcome.error.column ?? 1, message: outcome.error.message }]);
        }
        break;
      case 'timeout':
        results.replaceChildren(
          el('div', { className: 'ex-error', dataset: { role: 'timeout' } }, el('h4', {}, `Stopped after ${outcome.deadlineMs / 1000} s`), el('p', { dataset: { role: 'timeout-where' } }, describeRunning(outcome.running)), el('p', {}, 'The tests did not finish in time, so the grader was stopped. Look for a loop that never ends. Your code is untouched.')),
          ...this.renderConsole(outcome.console ?? [], outcome.consoleTruncated ?? false, 'Console output before the stop'),
        );
        text = formatTimeout(outcome, { color: true });
        break;
      default: {
        const never: never = outcome;
        throw new Error(`unexpected outcome ${JSON.stringify(never)}`);
      }
    }
    void this.writeTerminal(text);
  }

  private renderReport(report: GradeReport): Node[] {
    const failed = report.tests.filter((t) => t.state === 'fail').length;
    const total = report.tests.length;
    const summary = el(
      'p',
      { className: 'ex-summary', dataset: { state: failed || total === 0 ? 'fail' : 'pass', role: 'summary' } },
      total === 0 ? 'No tests ran.' : failed ? `${failed} of ${total} tests failed` : `All ${total} tests passed`,
    );
    const list = el('ul', { ariaLabel: 'Test results' });
    for (const t of report.tests) {
      const li = el('li', { className: 'ex-test', dataset: { state: t.state } });
      li.append(
        el('div', { className: 'ex-test-name' }, el('span', { className: 'ex-mark', ariaHidden: 'true' }, t.state === 'pass' ? '✓' : '×'), el('span', {}, `${[...t.suite, t.name].join(' › ')}`), el('span', { className: 'visually-hidden' }, t.state === 'pass' ? ' (passed)' : ' (failed)')),
      );
      if (t.error) {
        li.append(el('p', { className: 'ex-msg' }, `${t.error.name}: ${t.error.message}${t.error.location ? ` (${t.error.location.file}:${t.error.location.line})` : ''}`));
        if (t.error.expected !== undefined || t.error.actual !== undefined) {
          li.append(el('dl', { className: 'ex-values' }, el('dt', {}, 'Expected'), el('dd', {}, t.error.expected ?? ''), el('dt', {}, 'Received'), el('dd', {}, t.error.actual ?? '')));
        }
      }
      list.append(li);
    }
    return [summary, list, ...this.renderConsole(report.console, report.consoleTruncated, 'Console output')];
  }

  private renderConsole(lines: { text: string }[], truncated: boolean, label: string): Node[] {
    if (!lines.length) return [];
    const pre = el('pre', {}, lines.map((c) => c.text).join('\n') + (truncated ? '\n… more output was dropped (limit reached)' : ''));
    return [el('details', { className: 'ex-console' }, el('summary', {}, `${label} (${lines.length} line${lines.length === 1 ? '' : 's'}${truncated ? ', truncated' : ''})`), pre)];
  }

  private renderError(error: GradeError): HTMLElement {
    const title = error.kind === 'compile' ? 'Syntax error' : error.kind === 'load' ? 'Your code threw while loading' : error.kind === 'collect' ? 'The tests could not start' : 'The grader could not run';
    const where = error.line ? ` at line ${error.line}${error.column ? `, column ${error.column}` : ''} of ${error.file}` : '';
    return el('div', { className: 'ex-error', dataset: { role: 'grade-error', kind: error.kind } }, el('h4', {}, title + where), el('p', { className: 'ex-msg' }, error.message));
  }

  private async writeTerminal(text: string): Promise<void> {
    const panel = this.q<HTMLDetailsElement>('terminal-panel');
    const fallback = this.q('terminal-fallback');
    this.terminal ??= import('../terminal/terminal.ts')
      .then(({ createTerminal }) => createTerminal(this.q('terminal'), { label: 'Test output', rows: 18 }))
      .catch(() => null);
    const term = await this.terminal;
    if (term) {
      term.clear();
      term.write(text.replace(/\n/g, '\r\n'));
      if (panel.open) term.fit();
      panel.addEventListener('toggle', () => term.fit(), { once: true });
    } else {
      fallback.hidden = false;
      // eslint-disable-next-line no-control-regex
      fallback.textContent = text.replace(/\x1b\[[0-9;]*m/g, '');
    }
  }

  private showHints(n: number): void {
    const items = this.querySelectorAll<HTMLElement>('[data-hint]');
    items.forEach((li, i) => (li.hidden = i >= n));
    const left = items.length - Math.min(n, items.length);
    this.q('hint-count').textContent = left ? `(${left} left)` : '(none left)';
    this.action('hint').disabled = left === 0;
  }

  private nextHint(): void {
    const total = this.querySelectorAll('[data-hint]').length;
    const n = Math.min(this.record.hintsShown + 1, total);
    this.record = { ...this.record, hintsShown: n, updatedAt: Date.now() };
    this.showHints(n);
    this.flushSave();
    const li = this.querySelector<HTMLElement>(`[data-hint="${n - 1}"]`);
    if (li) {
      li.tabIndex = -1;
      li.focus();
    }
  }

  private updateSolutionButton(): void {
    const can = this.record.runs > 0;
    this.action('solution').disabled = !can;
    this.q('solution-note').hidden = can;
  }

  private async revealSolution(): Promise<void> {
    if (this.record.runs < 1) return;
    try {
      const ex = await this.fetchJson();
      this.q('solution-code').textContent = ex.solution;
      const box = this.q('solution');
      box.hidden = false;
      box.tabIndex = -1;
      box.focus();
    } catch (e) {
      this.q('save').textContent = `Could not load the solution: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private askReset(): void {
    const c = this.q('confirm');
    c.hidden = false;
    this.action('reset-no').focus();
  }

  private closeReset(): void {
    this.q('confirm').hidden = true;
    this.action('reset').focus();
  }

  private reset(): void {
    this.q('confirm').hidden = true;
    this.setCode(this.textarea.defaultValue);
    clearRecord(this.id_);
    const status: ExerciseStatus = this.record.status === 'passed' ? 'passed' : this.record.runs > 0 ? 'attempted' : 'not-started';
    this.record = { code: this.textarea.defaultValue, status, hintsShown: this.record.hintsShown, runs: this.record.runs, updatedAt: Date.now() };
    this.flushSave();
    paintStatus(this.id_, status);
    this.q('save').textContent = 'Code reset to the starter.';
    (this.editor ?? this.textarea).focus();
  }
}

if (!customElements.get('dpl-exercise')) customElements.define('dpl-exercise', DplExercise);
