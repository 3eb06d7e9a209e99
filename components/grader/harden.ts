/**
 * Hardened JavaScript for grading, from the `ses` package (Endo's SES shim).
 *
 * `lockGrader()` calls SES `lockdown()` once: every shared intrinsic (`Object`, `Array.prototype`,
 * `Number.prototype`, `Function.prototype`, ...) is frozen, so learner code can no longer poison
 * what the tests and the matchers use (`Object.is = () => true` throws instead). After it,
 * `makeCompartment()` gives each piece of code its own global object holding only the
 * globals passed in: no `process`, `self`, `postMessage`, `fetch`, `require` or `import()`
 * (SES rejects import expressions in evaluated source), and `Function`/`eval` inside a
 * compartment evaluate against that compartment's own global, so `Function('return this')()`
 * cannot reach the host's global.
 *
 * Options (found by running @vitest/expect, chai and the exercises after lockdown):
 * - `errorTaming: 'unsafe'` keeps `error.stack`, which the runner maps to the learner's line;
 * - `stackFiltering: 'verbose'` keeps every stack frame (the line lookup needs the eval frames);
 * - `overrideTaming: 'severe'` lets code assign `obj.toString = ...` on its own objects even
 *   though `Object.prototype.toString` is frozen (the "override mistake");
 * - `consoleTaming: 'unsafe'` leaves the host's console alone (learner code never sees it);
 * - `evalTaming: 'safe-eval'` keeps compartment `eval`/`Function` confined to the compartment.
 *
 * Chai and @vitest/expect are loaded before lockdown (their module bodies run at import) and
 * their plugins are installed after it; they only touch their own objects, which stay in the
 * runner and are never handed to learner code.
 */
import 'ses'; // installs lockdown, harden and Compartment on globalThis (with their types)

/** The `lockdown()` options the grader uses (see the module comment). */
export const LOCKDOWN_OPTIONS = {
  errorTaming: 'unsafe',
  stackFiltering: 'verbose',
  overrideTaming: 'severe',
  consoleTaming: 'unsafe',
  evalTaming: 'safe-eval',
} as const;

let locked = false;

/**
 * Freezes the shared intrinsics of this realm (once; later calls do nothing).
 * Call it in the grading thread before any learner or test code runs. Never call it in a
 * page or in Vitest's own worker: after it, code that patches built-ins stops working.
 */
export function lockGrader(): void {
  if (locked) return;
  lockdown(LOCKDOWN_OPTIONS);
  locked = true;
}

/** True once `lockGrader()` has run in this realm. */
export function isLocked(): boolean {
  return locked;
}

/** Deep-freezes `x` and everything reachable from it (SES `harden`). Requires `lockGrader()`. */
export function hardenValue<T>(x: T): T {
  return harden(x);
}

/** A compartment whose global object holds only `globals` (plus the frozen shared intrinsics). */
export function makeCompartment(name: string, globals: Record<string, unknown>) {
  return new Compartment({ name, globals, __options__: true });
}
