/**
 * The grading Worker: prepared ahead of a run (see client.ts), used for one run, then
 * terminated by the page (or at the deadline). It is served with a Content-Security-Policy of
 * `connect-src 'none'` (see scripts/serve.mjs and public/_headers), which is the real network
 * lock.
 *
 * On start it locks the realm down with SES (harden.ts), loads the simulator modules and grades
 * a tiny warm-up exercise, then says `ready`. Learner and test code run in SES compartments (runner.ts) whose globals hold
 * only a console feeding the capped capture: no `self`, `postMessage`, `fetch`,
 * `importScripts` or `import()`. The only reference to this worker's `postMessage` is the
 * `post` constant below, in this module's scope.
 */
import { assertNever } from '../../sims/core/text.ts';
import { ConsoleCapture, grade } from './runner.ts';
import { lockGrader } from './harden.ts';
import { EXERCISE_MODULES } from './modules.ts';
import { type FromWorker, type ToWorker, type WorkerReply } from './protocol.ts';

/** The worker's global scope, as far as this module uses it (the project's types have no webworker lib). */
const scope = self as unknown as { postMessage(m: unknown): void; onmessage: ((ev: MessageEvent<ToWorker>) => unknown) | null };
const post = scope.postMessage.bind(scope) as (m: FromWorker) => void;
let busy = false;

lockGrader();
// Load every simulator now, while the learner is still typing: a run then pays nothing for them.
const preloaded: Record<string, Promise<unknown>> = {};
for (const [name, load] of Object.entries(EXERCISE_MODULES)) {
  preloaded[name] = load();
  preloaded[name].catch(() => {});
}
const modules: Record<string, () => Promise<unknown>> = Object.fromEntries(Object.keys(EXERCISE_MODULES).map((name) => [name, () => preloaded[name]]));
// Then grade a tiny exercise once, so the compiler, the compartments and the matchers are warm
// (compiled by the engine) when the learner's run comes; it shares nothing with that run.
const WARM_UP = {
  testSource: "import { it, expect } from 'vitest';\nimport { f } from '@submission';\nit('warms up', () => { expect(f([1, 2])).toEqual([1, 2]); expect(f([]).length).toBe(0); });\n",
  testFile: 'warm-up.test.ts',
  learnerSource: 'const empty: number[] = [];\nexport function f(x: number[]): number[] { return x.length ? x.slice() : empty; }\n',
  learnerFile: 'warm-up.ts',
};
const prepared = Promise.allSettled(Object.values(preloaded))
  .then(() => grade(WARM_UP, new ConsoleCapture(), modules))
  .then(
    () => post({ type: 'ready' }),
    () => post({ type: 'ready' }),
  );

scope.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (busy || !msg || typeof msg !== 'object') return;
  switch (msg.type) {
    case 'run': {
      busy = true;
      await prepared;
      const id = msg.id;
      const capture = new ConsoleCapture();
      capture.onEntry = (entry, truncated) => post({ id, type: 'console', entry, truncated });
      let reply: WorkerReply;
      try {
        const outcome = await grade(msg, capture, modules, { onPhase: (phase) => post({ id, type: 'phase', phase }) });
        reply = outcome.type === 'result' ? { id, type: 'result', report: outcome.report } : { id, type: 'error', error: outcome.error };
      } catch (e) {
        reply = { id, type: 'error', error: { kind: 'internal', file: msg.testFile, message: `The grader failed: ${e instanceof Error ? e.message : String(e)}` } };
      }
      try {
        post(reply);
      } catch {
        // A value in the report could not be cloned: send it as plain JSON data instead.
        post(JSON.parse(JSON.stringify(reply)) as WorkerReply);
      }
      break;
    }
    default:
      assertNever(msg.type, 'message');
  }
};
