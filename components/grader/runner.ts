/**
 * The test runner shared by the browser grader, `npm run grade` and CI.
 *
 * It gives an exercise's test file the Vitest names it imports (`describe`, `it`, `test`,
 * `expect`, `beforeEach`, `afterEach`, `beforeAll`, `afterAll`), with `expect` built from
 * `@vitest/expect` (the same matchers and messages as Vitest), runs the tests in order, and
 * returns the results as data. No DOM, no Node APIs: it runs in a Worker and in Node alike.
 * The host (worker or CLI) enforces the deadline by terminating the thread.
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

  constructor() {
    const push = (level: ConsoleEntry['level']) => (...args: unknown[]) => this.push(level, args);
    this.console = { log: push('log'), info: push('info'), warn: push('warn'), error: push('error'), debug: push('debug') };
  }

  private push(level: ConsoleEntry['level'], args: unknown[]): void {
    if (this.truncated) return;
    if (this.entries.length >= CONSOLE_LIMITS.entries || this.total >= CONSOLE_LIMITS.totalChars) {
      this.truncated = true;
      return;
    }
    let text: string;
    try {
      text = format(args);
    } catch {
      text = args.map((a) => String(a)).join(' ');
    }
    if (text.length > CONSOLE_LIMITS.entryChars) text = `${text.slice(0, CONSOLE_LIMITS.entryChars)}… (${text.length - CONSOLE_LIMITS.entryChars} more characters)`;
    this.total += text.length;
    this.entries.push({ level, text });
  }
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

/** Builds a fresh Vitest-compatible `expect` (its own chai plugins and assertion state). */
export function createExpect(): ExpectStatic {
  chai.use(JestExtend);
  chai.use(JestChaiExpect);
  chai.use(JestAsymmetricMatchers);
  const expect = ((value: unknown, message?: string) => {
    const { assertionCalls } = getState(expect);
    setState({ assertionCalls: assertionCalls + 1 }, expect);
    return chai.expect(value, message);
  }) as unknown as ExpectStatic;
  Object.assign(expect, chai.expect);
  Object.assign(expect, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT] as object);
  expect.getState = () => getState(expect);
  expect.setState = (state) => setState(state, expect);
  expect.extend = (matchers) => chai.expect.extend(expect, matchers);
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

/** Turns anything thrown into a `TestError`, with positions mapped to the given files. */
export function toTestError(thrown: unknown, files: string[]): TestError {
  if (thrown instanceof Error || (thrown && typeof thrown === 'object' && 'message' in thrown && 'name' in thrown)) {
    const e = thrown as Error & { actual?: unknown; expected?: unknown; showDiff?: boolean };
    const out: TestError = { name: String(e.name || 'Error'), message: String(e.message) };
    if ('expected' in e || 'actual' in e) {
      try {
        out.expected = stringify(e.expected, 6, { maxLength: 4000 });
        out.actual = stringify(e.actual, 6, { maxLength: 4000 });
        if (e.showDiff !== false && out.expected !== out.actual) {
          const plain = (x: string) => x;
          const d = diff(e.expected, e.actual, { expand: false, includeChangeCounts: false, aColor: plain, bColor: plain, changeColor: plain, commonColor: plain, patchColor: plain, changeLineTrailingSpaceColor: plain, commonLineTrailingSpaceColor: plain, truncateAnnotationColor: plain });
          if (d && !/Compared values have no visual difference/.test(d)) out.diff = d;
        }
      } catch {
        /* values that cannot be printed: the message says enough */
      }
    }
    const loc = locate(e.stack, files);
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
    shown = Object.prototype.toString.call(thrown);
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

/**
 * Compiles and runs one exercise's tests against the learner's code.
 *
 * Resolves to `{type: 'result'}` when tests ran (passing or not), or `{type: 'error'}` when
 * a file does not compile (with line and column), a module throws while loading, or the
 * test file fails while collecting tests. Never rejects. Output the code prints goes to
 * whatever `console` the host installed; pass the capture so it lands in the report.
 */
export async function grade(
  input: GradeInput,
  capture: ConsoleCapture = new ConsoleCapture(),
  modules: Record<string, () => Promise<unknown>> = {},
): Promise<GradeOutcome> {
  const t0 = now();
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
      if (loaded.has(name) || !(name in modules)) continue;
      try {
        loaded.set(name, await modules[name]());
      } catch (e) {
        return { type: 'error', error: { kind: 'internal', file: input.testFile, message: `Could not load ${name}: ${e instanceof Error ? e.message : String(e)}` } };
      }
    }
  }
  const known = ['vitest', '@submission', ...Object.keys(modules)].map((n) => `"${n}"`).join(', ');
  let learnerExports: Record<string, unknown>;
  try {
    learnerExports = await evaluateModule(learner.code, input.learnerFile, (name) => {
      if (loaded.has(name)) return loaded.get(name);
      throw new Error(`Cannot import "${name}": your code may import only ${Object.keys(modules).map((n) => `"${n}"`).join(', ') || 'nothing'}.`);
    });
  } catch (e) {
    return { type: 'error', error: loadError('load', input.learnerFile, e, files, 'Your code threw while it was loading') };
  }

  const root: Suite = { name: '', children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
  let current = root;
  const expect = createExpect();
  const it = (name: string, fn: Fn) => {
    current.children.push({ name: String(name), fn });
  };
  const api = {
    describe: (name: string, fn: Fn) => {
      const suite: Suite = { name: String(name), children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
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
  };
  try {
    await evaluateModule(tests.code, input.testFile, (name) => {
      if (name === 'vitest') return api;
      if (name === '@submission') return learnerExports;
      if (loaded.has(name)) return loaded.get(name);
      throw new Error(`Cannot import "${name}" in a test file (only ${known}).`);
    });
  } catch (e) {
    return { type: 'error', error: loadError('collect', input.testFile, e, files, 'The tests could not be collected') };
  }

  const outcomes: TestOutcome[] = [];
  await runSuite(root, [], [], [], outcomes, files);
  return {
    type: 'result',
    report: { file: input.testFile, tests: outcomes, console: capture.entries, consoleTruncated: capture.truncated, durationMs: Math.round((now() - t0) * 10) / 10 },
  };
}

async function runSuite(suite: Suite, path: string[], beforeEach: Fn[], afterEach: Fn[], out: TestOutcome[], files: string[]): Promise<void> {
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
      await runSuite(child, suite.name ? [...path, suite.name] : path, be, ae, out, files);
      continue;
    }
    const suitePath = suite.name ? [...path, suite.name] : path;
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
