/**
 * The page side of grading: starts a fresh Worker per run, enforces the deadline by
 * terminating it, and settles every run with exactly one `RunOutcome`.
 */
import { isWorkerReply, type RunOutcome, type RunRequest } from './protocol.ts';

/** Default deadline for one run (compile + load + tests), in milliseconds. */
export const DEFAULT_DEADLINE_MS = 2000;

let nextId = 1;

/** Creates the grading worker (overridable in tests). */
export type WorkerFactory = () => Worker;

const defaultFactory: WorkerFactory = () => new Worker(new URL('./grader.worker.ts', import.meta.url), { type: 'module', name: 'grader' });

/**
 * Runs an exercise's tests against the learner's code in a fresh Worker.
 * Resolves (never rejects) with the worker's reply, or `{type: 'timeout'}` after
 * `deadlineMs` ms, or `{type: 'error', kind: 'internal'}` when the worker fails to start.
 * Messages that are malformed or carry another run's id are ignored, so a flood of
 * messages from a misbehaving worker cannot settle or stall the run.
 */
export function runInWorker(
  req: Omit<RunRequest, 'id' | 'type'>,
  deadlineMs = DEFAULT_DEADLINE_MS,
  makeWorker: WorkerFactory = defaultFactory,
): Promise<RunOutcome> {
  const id = nextId++;
  return new Promise<RunOutcome>((resolve) => {
    let settled = false;
    let worker: Worker;
    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker?.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ id, type: 'timeout', deadlineMs }), deadlineMs);
    try {
      worker = makeWorker();
    } catch (e) {
      finish({ id, type: 'error', error: { kind: 'internal', file: req.testFile, message: `Could not start the grader: ${e instanceof Error ? e.message : String(e)}` } });
      return;
    }
    worker.onmessage = (ev: MessageEvent<unknown>) => {
      const m = ev.data;
      if (!isWorkerReply(m) || m.id !== id) return;
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
