/**
 * The test runner shared by the browser grader, `npm run grade` and CI.
 *
 * It gives an exercise's test file the Vitest names it imports (`describe`, `it`, `test`,
 * `expect`, `beforeEach`, `afterEach`, `beforeAll`, `afterAll`), with `expect` built from
 * `@vitest/expect` (the same matchers and messages as Vitest), runs the tests in order, and
 * returns the results as data. No DOM, no Node APIs: it runs in a Worker and in Node alike.
 * The host (worker or CLI) enforces the deadline by terminating the thread or process.
 *
 * Hardening (see harden.ts): `grade()` locks the realm down with SES before anything runs,
 * then evaluates the learner's module in one Compartment (globals: a console feeding the
 * capture; imports: the allowed `@sims/*` modules as hardened copies) and the test file in
 * another (imports: `vitest`, `@submission`, the same modules). The runner's suites, results,
 * `expect` state (kept on the host realm's global, which neither compartment can reach) and the
 * host's reply channel stay outside both. Values from learner code are hostile: `expect()`
 * takes a data copy of what it is given (so an object posing as an asymmetric matcher, or a
 * getter that answers differently the second time, cannot fake a pass), and everything that
 * reads a thrown value or prints one survives Proxies, throwing getters and throwing `toString`.
 */
import * as chai from 'chai';
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  getState,
  setState,
  type ExpectStatic,
} from '@vitest/expect';
import { format, stringify } from '@vitest/utils/display';
import { diff } from '@vitest/utils/diff';
import { compileTs, evaluateModule, FUNCTION_HEADER_LINES } from './compile.ts';
import { hardenValue, lockGrader, makeCompartment } from './harden.ts';

/** Why a test failed, as data. */
export interface TestError {
  /** Error name, e.g. `AssertionError`, `TypeError`, or `Thrown value` for non-Errors. */
  name: string;
  message: string;
  /** Pretty-printed expected value, for assertion errors. */
  expected?: string;
  /** Pretty-printed received value, for assertion errors. */
  actual?: string;
  /** A `- Expected / + Received` line diff, when the values are worth diffing. */
  diff?: string;
  /** Where in the learner's or the test's file it was thrown (1-based line), when known.
   *  Only the line: compiling may shift columns, never lines. */
  location?: { file: string; line: number };
}

export interface TestOutcome {
  /** The test's own name. */
  name: string;
  /** Names of the enclosing `describe` blocks, outermost first. */
  suite: string[];
  state: 'pass' | 'fail';
  /** Wall time of the test, in milliseconds. */
  durationMs: number;
  error?: TestError;
}

export interface ConsoleEntry {
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  text: string;
}

/** The result of one grading run. */
export interface GradeReport {
  /** The test file's name. */
  file: string;
  tests: TestOutcome[];
  /** What the code printed, capped (see `ConsoleCapture`). */
  console: ConsoleEntry[];
  /** True when output beyond the cap was dropped. */
  consoleTruncated: boolean;
  /** Wall time of compile + load + tests, in milliseconds. */
  durationMs: number;
}

/** Why tests could not run at all. */
export interface GradeError {
  /** compile: syntax error; load: the learner's module threw; collect: the test file threw; internal: the grader failed. */
  kind: 'compile' | 'load' | 'collect' | 'internal';
  /** File the error is in. */
  file: string;
  message: string;
  /** 1-based position, when known. */
  line?: number;
  column?: number;
}

export type GradeOutcome = { type: 'result'; report: GradeReport } | { type: 'error'; error: GradeError };

export interface GradeInput {
  testSource: string;
  testFile: string;
  learnerSource: string;
  learnerFile: string;
}

/** Limits of captured console output. */
export const CONSOLE_LIMITS = { entries: 200, entryChars: 2000, totalChars: 64_000 } as const;

/**
 * A console replacement that keeps at most `CONSOLE_LIMITS` of output, so a learner's
 * `for (;;) console.log(...)` (until the deadline) cannot exhaust memory or the page.
 */
export class ConsoleCapture {
  readonly entries: ConsoleEntry[] = [];
  truncated = false;
  private total = 0;
  readonly console: Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug'>;

  /** Called with each entry as it is kept, so a host can stream output out before a hang. */
  onEntry: ((entry: ConsoleEntry, truncated: boolean) => void) | null = null;

  constructor() {
    const push = (level: ConsoleEntry['level']) => (...args: unknown[]) => this.push(level, args);
    this.console = { log: push('log'), info: push('info'), warn: push('warn'), error: push('error'), debug: push('debug') };
  }

  private push(level: ConsoleEntry['level'], args: unknown[]): void {
    if (this.truncated) return;
    if (this.entries.length >= CONSOLE_LIMITS.entries || this.total >= CONSOLE_LIMITS.totalChars) {
      this.truncated = true;
      this.onEntry?.({ level, text: '' }, true); // once: later output returns above
      return;
    }
    let text: string;
    try {
      text = format(args);
    } catch {
      text = args.map((a) => safeString(a)).join(' ');
    }
    if (text.length > CONSOLE_LIMITS.entryChars) text = `${text.slice(0, CONSOLE_LIMITS.entryChars)}… (${text.length - CONSOLE_LIMITS.entryChars} more characters)`;
    this.total += text.length;
    const entry = { level, text };
    this.entries.push(entry);
    this.onEntry?.(entry, false);
  }
}

/** `String(x)` that never throws: a value whose `toString` throws (or a revoked Proxy) prints as a tag. */
export function safeString(x: unknown): string {
  try {
    const s = String(x);
    return typeof s === 'string' ? s : '[value that cannot be printed]';
  } catch {
    try {
      return `[${Object.prototype.toString.call(x).slice(8, -1)} that cannot be printed]`;
    } catch {
      return '[value that cannot be printed]';
    }
  }
}

/** Where a run is, for a host that must explain a timeout: loading, collecting, or inside a test. */
export type RunPhase = { phase: 'load' } | { phase: 'collect' } | { phase: 'test'; suite: string[]; name: string };

/** Limits of the data copy `expect()` takes of a value (nodes visited, nesting depth). */
export const COPY_LIMITS = { nodes: 200_000, depth: 200 } as const;

const TYPED_ARRAYS: Record<string, new (x: ArrayLike<number> & ArrayLike<bigint>) => unknown> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array,
  BigInt64Array: BigInt64Array as never, BigUint64Array: BigUint64Array as never,
};

/**
 * A data copy of a value that came from learner code, made before any matcher sees it.
 *
 * Primitives and functions are kept (`toThrow` needs the function). Arrays, plain objects and
 * instances of learner classes become fresh arrays and plain objects of their own enumerable
 * properties (read once, so a getter cannot answer differently later); typed arrays, `Map`,
 * `Set` and `Date` are copied as such; cycles are kept. An object carrying an
 * `asymmetricMatch` function (which would let it decide any `toEqual`) is refused with a
 * TypeError. Whatever a Proxy trap or a getter throws propagates: the test fails with it.
 * Throws a RangeError beyond `COPY_LIMITS`.
 */
export function dataCopy(value: unknown): unknown {
  const seen = new Map<object, unknown>();
  let nodes = 0;
  const copy = (v: unknown, depth: number): unknown => {
    if (v === null || (typeof v !== 'object')) return v;
    const o = v as object;
    if (seen.has(o)) return seen.get(o);
    if (++nodes > COPY_LIMITS.nodes || depth > COPY_LIMITS.depth) throw new RangeError(`The value is too large or too deeply nested to compare (over ${COPY_LIMITS.nodes} objects or ${COPY_LIMITS.depth} levels).`);
    if (ArrayBuffer.isView(o) && !(o instanceof DataView)) {
      const tag = Object.prototype.toString.call(o).slice(8, -1);
      const Ctor = TYPED_ARRAYS[tag];
      if (Ctor) {
        const c = new Ctor(o as never);
        seen.set(o, c);
        return c;
      }
    }
    if (o instanceof Date) {
      const c = new Date(Date.prototype.getTime.call(o));
      seen.set(o, c);
      return c;
    }
    if (o instanceof Map) {
      const c = new Map();
      seen.set(o, c);
      for (const [k, x] of Map.prototype.entries.call(o)) c.set(copy(k, depth + 1), copy(x, depth + 1));
      return c;
    }
    if (o instanceof Set) {
      const c = new Set();
      seen.set(o, c);
      for (const x of Set.prototype.values.call(o)) c.add(copy(x, depth + 1));
      return c;
    }
    if (Array.isArray(o)) {
      const c: unknown[] = [];
      seen.set(o, c);
      const n = o.length;
      if (!Number.isSafeInteger(n) || n > COPY_LIMITS.nodes) throw new RangeError(`An array of length ${safeString(n)} is too large to compare.`);
      for (let i = 0; i < n; i++) c.push(copy(o[i], depth + 1));
      return c;
    }
    if (o instanceof Error) {
      const c = new Error(safeString((o as Error).message));
      c.name = safeString((o as Error).name);
      seen.set(o, c);
      return c;
    }
    if (typeof (o as { asymmetricMatch?: unknown }).asymmetricMatch === 'function') {
      throw new TypeError('Your code returned an object with an asymmetricMatch() method; the grader compares data, so such objects are not accepted.');
    }
    const c: Record<string, unknown> = {};
    seen.set(o, c);
    for (const k of Object.keys(o)) {
      const x = (o as Record<string, unknown>)[k];
      Object.defineProperty(c, k, { value: copy(x, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return c;
  };
  return copy(value, 0);
}

type Fn = () => unknown;
interface Suite {
  name: string;
  children: (Suite | TestCase)[];
  beforeAll: Fn[];
  afterAll: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
}
interface TestCase {
  name: string;
  fn: Fn;
}

function isSuite(x: Suite | TestCase): x is Suite {
  return 'children' in x;
}

/**
 * Builds a fresh Vitest-compatible `expect` (its own chai plugins and assertion state).
 * Its matcher state lives on the runner realm's global (`Symbol.for('$$jest-matchers-object')`
 * there); code in a compartment has another global object and cannot reach it. `expect(x)`
 * asserts on `dataCopy(x)`.
 */
export function createExpect(): ExpectStatic {
  chai.use(JestExtend);
  chai.use(JestChaiExpect);
  chai.use(JestAsymmetricMatchers);
  const expect = ((value: unknown, message?: string) => {
    const { assertionCalls } = getState(expect);
    setState({ assertionCalls: assertionCalls + 1 }, expect);
    // A data copy, taken once: matchers never see a learner's Proxy, getter or fake matcher.
    return chai.expect(dataCopy(value), message);
  }) as unknown as ExpectStatic;
  Object.assign(expect, chai.expect);
  Object.assign(expect, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT] as object);
  expect.getState = () => getState(expect);
  expect.setState = (state) => setState(state, expect);
  // JestExtend adds `extend` to chai's expect at run time; chai's types do not know it.
  expect.extend = (matchers) => (chai.expect as unknown as { extend(e: ExpectStatic, m: typeof matchers): void }).extend(expect, matchers);
  setState(
    {
      assertionCalls: 0,
      isExpectingAssertions: false,
      isExpectingAssertionsError: null,
      expectedAssertionsNumber: null,
      expectedAssertionsNumberErrorGen: null,
    },
    expect,
  );
  return expect;
}

/** Reads `obj[key]` without letting a throwing getter or Proxy trap escape: `fallback` instead. */
function read(obj: unknown, key: string, fallback: unknown = undefined): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return fallback;
  }
}

/**
 * Turns anything thrown into a `TestError`, with positions mapped to the given files.
 * Never throws: a thrown Proxy, a getter that throws or a `toString` that throws becomes a
 * readable message. (A getter that never returns is stopped by the host's deadline.)
 */
export function toTestError(thrown: unknown, files: string[]): TestError {
  try {
    return describeThrown(thrown, files);
  } catch {
    return { name: 'Thrown value', message: 'A value was thrown that the grader cannot read (its properties or its text throw when read).' };
  }
}

function describeThrown(thrown: unknown, files: string[]): TestError {
  let isError = false;
  try {
    isError = thrown instanceof Error || (!!thrown && typeof thrown === 'object' && 'message' in thrown && 'name' in thrown);
  } catch {
    isError = false;
  }
  if (isError) {
    const e = thrown as Error & { actual?: unknown; expected?: unknown; showDiff?: boolean };
    const name = safeString(read(e, 'name', 'Error') || 'Error');
    const message = safeString(read(e, 'message', 'a value was thrown whose message cannot be read (reading it throws)'));
    const out: TestError = { name: name.slice(0, 200), message: message.length > 4000 ? `${message.slice(0, 4000)}…` : message };
    let hasValues = false;
    try {
      hasValues = 'expected' in e || 'actual' in e;
    } catch {
      hasValues = false;
    }
    if (hasValues) {
      try {
        const expected = read(e, 'expected');
        const actual = read(e, 'actual');
        out.expected = stringify(expected, 6, { maxLength: 4000 });
        out.actual = stringify(actual, 6, { maxLength: 4000 });
        if (read(e, 'showDiff') !== false && out.expected !== out.actual) {
          const plain = (x: string) => x;
          const d = diff(expected, actual, { expand: false, includeChangeCounts: false, aColor: plain, bColor: plain, changeColor: plain, commonColor: plain, patchColor: plain, changeLineTrailingSpaceColor: plain, commonLineTrailingSpaceColor: plain, truncateAnnotationColor: plain });
          if (d && !/Compared values have no visual difference/.test(d)) out.diff = d;
        }
      } catch {
        /* values that cannot be printed: the message says enough */
        delete out.expected;
        delete out.actual;
        delete out.diff;
      }
    }
    const stack = read(e, 'stack');
    const loc = locate(typeof stack === 'string' ? stack : undefined, files);
    if (loc) out.location = loc;
    return out;
  }
  if (typeof thrown === 'string') {
    return { name: 'Thrown value', message: `A string was thrown, not an Error: ${JSON.stringify(thrown.length > 500 ? `${thrown.slice(0, 500)}…` : thrown)}` };
  }
  let shown: string;
  try {
    shown = format([thrown]);
    if (shown.length > 1000) shown = `${shown.slice(0, 1000)}…`;
  } catch {
    shown = safeString(thrown);
  }
  return { name: 'Thrown value', message: `A value that is not an Error was thrown: ${shown}` };
}

/** Finds the first stack frame in one of `files` and returns its 1-based source position. */
function locate(stack: string | undefined, files: string[]): TestError['location'] | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n')) {
    for (const file of files) {
      const i = line.indexOf(`${file}:`);
      if (i < 0) continue;
      const m = /^:(\d+):(\d+)/.exec(line.slice(i + file.length));
      if (m) return { file, line: Math.max(1, Number(m[1]) - FUNCTION_HEADER_LINES) };
    }
  }
  return undefined;
}

/** Options of one grading run. */
export interface GradeOptions {
  /** Called when the run enters a phase or starts a test (before it runs), so a host can name
   *  what was running if the deadline passes. Runs in the runner, out of reach of the code. */
  onPhase?: (phase: RunPhase) => void;
}

/** Freezes a module namespace's exports (a copy of the namespace; namespaces cannot be frozen). */
function frozenNamespace(ns: unknown): unknown {
  const copy: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(ns as object)) copy[k] = (ns as Record<string, unknown>)[k];
  return hardenValue(copy);
}

/**
 * Compiles and runs one exercise's tests against the learner's code, hardened (see the module
 * comment): calls `lockGrader()` first, so call it only in a grading thread or process.
 *
 * Resolves to `{type: 'result'}` when tests ran (passing or not), or `{type: 'error'}` when
 * a file does not compile (with line and column), a module throws while loading, or the
 * test file fails while collecting tests. Never rejects. What the code prints goes to
 * `capture` (the compartments' only console).
 */
export async function grade(
  input: GradeInput,
  capture: ConsoleCapture = new ConsoleCapture(),
  modules: Record<string, () => Promise<unknown>> = {},
  options: GradeOptions = {},
): Promise<GradeOutcome> {
  try {
    return await gradeHardened(input, capture, modules, options);
  } catch (e) {
    return { type: 'error', error: { kind: 'internal', file: input.testFile, message: `The grader failed: ${safeString(e instanceof Error ? e.message : e)}` } };
  }
}

async function gradeHardened(
  input: GradeInput,
  capture: ConsoleCapture,
  modules: Record<string, () => Promise<unknown>>,
  options: GradeOptions,
): Promise<GradeOutcome> {
  const t0 = now();
  lockGrader();
  const onPhase = (p: RunPhase) => {
    try {
      options.onPhase?.(p);
    } catch {
      /* a host's progress channel failing must not change the grade */
    }
  };
  const files = [input.learnerFile, input.testFile];
  const learner = compileTs(input.learnerSource, input.learnerFile);
  if (!learner.ok) return { type: 'error', error: { kind: 'compile', file: input.learnerFile, message: learner.message, line: learner.line, column: learner.column } };
  const tests = compileTs(input.testSource, input.testFile);
  if (!tests.ok) return { type: 'error', error: { kind: 'compile', file: input.testFile, message: tests.message, line: tests.line, column: tests.column } };

  // Load the simulator modules either file imports, so `require` can hand them out synchronously.
  const loaded = new Map<string, unknown>();
  for (const code of [learner.code, tests.code]) {
    for (const m of code.matchAll(/\brequire\(['"]([^'"]+)['"]\)/g)) {
      const name = m[1];
      if (loaded.has(name) || !Object.prototype.hasOwnProperty.call(modules, name)) continue;
      try {
        loaded.set(name, frozenNamespace(await modules[name]()));
      } catch (e) {
        return { type: 'error', error: { kind: 'internal', file: input.testFile, message: `Could not load ${name}: ${e instanceof Error ? e.message : safeString(e)}` } };
      }
    }
  }
  const consoleFor = () => hardenValue({ ...capture.console });
  const known = ['vitest', '@submission', ...Object.keys(modules)].map((n) => `"${n}"`).join(', ');
  const learnerRequire = hardenValue((name: string) => {
    name = safeString(name);
    if (loaded.has(name)) return loaded.get(name);
    throw new Error(`Cannot import "${name}": your code may import only ${Object.keys(modules).map((n) => `"${n}"`).join(', ') || 'nothing'}.`);
  });
  let learnerExports: unknown;
  onPhase({ phase: 'load' });
  try {
    const learnerCompartment = makeCompartment(input.learnerFile, { console: consoleFor() });
    learnerExports = (await evaluateModule(learner.code, input.learnerFile, learnerRequire, learnerCompartment)).exports;
  } catch (e) {
    return { type: 'error', error: loadError('load', input.learnerFile, e, files, 'Your code threw while it was loading') };
  }

  const root: Suite = { name: '', children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
  let current = root;
  const expect = createExpect();
  const it = (name: string, fn: Fn) => {
    current.children.push({ name: safeString(name), fn });
  };
  const api = Object.freeze({
    describe: (name: string, fn: Fn) => {
      const suite: Suite = { name: safeString(name), children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
      current.children.push(suite);
      const parent = current;
      current = suite;
      try {
        fn();
      } finally {
        current = parent;
      }
    },
    it,
    test: it,
    expect,
    beforeAll: (fn: Fn) => current.beforeAll.push(fn),
    afterAll: (fn: Fn) => current.afterAll.push(fn),
    beforeEach: (fn: Fn) => current.beforeEach.push(fn),
    afterEach: (fn: Fn) => current.afterEach.push(fn),
  });
  onPhase({ phase: 'collect' });
  try {
    const testCompartment = makeCompartment(input.testFile, { console: consoleFor() });
    await evaluateModule(
      tests.code,
      input.testFile,
      (name) => {
        if (name === 'vitest') return api;
        if (name === '@submission') return learnerExports;
        if (loaded.has(name)) return loaded.get(name);
        throw new Error(`Cannot import "${name}" in a test file (only ${known}).`);
      },
      testCompartment,
    );
  } catch (e) {
    return { type: 'error', error: loadError('collect', input.testFile, e, files, 'The tests could not be collected') };
  }

  const outcomes: TestOutcome[] = [];
  await runSuite(root, [], [], [], outcomes, files, onPhase);
  return {
    type: 'result',
    report: { file: input.testFile, tests: outcomes, console: capture.entries, consoleTruncated: capture.truncated, durationMs: Math.round((now() - t0) * 10) / 10 },
  };
}

async function runSuite(suite: Suite, path: string[], beforeEach: Fn[], afterEach: Fn[], out: TestOutcome[], files: string[], onPhase: (p: RunPhase) => void): Promise<void> {
  const be = [...beforeEach, ...suite.beforeEach];
  const ae = [...suite.afterEach, ...afterEach];
  let setupError: unknown = null;
  let setupFailed = false;
  for (const fn of suite.beforeAll) {
    try {
      await fn();
    } catch (e) {
      setupFailed = true;
      setupError = e;
      break;
    }
  }
  for (const child of suite.children) {
    if (isSuite(child)) {
      await runSuite(child, suite.name ? [...path, suite.name] : path, be, ae, out, files, onPhase);
      continue;
    }
    const suitePath = suite.name ? [...path, suite.name] : path;
    onPhase({ phase: 'test', suite: suitePath, name: child.name });
    const t0 = now();
    let error: TestError | undefined;
    if (setupFailed) {
      error = toTestError(setupError, files);
    } else {
      try {
        for (const fn of be) await fn();
        await child.fn();
      } catch (e) {
        error = toTestError(e, files);
      }
      for (const fn of ae) {
        try {
          await fn();
        } catch (e) {
          error ??= toTestError(e, files);
        }
      }
    }
    const outcome: TestOutcome = { name: child.name, suite: suitePath, state: error ? 'fail' : 'pass', durationMs: Math.round((now() - t0) * 10) / 10 };
    if (error) outcome.error = error;
    out.push(outcome);
  }
  for (const fn of suite.afterAll) {
    try {
      await fn();
    } catch {
      /* afterAll errors do not change test outcomes */
    }
  }
}

function loadError(kind: 'load' | 'collect', file: string, e: unknown, files: string[], prefix: string): GradeError {
  const te = toTestError(e, files);
  const err: GradeError = { kind, file: te.location?.file ?? file, message: `${prefix}: ${te.name === 'Thrown value' ? te.message : `${te.name}: ${te.message}`}` };
  if (te.location) err.line = te.location.line;
  return err;
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}
