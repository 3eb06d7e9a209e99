/**
 * The grading Worker: one fresh worker per run, terminated by the page afterwards (or at
 * the deadline). It is served with a Content-Security-Policy of `connect-src 'none'` (see
 * scripts/serve.mjs and public/_headers), which is the real network lock; the overrides
 * below only turn accidental network use into clear error messages.
 */
import { ConsoleCapture, grade } from './runner.ts';
import { EXERCISE_MODULES } from './modules.ts';
import { assertNever, type ToWorker, type WorkerReply } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = scope.postMessage.bind(scope);
let busy = false;

function lockDown(capture: ConsoleCapture): void {
  const g = globalThis as Record<string, unknown>;
  const blocked = (what: string) => () => {
    throw new Error(`${what} is not available: exercises run without network access.`);
  };
  g.fetch = blocked('fetch()');
  g.XMLHttpRequest = blocked('XMLHttpRequest');
  g.WebSocket = blocked('WebSocket');
  g.EventSource = blocked('EventSource');
  g.importScripts = blocked('importScripts()');
  // Learner code must not talk to the page: only this module's `post` can.
  g.postMessage = () => {};
  g.console = { ...console, ...capture.console };
}

scope.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (busy || !msg || typeof msg !== 'object') return;
  switch (msg.type) {
    case 'run': {
      busy = true;
      const capture = new ConsoleCapture();
      lockDown(capture);
      let reply: WorkerReply;
      try {
        const outcome = await grade(msg, capture, EXERCISE_MODULES);
        reply = outcome.type === 'result' ? { id: msg.id, type: 'result', report: outcome.report } : { id: msg.id, type: 'error', error: outcome.error };
      } catch (e) {
        reply = { id: msg.id, type: 'error', error: { kind: 'internal', file: msg.testFile, message: `The grader failed: ${e instanceof Error ? e.message : String(e)}` } };
      }
      try {
        post(reply satisfies WorkerReply);
      } catch {
        // A value in the report could not be cloned: send it as plain JSON data instead.
        post(JSON.parse(JSON.stringify(reply)) satisfies WorkerReply);
      }
      break;
    }
    default:
      assertNever(msg.type);
  }
};
