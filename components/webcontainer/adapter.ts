/**
 * Real Node.js in the page through StackBlitz's WebContainer, behind the grader's adapter
 * (components/grader/adapter.ts): `WebContainerGrader.run` takes the same request as the
 * in-page Worker grader, runs the test file with real Vitest in the container, and settles
 * with the same `RunOutcome`. It also mounts an exercise's or a notebook's files, installs
 * Vitest, keeps `submission.ts` in step with the editor (so `npx vitest --watch` re-runs) and
 * connects an interactive shell (`jsh`) to a terminal.
 *
 * The container is reached only through `ContainerLike`, the small part of
 * `@webcontainer/api`'s `WebContainer` this file uses, so the unit tests pass a fake and
 * need no network; `startContainer` does the availability checks (availability.ts) and the
 * boot, with a deadline, and never hangs.
 */
import type { GradeRequest, GraderAdapter } from '../grader/adapter.ts';
import type { RunOutcome } from '../grader/protocol.ts';
import {
  BOOT_TIMEOUT_MS,
  BootTimeout,
  checkPage,
  deadline,
  probe,
  unavailableMessage,
  withDeadline,
  type Availability,
  type FetchLike,
  type PageEnv,
} from './availability.ts';
import { REPORT_FILE, SUBMISSION_FILE, toTree, type FileTree, type FlatFiles } from './files.ts';
import { outcomeFromVitestJson } from './vitest-report.ts';

/** A process in the container (the part of `WebContainerProcess` used here). */
export interface ProcessLike {
  output: ReadableStream<string>;
  input: WritableStream<string>;
  exit: Promise<number>;
  kill(): void;
  resize(dim: { cols: number; rows: number }): void;
}

/** The part of `@webcontainer/api`'s `WebContainer` used here (a test passes a fake). */
export interface ContainerLike {
  mount(tree: FileTree, options?: { mountPoint?: string }): Promise<void>;
  spawn(command: string, args: string[], options?: { cwd?: string; terminal?: { cols: number; rows: number } }): Promise<ProcessLike>;
  fs: {
    writeFile(path: string, data: string): Promise<void>;
    readFile(path: string, encoding: 'utf-8'): Promise<string>;
    mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  };
  teardown(): void;
}

/** What `startContainer` needs from the page (a test passes plain values and fakes). */
export interface StartDeps {
  env: PageEnv;
  fetch: FetchLike;
  /** Loads `@webcontainer/api` and boots; its time counts against the boot deadline. */
  boot: () => Promise<ContainerLike>;
  probeTimeoutMs?: number;
  bootTimeoutMs?: number;
  /** Told when each stage starts (for the page's status line). */
  onStage?: (stage: 'checking' | 'booting') => void;
}

/**
 * Checks the page, probes the service and boots the container with a deadline. Resolves
 * (never rejects, never later than probe + boot deadlines) with the container or with why
 * it is unavailable.
 */
export async function startContainer(deps: StartDeps): Promise<{ ok: true; container: ContainerLike } | Extract<Availability, { ok: false }>> {
  deps.onStage?.('checking');
  const page = checkPage(deps.env);
  if (page && !page.ok) return page;
  const reach = await probe(deps.fetch, undefined, deps.probeTimeoutMs);
  if (reach && !reach.ok) return reach;
  deps.onStage?.('booting');
  const ms = deps.bootTimeoutMs ?? BOOT_TIMEOUT_MS;
  try {
    const container = await withDeadline(deps.boot(), ms);
    return { ok: true, container };
  } catch (e) {
    if (e instanceof BootTimeout) return { ok: false, reason: 'boot-timeout', message: unavailableMessage('boot-timeout') };
    const detail = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: 'boot-failed', message: unavailableMessage('boot-failed', detail.slice(0, 200)) };
  }
}

/** Boots the real WebContainer (loads `@webcontainer/api`: a lazy chunk, fetched on click only). */
export async function bootWebContainer(): Promise<ContainerLike> {
  const { WebContainer } = await import('@webcontainer/api');
  // credentialless: the pages are served with COEP credentialless (scripts/headers.mjs).
  return (await WebContainer.boot({ coep: 'credentialless', workdirName: 'data-path-lab' })) as unknown as ContainerLike;
}

/** Sends every chunk of `stream` to `sink`; resolves when the stream ends or fails. */
export async function drain(stream: ReadableStream<string>, sink: (text: string) => void): Promise<void> {
  try {
    await stream.pipeTo(new WritableStream({ write: (chunk) => sink(chunk) }));
  } catch {
    /* the process was killed: its output just stops */
  }
}

/** A terminal a shell can drive: output, keystrokes in, and its size. */
export interface ShellTerminal {
  write(text: string): void;
  /** Registers the keystroke handler. */
  onData(fn: (data: string) => void): void;
  onResize(fn: (dim: { cols: number; rows: number }) => void): void;
  readonly cols: number;
  readonly rows: number;
}

/** Default deadline of one `run` (Vitest's start-up in a container takes seconds), in ms. */
export const CONTAINER_RUN_DEADLINE_MS = 60_000;

/** The WebContainer session of one exercise or notebook. See the module comment. */
export class WebContainerGrader implements GraderAdapter {
  readonly kind = 'webcontainer' as const;
  private installing: Promise<number> | null = null;
  private shellProc: ProcessLike | null = null;

  /**
   * `container`: a booted container (one per page: two exercises share it, each in its own
   * folder `dir`, relative to the working directory); `log`: where install and run output
   * goes (the terminal); `runDeadlineMs`: deadline of one test run once Vitest is installed.
   */
  constructor(
    readonly container: ContainerLike,
    private readonly log: (text: string) => void = () => {},
    private readonly runDeadlineMs = CONTAINER_RUN_DEADLINE_MS,
    readonly dir = '.',
  ) {}

  private at(file: string): string {
    return this.dir === '.' ? file : `${this.dir}/${file}`;
  }

  /** Writes `files` into this session's folder. */
  async mount(files: FlatFiles): Promise<void> {
    if (this.dir !== '.') await this.container.fs.mkdir(this.dir, { recursive: true });
    await this.container.mount(toTree(files), this.dir === '.' ? undefined : { mountPoint: this.dir });
  }

  /** Runs `npm install` once (later calls share the first); resolves with its exit code. */
  install(): Promise<number> {
    this.installing ??= (async () => {
      this.log('\x1b[2m$ npm install\x1b[22m\r\n');
      const p = await this.container.spawn('npm', ['install', '--no-audit', '--no-fund'], { cwd: this.dir });
      void drain(p.output, this.log);
      const code = await p.exit;
      if (code !== 0) this.installing = null; // let a later call try again
      return code;
    })();
    return this.installing;
  }

  /** Writes the learner's code to `submission.ts` (a watching Vitest re-runs). */
  async writeSubmission(source: string): Promise<void> {
    await this.container.fs.writeFile(this.at(SUBMISSION_FILE), source);
  }

  /**
   * Runs the test file with real Vitest (`vitest run --reporter=json`) on `req.learnerSource`
   * and resolves with the in-page grader's outcome shape; a run past the deadline is killed
   * and reported as a timeout; a failed install or an unreadable report is an error.
   */
  async run(req: GradeRequest): Promise<RunOutcome> {
    const internal = (message: string): RunOutcome => ({ id: 0, type: 'error', error: { kind: 'internal', file: req.testFile, message } });
    try {
      await this.container.fs.writeFile(this.at(req.testFile), req.testSource);
      await this.container.fs.writeFile(this.at(req.learnerFile), req.learnerSource);
      const installed = await this.install();
      if (installed !== 0) return internal(`npm install failed (exit code ${installed}), so Vitest could not run in the container.`);
      await this.container.fs.mkdir(this.at('.dpl'), { recursive: true });
      await this.container.fs.writeFile(this.at(REPORT_FILE), '');
      const t0 = Date.now();
      this.log(`\x1b[2m$ npx vitest run ${req.testFile}\x1b[22m\r\n`);
      const p = await this.container.spawn('npx', ['vitest', 'run', req.testFile, '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT_FILE}`], { cwd: this.dir });
      void drain(p.output, this.log);
      const timer = deadline(this.runDeadlineMs);
      const ended = await Promise.race([p.exit.then(() => true), timer.promise.then(() => false)]);
      timer.clear();
      if (!ended) {
        p.kill();
        return { id: 0, type: 'timeout', deadlineMs: this.runDeadlineMs };
      }
      const text = await this.container.fs.readFile(this.at(REPORT_FILE), 'utf-8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return internal('Vitest did not write a readable report (see the terminal for its output).');
      }
      return outcomeFromVitestJson(json, req.testFile, req.learnerFile, Date.now() - t0);
    } catch (e) {
      return internal(`The container could not run the tests: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Starts an interactive shell (`jsh`) wired to `term`; resolves once it runs. One shell per session. */
  async shell(term: ShellTerminal): Promise<ProcessLike> {
    if (this.shellProc) return this.shellProc;
    const p = await this.container.spawn('jsh', [], { cwd: this.dir, terminal: { cols: term.cols, rows: term.rows } });
    this.shellProc = p;
    void drain(p.output, (t) => term.write(t));
    const input = p.input.getWriter();
    term.onData((d) => void input.write(d).catch(() => {}));
    term.onResize((dim) => p.resize(dim));
    return p;
  }

  /** Stops the shell (the container stays for the page's other sessions). */
  stopShell(): void {
    this.shellProc?.kill();
    this.shellProc = null;
  }
}
