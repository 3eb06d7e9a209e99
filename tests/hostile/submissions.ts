/**
 * Hostile submissions: what a learner who wants a pass without a solution (or wants to touch
 * the grading machine) would try. The unit suite runs every one through `npm run grade`
 * (single and batch) and the e2e suite through the browser grader; each must fail with a
 * readable message, and none may leave a file behind.
 *
 * Each submission also exports wrong answers (0, or an all-zero span), so an attack that is
 * merely ignored still fails the tests rather than passing by accident.
 */

/** Exercises the hostile suite covers, with the wrong-but-well-typed exports it appends. */
export const HOSTILE_EXERCISES = {
  'circ-buffer': {
    lesson: '/lessons/tty-write-atomicity/',
    exports: (value: string) =>
      `export function circSpaceToEnd(head: number, tail: number, size: number): any { return ${value}; }\nexport function uartWrite(circ: { buf: Uint8Array; head: number; tail: number }, data: Uint8Array): any { return ${value}; }\n`,
    wrongValue: '0',
  },
  'page-span': {
    lesson: '/lessons/pinning-user-pages/',
    exports: (value: string) => `export function pageSpan(addr: number, len: number, pageSize = 4096): any { return ${value}; }\n`,
    wrongValue: '{ firstPage: 0, lastPage: 0, offset: 0, npages: 0 }',
  },
} as const;

export type HostileExercise = keyof typeof HOSTILE_EXERCISES;

/** How a hostile submission must end. */
export interface HostileCase {
  name: string;
  source: string;
  /** `load`: refused while loading; `tests`: tests ran and some failed; `timeout`; `crash-or-timeout`
   *  (a process stopped for memory, or by the deadline if the collector is still thrashing). */
  ends: 'load' | 'tests' | 'timeout' | 'crash-or-timeout';
  /** Text the readable message must contain (the load error, a failed test's message, or the crash). */
  message: RegExp;
  /** Only where Node runs it (an attack that would exhaust a browser's memory on a shared machine). */
  nodeOnly?: boolean;
}

/** A fake "all passed" report, as the worker and the CLI child would send it. */
const FAKE = `{ id: 1, type: 'result', nonce: 'x', outcome: { type: 'result', report: { file: 'x.test.ts', tests: [{ name: 'everything', suite: [], state: 'pass', durationMs: 1 }], console: [], consoleTruncated: false, durationMs: 1 } }, report: { file: 'x.test.ts', tests: [{ name: 'everything', suite: [], state: 'pass', durationMs: 1 }], console: [], consoleTruncated: false, durationMs: 1 } }`;

/**
 * The hostile submissions for `exercise`. `markerDir` is where an escape would leave files
 * (`marker-*`); `solutionPath` is the reference solution it tries to read.
 */
export function hostileCases(exercise: HostileExercise, markerDir: string, solutionPath: string): HostileCase[] {
  const ex = HOSTILE_EXERCISES[exercise];
  const wrong = ex.exports(ex.wrongValue);
  const m = (n: string) => JSON.stringify(`${markerDir}/marker-${exercise}-${n}`);
  return [
    {
      name: 'object-is',
      source: `(Object as any).is = () => true;\n${wrong}`,
      ends: 'load',
      message: /read only property 'is'/,
    },
    {
      name: 'prototypes',
      source: [
        "try { (Array.prototype as any).every = function () { return true; }; } catch { console.log('Array.prototype is frozen'); }",
        'try { (Number.prototype as any).valueOf = function () { return 7; }; } catch {}',
        "try { Object.defineProperty(Number.prototype, 'toString', { value: () => '7' }); } catch {}",
        'try { (Object.prototype as any).asymmetricMatch = () => true; } catch {}',
        wrong,
      ].join('\n'),
      ends: 'tests',
      message: /expected|to (deeply )?equal|to be/,
    },
    {
      name: 'matcher-state',
      source: [
        "const state = (globalThis as any)[Symbol.for('$$jest-matchers-object')];",
        'state.customEqualityTesters.push(() => true);',
        'state.matchers.toBe = () => ({ pass: true, message: () => "" });',
        wrong,
      ].join('\n'),
      ends: 'load',
      message: /customEqualityTesters/,
    },
    {
      // The three lines that faked "19 passed" before SES: poison Object.is, then make every toEqual pass.
      name: 'fake-pass',
      source: [
        'try { (Object as any).is = () => true; } catch {}',
        "const jest = (globalThis as any)[Symbol.for('$$jest-matchers-object')];",
        'jest.customEqualityTesters.push(() => true);',
        wrong,
      ].join('\n'),
      ends: 'load',
      message: /customEqualityTesters/,
    },
    {
      name: 'get-builtin-module',
      source: [
        "const fs = (globalThis as any).process.getBuiltinModule('node:fs');",
        `fs.writeFileSync(${m('fs')}, 'escaped');`,
        `(globalThis as any).process.getBuiltinModule('node:child_process').execSync('touch ' + ${m('sh')});`,
        wrong,
      ].join('\n'),
      ends: 'load',
      message: /getBuiltinModule/,
    },
    {
      name: 'function-this',
      source: [
        "const g = Function('return this')() ?? (0, eval)('this');",
        "let ctorEscape = 'none';",
        "try { ctorEscape = typeof (async () => {}).constructor('return this')(); } catch { ctorEscape = 'refused'; }",
        "console.log('AsyncFunction constructor:', ctorEscape);",
        `g.process.getBuiltinModule('node:child_process').execSync('touch ' + ${m('function')});`,
        wrong,
      ].join('\n'),
      ends: 'load',
      message: /reading 'getBuiltinModule'/,
    },
    {
      name: 'post-message',
      source: [`const fake = ${FAKE};`, "for (const target of [globalThis as any, (0, eval)('this')]) target.postMessage(fake);", wrong].join('\n'),
      ends: 'load',
      message: /postMessage is not a function/,
    },
    {
      name: 'parent-port',
      source: [`import { parentPort } from 'node:worker_threads';`, `parentPort!.postMessage(${FAKE});`, `(globalThis as any).process?.send?.(${FAKE});`, wrong].join('\n'),
      ends: 'load',
      message: /Cannot import "node:worker_threads"/,
    },
    {
      name: 'dynamic-import',
      source: [`const fs: any = await import('node:fs');`, `fs.writeFileSync(${m('import')}, 'escaped');`, wrong].join('\n'),
      ends: 'load',
      message: /Cannot import "node:fs"/,
    },
    {
      name: 'hidden-import',
      source: [`const load = Function('s', 'return imp' + 'ort(s)');`, `const fs: any = await load('node:fs');`, `fs.writeFileSync(${m('hidden')}, 'escaped');`, wrong].join('\n'),
      ends: 'load',
      message: /import expression rejected/,
    },
    {
      name: 'read-solution',
      source: [`import { readFileSync } from 'node:fs';`, `const solution = readFileSync(${JSON.stringify(solutionPath)}, 'utf8');`, 'console.log(solution);', wrong].join('\n'),
      ends: 'load',
      message: /Cannot import "node:fs"/,
    },
    {
      name: 'proxy',
      source: ex.exports("new Proxy({}, { get() { throw new Error('trap: get'); }, ownKeys() { throw new Error('trap: ownKeys'); }, getPrototypeOf() { throw new Error('trap: getPrototypeOf'); }, has() { throw new Error('trap: has'); } })"),
      ends: 'tests',
      message: /trap: /,
    },
    {
      name: 'throwing-getters',
      source: ex.exports("{ get firstPage() { throw new Error('getter says no'); }, get lastPage() { throw new Error('getter says no'); }, get offset() { throw new Error('getter says no'); }, get npages() { throw new Error('getter says no'); }, get valueOf() { throw new Error('getter says no'); } }"),
      ends: 'tests',
      message: /getter says no/,
    },
    {
      name: 'looping-getter',
      source: ex.exports('{ get firstPage(): number { for (;;) {} }, get offset(): number { for (;;) {} }, get npages(): number { for (;;) {} }, get lastPage(): number { for (;;) {} }, get length(): number { for (;;) {} } }'),
      ends: 'timeout',
      message: /Time ran out in the test/,
    },
    {
      name: 'fake-matcher',
      source: ex.exports('{ asymmetricMatch: () => true, $$typeof: Symbol.for("jest.asymmetricMatcher"), firstPage: 0 }'),
      ends: 'tests',
      message: /asymmetricMatch/,
    },
    {
      name: 'throw-hostile',
      source: [
        "const nasty = { toString() { throw new Error('toString says no'); }, get message(): string { throw new Error('message says no'); }, get name(): string { throw new Error('name says no'); } };",
        'const proxy = new Proxy({}, { get() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); }, has() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } });',
        'let n = 0;',
        ex.exports('(() => { throw (n++ % 2 ? proxy : nasty); })()'),
      ].join('\n'),
      ends: 'tests',
      message: /thrown|cannot read|cannot be printed/i,
    },
    {
      name: 'huge-allocation',
      source: ['const bufs: unknown[] = [];', 'let n = 0;', ex.exports("(() => { const k = n++ % 3; bufs.push(k === 0 ? new ArrayBuffer(2 ** 53) : k === 1 ? new Array(2 ** 32) : 'x'.repeat(2 ** 30)); return 0; })()")].join('\n'),
      ends: 'tests',
      message: /Invalid array buffer length|Array buffer allocation failed|Invalid array length|Invalid string length/,
    },
    {
      name: 'heap-exhaustion',
      source: ['const keep: number[][] = [];', ex.exports('(() => { for (;;) keep.push(new Array(1_000_000).fill(1.5)); })()')].join('\n'),
      ends: 'crash-or-timeout',
      message: /more memory than the grader allows|Time ran out in the test/,
      nodeOnly: true,
    },
  ];
}
