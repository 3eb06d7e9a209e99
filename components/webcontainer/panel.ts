/**
 * The "Open a Node.js terminal" panel (markup: NodeTerminal.astro), loaded only when its
 * button is pressed: a lazy chunk, like `@webcontainer/api` and xterm behind it. It runs the
 * availability checks and the boot with their deadlines (adapter.ts), says in the panel's
 * status line why the terminal is unavailable, or mounts the files, opens an interactive
 * xterm wired to a shell, installs Vitest and, for an exercise, keeps `submission.ts` in step
 * with the editor and offers "Run the tests in Node", whose outcome the exercise shows the
 * same way as the in-page grader's.
 *
 * One WebContainer per page (the API boots one at a time); each panel works in its own folder.
 * Attributes for tests and styling: `data-wc-state` on the panel root: `checking` | `booting`
 * | `unavailable` | `installing` | `ready`.
 */
import type { GradeRequest } from '../grader/adapter.ts';
import type { RunOutcome } from '../grader/protocol.ts';
import { createTerminal, type SizedTerminal } from '../terminal/terminal.ts';
import { bootWebContainer, startContainer, WebContainerGrader, type ContainerLike } from './adapter.ts';
import { pageEnv, type Availability, type FetchLike, type PageEnv } from './availability.ts';
import type { FlatFiles, SimsLoader } from './files.ts';

/** What a panel works on. */
export interface NodeTerminalHost {
  /** The panel's root (NodeTerminal.astro's element). */
  root: HTMLElement;
  /** Folder for this panel's files in the shared container, e.g. the exercise id. */
  dir: string;
  /** The files to mount (read when the terminal opens, and again on "Copy the files again"). */
  files(load: SimsLoader): Promise<FlatFiles>;
  /** An exercise's part: grading requests, showing their outcome, following edits. */
  exercise?: {
    request(): Promise<GradeRequest>;
    show(outcome: RunOutcome): void;
    /** Calls `fn` with the learner's code after each edit. */
    onEdit(fn: (code: string) => void): void;
  };
}

const simsSources = import.meta.glob(['../../sims/**/*.ts', '!../../sims/**/*.test.ts'], { query: '?raw', import: 'default' }) as Record<string, () => Promise<string>>;

/** Loads a simulator source by repository path (`/sims/tty/model.ts`); a lazy chunk each. */
export const loadSims: SimsLoader = async (p) => {
  const load = simsSources[`../..${p}`];
  if (!load) throw new Error(`ENOENT: ${p} is not a simulator source`);
  return load();
};

/** What the panel uses from the page and the network (a test passes fakes). */
export interface PanelDeps {
  env: () => PageEnv;
  fetch: FetchLike;
  boot: () => Promise<ContainerLike>;
  createTerminal: typeof createTerminal;
}

const pageDeps: PanelDeps = { env: pageEnv, fetch: (url, init) => fetch(url, init), boot: bootWebContainer, createTerminal };

let started: Promise<{ ok: true; container: ContainerLike } | Extract<Availability, { ok: false }>> | null = null;
const sessions = new WeakMap<HTMLElement, { grader: WebContainerGrader; term: SizedTerminal }>();

function part<T extends HTMLElement = HTMLElement>(root: HTMLElement, name: string): T {
  const el = root.querySelector<T>(`[data-wc-part="${name}"]`);
  if (!el) throw new Error(`Node.js terminal panel: missing [data-wc-part=${name}]`);
  return el;
}

/**
 * Opens (or, when already open, re-mounts the files of) the panel `host`. Resolves once the
 * panel is ready or has said why it is unavailable; never rejects. `deps` default to the page's.
 */
export function openNodeTerminal(host: NodeTerminalHost, deps: PanelDeps = pageDeps): Promise<void> {
  // A second press while the first is still opening waits for it (one terminal per panel).
  const pending = opening.get(host.root);
  if (pending) return pending;
  const p = open(host, deps).finally(() => opening.delete(host.root));
  opening.set(host.root, p);
  return p;
}

const opening = new WeakMap<HTMLElement, Promise<void>>();

async function open(host: NodeTerminalHost, deps: PanelDeps): Promise<void> {
  const { root } = host;
  const status = part(root, 'status');
  const button = part<HTMLButtonElement>(root, 'open');
  const set = (state: string, text: string) => {
    root.dataset.wcState = state;
    status.textContent = text;
  };
  const existing = sessions.get(root);
  if (existing) {
    await existing.grader.mount(await host.files(loadSims));
    set('ready', 'Copied the files into the container again.');
    return;
  }
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    started ??= startContainer({
      env: deps.env(),
      fetch: deps.fetch,
      boot: deps.boot,
      onStage: (s) => set(s, s === 'checking' ? 'Checking whether StackBlitz’s service can be reached…' : 'Starting StackBlitz’s WebContainer (at most 20 s)…'),
    });
    const r = await started;
    if (!r.ok) {
      started = null; // a later click checks again (the network may come back)
      set('unavailable', r.message);
      return;
    }
    const panel = part(root, 'panel');
    panel.hidden = false;
    let onData: (d: string) => void = () => {};
    let onResize: (d: { cols: number; rows: number }) => void = () => {};
    const term = await deps.createTerminal(part(root, 'term'), { label: 'Node.js terminal (Esc then Tab leaves it)', rows: 16, onData: (d) => onData(d), onResize: (d) => onResize(d) });
    term.fit();
    const grader = new WebContainerGrader(r.container, (t) => term.write(t), undefined, host.dir);
    sessions.set(root, { grader, term });
    await grader.mount(await host.files(loadSims));
    set('installing', 'Installing Vitest in the container (npm install)…');
    const code = await grader.install();
    if (code !== 0) {
      set('unavailable', `npm install failed in the container (exit code ${code}), so Vitest is not there; everything else on this page works as before.`);
      return;
    }
    await grader.shell({ write: (t) => term.write(t), onData: (f) => (onData = f), onResize: (f) => (onResize = f), cols: term.cols, rows: term.rows });
    addEventListener('resize', () => term.fit());
    if (host.exercise) {
      const ex = host.exercise;
      ex.onEdit((code) => void grader.writeSubmission(code).catch(() => {}));
      const run = part<HTMLButtonElement>(root, 'run');
      run.hidden = false;
      run.addEventListener('click', async () => {
        run.disabled = true;
        set('ready', 'Running the tests with Vitest in Node…');
        const outcome = await grader.run(await ex.request());
        ex.show(outcome);
        set('ready', 'Vitest finished: the results are shown above, as the in-page tests show theirs.');
        run.disabled = false;
      });
      set('ready', 'Ready: type npx vitest --watch in the terminal; it re-runs as you edit your code above.');
    } else {
      set('ready', 'Ready: the cells are files in cells/; the terminal is a real shell.');
    }
    button.textContent = 'Copy the files again';
  } catch (e) {
    set('unavailable', `The Node.js terminal stopped: ${e instanceof Error ? e.message : String(e)}; everything else on this page works as before.`);
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}
