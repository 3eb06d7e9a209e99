/**
 * The page side of grading: runs each request in its own Worker, enforces the deadline by
 * terminating it, and settles every run with exactly one `RunOutcome`.
 *
 * Speed: a worker takes a while to start (load the runner, lock the realm down, load the
 * simulators), so one is prepared ahead: `prepareGrader()` starts it (the exercise calls it
 * when the learner reaches the exercise), and each run, when it ends, prepares the next one.
 * A prepared worker has run no learner code (only a warm-up exercise of its own); every run
 * still gets a fresh one.
 */
import { isWorkerReply, RunProgress, type RunOutcome, type RunRequest } from './protocol.ts';

/** Default deadline for one run (compile + load + tests), in milliseconds. */
export const DEFAULT_DEADLINE_MS = 5000;

let nextId = 1;

/** Creates the grading worker (overridable in tests). */
export type WorkerFactory = () => Worker;

const defaultFactory: WorkerFactory = () => new Worker(new URL('./grader.worker.ts', import.meta.url), { type: 'module', name: 'grader' });

/** The worker prepared for the next run with the default factory, if any. */
let spare: Worker | null = null;

/**
 * Starts a grading worker now so the next `runInWorker` does not wait for it to load.
 * Idempotent; failures are ignored (the run then starts its own worker and reports them).
 */
export function prepareGrader(): void {
  if (spare || typeof Worker === 'undefined') return;
  try {
    spare = defaultFactory();
    // Errors before the run (a failed load) are reported by the run that uses it.
    spare.onerror = (ev) => ev.preventDefault();
  } catch {
    spare = null;
  }
}

function takeWorker(makeWorker: WorkerFactory): Worker {
  if (makeWorker === defaultFactory && spare) {
    const w = spare;
    spare = null;
    return w;
  }
  return makeWorker();
}

/**
 * Runs an exercise's tests against the learner's code in a fresh Worker.
 * Resolves (never rejects) with the worker's reply; or, after `deadlineMs` ms, with
 * `{type: 'timeout'}` naming what was running (load, collect, or the test) and what the code
 * printed until then; or `{type: 'error', kind: 'internal'}` when the worker fails to start.
 * Messages that are malformed or carry another run's id are ignored, so a flood of
 * messages from a misbehaving worker cannot settle or stall the run.
 */
export function runInWorker(
  req: Omit<RunRequest, 'id' | 'type'>,
  deadlineMs = DEFAULT_DEADLINE_MS,
  makeWorker: WorkerFactory = defaultFactory,
): Promise<RunOutcome> {
  const id = nextId++;
  const progress = new RunProgress();
  return new Promise<RunOutcome>((resolve) => {
    let settled = false;
    let worker: Worker;
    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker?.terminate();
      resolve(outcome);
      // Prepare the next run's worker once this one is gone (not while it competes for the CPU).
      if (makeWorker === defaultFactory) setTimeout(prepareGrader, 0);
    };
    const timer = setTimeout(() => finish(progress.timeout(id, deadlineMs)), deadlineMs);
    try {
      worker = takeWorker(makeWorker);
    } catch (e) {
      finish({ id, type: 'error', error: { kind: 'internal', file: req.testFile, message: `Could not start the grader: ${e instanceof Error ? e.message : String(e)}` } });
      return;
    }
    worker.onmessage = (ev: MessageEvent<unknown>) => {
      const m = ev.data;
      if (!m || typeof m !== 'object' || (m as { id?: unknown }).id !== id) return;
      if (progress.apply(m)) return;
      if (!isWorkerReply(m)) return;
      finish(m);
    };
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      finish({ id, type: 'error', error: { kind: 'internal', file: req.testFile, message: `The grader stopped unexpectedly${ev.message ? `: ${ev.message}` : ''}.` } });
    };
    worker.onmessageerror = () => {
      finish({ id, type: 'error', error: { kind: 'internal', file: req.testFile, message: 'The grader sent a result that could not be read.' } });
    };
    worker.postMessage({ id, type: 'run', ...req } satisfies RunRequest);
  });
}
