/**
 * The one interface behind which tests run: the in-page Worker grader (always there) and,
 * where it can start, real Vitest in a WebContainer (components/webcontainer/adapter.ts).
 * Both take the same request and settle with the same `RunOutcome` (a report with one
 * `TestOutcome` per test, a `GradeError`, or a timeout), so the exercise shows either the
 * same way. In-page grading never depends on the WebContainer.
 */
import { runInWorker } from './client.ts';
import type { RunOutcome, RunRequest } from './protocol.ts';

/** What a grader is asked: the test file and the learner's code (see `RunRequest`). */
export type GradeRequest = Omit<RunRequest, 'id' | 'type'>;

/** A way to run an exercise's tests. `run` resolves (never rejects) with one outcome. */
export interface GraderAdapter {
  /** `worker`: the in-page grader; `webcontainer`: real Vitest in Node. */
  readonly kind: 'worker' | 'webcontainer';
  run(req: GradeRequest): Promise<RunOutcome>;
}

/** The in-page grader: a fresh hardened Worker per run with a 5 s deadline (client.ts). */
export const workerGrader: GraderAdapter = { kind: 'worker', run: (req) => runInWorker(req) };
