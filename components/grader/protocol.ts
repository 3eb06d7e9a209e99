/**
 * The one message protocol between a page and its grading Worker.
 *
 * Page -> worker: `RunRequest`. Worker -> page: `WorkerReply` (`result` or `error`).
 * The page itself produces `timeout` when it terminates a worker at the deadline, so every
 * run settles with exactly one `RunOutcome`. Both sides switch exhaustively on `type`.
 */
import type { GradeError, GradeReport } from './runner.ts';

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

/** Produced by the page when the worker missed its deadline and was terminated. */
export interface TimeoutOutcome {
  id: number;
  type: 'timeout';
  /** The deadline that was missed, in milliseconds. */
  deadlineMs: number;
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

/** Compile-time exhaustiveness helper for `switch` statements over message types. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
