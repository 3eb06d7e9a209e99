/**
 * The one message protocol between a page and its grading Worker.
 *
 * Page -> worker: `RunRequest`. Worker -> page: `ReadyNotice` once the worker is prepared
 * (intrinsics locked down, runner and simulators loaded), `ProgressNotice`s while a run goes
 * (the phase or test it entered, each console line as printed), then one `WorkerReply`
 * (`result` or `error`). The page itself produces `timeout` when it terminates a worker at the
 * deadline, from the progress it saw, so every run settles with exactly one `RunOutcome`.
 * Both sides switch exhaustively on `type`. The same shapes travel from the command-line
 * grader's child process to its parent (as JSON lines).
 */
import type { ConsoleEntry, GradeError, GradeReport, RunPhase } from './runner.ts';

/** Ask the worker to compile and run one exercise's tests against the learner's code. */
export interface RunRequest {
  id: number;
  type: 'run';
  /** TypeScript source of the exercise's test file. */
  testSource: string;
  /** File name used in messages, e.g. `circ-buffer.test.ts`. */
  testFile: string;
  /** The learner's TypeScript. */
  learnerSource: string;
  /** File name used in messages, e.g. `submission.ts`. */
  learnerFile: string;
}

export type ToWorker = RunRequest;

/** Tests ran (some may have failed). */
export interface ResultReply {
  id: number;
  type: 'result';
  report: GradeReport;
}

/** Tests could not run: the code did not compile or its module threw while loading. */
export interface ErrorReply {
  id: number;
  type: 'error';
  error: GradeError;
}

export type WorkerReply = ResultReply | ErrorReply;

/** The worker is prepared: lockdown done, runner and simulator modules loaded. */
export interface ReadyNotice {
  type: 'ready';
}

/** A run entered a phase or test (`phase`), or its code printed a line (`console`). */
export type ProgressNotice =
  | { id: number; type: 'phase'; phase: RunPhase }
  | { id: number; type: 'console'; entry: ConsoleEntry; truncated: boolean };

/** Every message a worker may send. */
export type FromWorker = WorkerReply | ReadyNotice | ProgressNotice;

/** Produced by the host when the grader missed its deadline and was stopped. */
export interface TimeoutOutcome {
  id: number;
  type: 'timeout';
  /** The deadline that was missed, in milliseconds. */
  deadlineMs: number;
  /** What was running when time ran out: loading the code, collecting tests, or a test. */
  running?: RunPhase;
  /** What the code printed before it was stopped (capped like a report's console). */
  console?: ConsoleEntry[];
  /** True when output beyond the cap was dropped. */
  consoleTruncated?: boolean;
}

/**
 * Accumulates the progress notices of one run, so a timeout can say what was running and
 * keep what was printed. Ignores malformed notices.
 */
export class RunProgress {
  running: RunPhase | undefined;
  readonly console: ConsoleEntry[] = [];
  consoleTruncated = false;

  /** Applies `m` if it is a well-formed progress notice; returns whether it was one. */
  apply(m: unknown): boolean {
    if (!m || typeof m !== 'object') return false;
    const r = m as Record<string, unknown>;
    if (r.type === 'phase') {
      const p = r.phase as Record<string, unknown> | undefined;
      if (p && (p.phase === 'load' || p.phase === 'collect')) this.running = { phase: p.phase };
      else if (p && p.phase === 'test' && typeof p.name === 'string' && Array.isArray(p.suite) && p.suite.every((x) => typeof x === 'string')) {
        this.running = { phase: 'test', suite: p.suite as string[], name: p.name };
      }
      return true;
    }
    if (r.type === 'console') {
      const e = r.entry as Record<string, unknown> | undefined;
      if (r.truncated === true) this.consoleTruncated = true;
      else if (e && typeof e.text === 'string' && ['log', 'info', 'warn', 'error', 'debug'].includes(e.level as string) && this.console.length < 200) {
        this.console.push({ level: e.level as ConsoleEntry['level'], text: e.text.slice(0, 4000) });
      }
      return true;
    }
    return false;
  }

  /** The timeout outcome for run `id`, with what this progress saw. */
  timeout(id: number, deadlineMs: number): TimeoutOutcome {
    const out: TimeoutOutcome = { id, type: 'timeout', deadlineMs, console: this.console, consoleTruncated: this.consoleTruncated };
    if (this.running) out.running = this.running;
    return out;
  }
}

/** Every way a run can end. */
export type RunOutcome = WorkerReply | TimeoutOutcome;

/** Checks that an unknown message from a worker is a well-formed `WorkerReply`. */
export function isWorkerReply(m: unknown): m is WorkerReply {
  if (!m || typeof m !== 'object') return false;
  const r = m as Record<string, unknown>;
  if (typeof r.id !== 'number') return false;
  switch (r.type) {
    case 'result':
      return !!r.report && typeof r.report === 'object' && Array.isArray((r.report as GradeReport).tests);
    case 'error':
      return !!r.error && typeof r.error === 'object' && typeof (r.error as GradeError).message === 'string';
    default:
      return false;
  }
}

