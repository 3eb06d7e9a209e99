import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTs } from '../../components/grader/compile';
import { formatReport } from '../../components/grader/format';
import { ConsoleCapture, CONSOLE_LIMITS, grade } from '../../components/grader/runner';

const testSource = `import { describe, it, expect, beforeEach } from 'vitest';
import { add } from '@submission';
let calls = 0;
beforeEach(() => { calls++; });
describe('add', () => {
  it('adds small numbers', () => { expect(add(1, 2)).toBe(3); });
  it('adds negatives', async () => { await Promise.resolve(); expect(add(-1, -2)).toBe(-3); });
  it('ran beforeEach for every test', () => { expect(calls).toBe(3); });
});
`;
const input = (learnerSource: string) => ({ testSource, testFile: 'add.test.ts', learnerSource, learnerFile: 'submission.ts' });

describe('grade', () => {
  it('passes a correct submission, running async tests and beforeEach hooks', async () => {
    const out = await grade(input('export function add(a: number, b: number): number { return a + b; }'));
    expect(out.type).toBe('result');
    if (out.type !== 'result') return;
    expect(out.report.tests.map((t) => [t.suite.join('>'), t.name, t.state])).toEqual([
      ['add', 'adds small numbers', 'pass'],
      ['add', 'adds negatives', 'pass'],
      ['add', 'ran beforeEach for every test', 'pass'],
    ]);
  });

  it('reports expected and received values and the line of a failure', async () => {
    const out = await grade(input('export function add(a: number, b: number): number {\n  return a - b;\n}'));
    if (out.type !== 'result') throw new Error('expected a result');
    const failed = out.report.tests.find((t) => t.name === 'adds small numbers')!;
    expect(failed.state).toBe('fail');
    expect(failed.error).toMatchObject({ name: 'AssertionError', expected: '3', actual: '-1', location: { file: 'add.test.ts', line: 6 } });
    expect(failed.error!.message).toContain('expected -1 to be 3');
  });

  it('reports a syntax error with its line and column, and runs nothing', async () => {
    const out = await grade(input('export function add(a: number, b: number) {\n  return a +;\n}'));
    expect(out).toEqual({ type: 'error', error: { kind: 'compile', file: 'submission.ts', message: 'Unexpected token', line: 2, column: 13 } });
  });

  it('turns a thrown string into a failed test with a clear message', async () => {
    const out = await grade(input('export function add() { throw "boom"; }'));
    if (out.type !== 'result') throw new Error('expected a result');
    expect(out.report.tests[0].error).toEqual({ name: 'Thrown value', message: 'A string was thrown, not an Error: "boom"' });
  });

  it('turns a thrown plain object into a failed test that shows the object', async () => {
    const out = await grade(input('export function add() { throw { code: 42 }; }'));
    if (out.type !== 'result') throw new Error('expected a result');
    expect(out.report.tests[0].error?.message).toBe('A value that is not an Error was thrown: { code: 42 }');
  });

  it('reports code that throws while loading, with the line', async () => {
    const out = await grade(input('const x = 1;\nthrow new TypeError("bad start");\nexport const add = () => 0;'));
    expect(out).toEqual({ type: 'error', error: { kind: 'load', file: 'submission.ts', message: 'Your code threw while it was loading: TypeError: bad start', line: 2 } });
  });

  it('refuses imports other than vitest and @submission', async () => {
    const out = await grade({ ...input('export const add = (a: number, b: number) => a + b;'), testSource: `import fs from 'node:fs';\nfs.existsSync('x');\n${testSource}` });
    expect(out.type).toBe('error');
    if (out.type === 'error') expect(out.error.message).toContain('Cannot import "node:fs"');
  });

  it('caps console output and says so', async () => {
    const capture = new ConsoleCapture();
    for (let i = 0; i < 10_000; i++) capture.console.log('line', i, 'x'.repeat(100));
    expect(capture.entries.length).toBeLessThanOrEqual(CONSOLE_LIMITS.entries);
    expect(capture.entries.reduce((n, e) => n + e.text.length, 0)).toBeLessThanOrEqual(CONSOLE_LIMITS.totalChars + CONSOLE_LIMITS.entryChars);
    expect(capture.truncated).toBe(true);
    expect(capture.entries[0].text).toBe(`line 0 ${'x'.repeat(100)}`);
  });

  it('formats a Vitest-style report', async () => {
    const out = await grade(input('export function add(a: number, b: number): number { return a - b; }'));
    if (out.type !== 'result') throw new Error('expected a result');
    const text = formatReport(out.report, { color: false });
    expect(text).toContain(' ❯ add.test.ts (3 tests | 2 failed)');
    expect(text).toContain('   × add > adds small numbers');
    expect(text).toContain('   ✓ add > ran beforeEach for every test');
    expect(text).toContain(' FAIL  add.test.ts > add > adds small numbers');
    expect(text).toMatch(/Tests {2}2 failed \| 1 passed \(3\)/);
  });
});

describe('compileTs', () => {
  it('keeps line numbers when stripping types', () => {
    const r = compileTs('type A = number;\ninterface B { x: A }\nexport const y: A = 1;\nthrow new Error("line 4");', 'f.ts');
    if (!r.ok) throw new Error(r.message);
    expect(r.code.split('\n').findIndex((l) => l.includes('line 4'))).toBe(3);
  });
});

describe('npm run grade (CLI)', { timeout: 60_000 }, () => {
  const root = path.resolve(__dirname, '../..');
  const cli = (...args: string[]) => spawnSync(process.execPath, ['scripts/grade.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const tmp = mkdtempSync(path.join(tmpdir(), 'dpl-grade-'));

  it('exits 0 and prints a Vitest-style report for the reference solution', () => {
    const r = cli('circ-buffer', 'content/exercises/circ-buffer/solution.ts');
    expect(r.stdout).toMatch(/✓ circ-buffer\.test\.ts/);
    expect(r.stdout).toMatch(/Tests {2}\d+ passed/);
    expect(r.status).toBe(0);
  });

  it('exits 1 and prints JSON results with --json for the starter', () => {
    const r = cli('circ-buffer', 'content/exercises/circ-buffer/starter.ts', '--json');
    const json = JSON.parse(r.stdout);
    expect(json.passed).toBe(false);
    expect(json.outcome.type).toBe('result');
    expect(json.outcome.report.tests.some((t: { state: string }) => t.state === 'fail')).toBe(true);
    expect(r.status).toBe(1);
  });

  it('stops an endless loop at the deadline, names the test that was running, keeps what was printed, and exits 1', () => {
    const f = path.join(tmp, 'loop.ts');
    writeFileSync(f, 'console.log("loaded");\nexport function circSpaceToEnd(): number { console.log("spinning"); for (;;) {} }\nexport function uartWrite(): number { return 0; }\n');
    // 3 s: loading and the first test must fit before it even on a busy machine; the loop still hits it.
    const r = cli('circ-buffer', f, '--json', '--timeout', '3000');
    expect(JSON.parse(r.stdout).outcome).toEqual({
      type: 'timeout',
      deadlineMs: 3000,
      running: { phase: 'test', suite: ['circSpaceToEnd (CIRC_SPACE_TO_END)'], name: 'is size - 1 for an empty ring with head and tail at 0' },
      console: [
        { level: 'log', text: 'loaded' },
        { level: 'log', text: 'spinning' },
      ],
      consoleTruncated: false,
    });
    expect(r.status).toBe(1);
    const text = cli('circ-buffer', f, '--timeout', '3000').stdout;
    expect(text).toContain('Time ran out in the test "circSpaceToEnd (CIRC_SPACE_TO_END) > is size - 1 for an empty ring with head and tail at 0".');
    expect(text).toContain('spinning');
  });

  it('says when time ran out while the code was still loading', () => {
    // The loop never ends, so any deadline ends in it; 3 s (not less) so that on a busy
    // machine the compile and set-up before the load cannot use the whole deadline.
    const f = path.join(tmp, 'load-loop.ts');
    writeFileSync(f, 'console.log("top");\nwhile (true) {}\nexport const circSpaceToEnd = () => 0;\n');
    const json = JSON.parse(cli('circ-buffer', f, '--json', '--timeout', '3000').stdout);
    expect(json.outcome).toMatchObject({ type: 'timeout', running: { phase: 'load' }, console: [{ level: 'log', text: 'top' }] });
  });

  it('exits 2 with a usage message for an unknown exercise', () => {
    const r = cli('no-such-exercise', 'x.ts');
    expect(r.stderr).toContain('Unknown exercise "no-such-exercise"');
    expect(r.stderr).toContain('circ-buffer');
    expect(r.status).toBe(2);
  });
});

describe('exercises that drive a simulator', () => {
  const modules = { '@sims/tty': () => import('../../sims/tty/index.ts') };
  const sim = `import { describe, it, expect } from 'vitest';
import { ttyModel, TTY_PRESETS } from '@sims/tty';
import { finalText } from '@submission';
describe('sim', () => {
  it('drives the tty model', () => {
    expect(finalText(ttyModel, TTY_PRESETS['no-lock'])).toBe('AAAAAAAABBBBBBBAAAABBB');
  });
});
`;
  it('gives test and learner code the simulator modules they import', async () => {
    const learnerSource = `import { replay } from '@sims/tty';
import type { TtyState } from '@sims/tty';
export function finalText(model: any, preset: any): string {
  const states = replay(model, preset.params, 1, preset.schedule);
  const last: TtyState = states[states.length - 1];
  return last.received.map((c) => 'ABCD'[c.writer]).join('');
}`;
    const out = await grade({ testSource: sim, testFile: 'sim.test.ts', learnerSource, learnerFile: 'submission.ts' }, undefined, modules);
    expect(out.type).toBe('result');
    if (out.type === 'result') expect(out.report.tests.map((t) => t.state)).toEqual(['pass']);
  });

  it('refuses a module that is not in the table, naming what is allowed', async () => {
    const out = await grade({ testSource: sim, testFile: 'sim.test.ts', learnerSource: `import x from '@sims/nope';\nexport const finalText = () => String(x);`, learnerFile: 'submission.ts' }, undefined, modules);
    expect(out.type).toBe('error');
    if (out.type === 'error') expect(out.error.message).toContain('may import only "@sims/tty"');
  });
});

describe('hardening (in the runner itself)', () => {
  const probeTest = `import { describe, it, expect } from 'vitest';
import { probe } from '@submission';
describe('probe', () => { it('reports', () => { expect(probe()).toBe('none'); }); });
`;
  const run = (learnerSource: string) => grade({ testSource: probeTest, testFile: 'probe.test.ts', learnerSource, learnerFile: 'submission.ts' });

  it('gives learner code no host globals: process, self, postMessage, fetch, require, the matcher state', async () => {
    const out = await run(`export function probe() {
  const g: any = globalThis;
  // Function() makes strict functions in a compartment: \`this\` is undefined, not a global.
  const f: any = Function('return this')() ?? {};
  const seen = ['process', 'self', 'postMessage', 'fetch', 'require', 'importScripts', 'WorkerGlobalScope'].filter((k) => typeof g[k] !== 'undefined' || typeof f[k] !== 'undefined');
  if (g[Symbol.for('$$jest-matchers-object')] !== undefined) seen.push('matchers');
  return seen.length ? seen.join(',') : 'none';
}`);
    if (out.type !== 'result') throw new Error(JSON.stringify(out));
    expect(out.report.tests[0].state).toBe('pass');
  });

  it('refuses to let learner code poison Object.is, and the matcher state the runner uses stays clean', async () => {
    const out = await run(`try { (Object as any).is = () => true; } catch {}
try { (globalThis as any)[Symbol.for('$$jest-matchers-object')] = { customEqualityTesters: [() => true], matchers: {}, state: new WeakMap() }; } catch {}
export const probe = () => 'poisoned';`);
    if (out.type !== 'result') throw new Error(JSON.stringify(out));
    expect(out.report.tests[0]).toMatchObject({ state: 'fail', error: { message: "expected 'poisoned' to be 'none' // Object.is equality" } });
  });

  it('compares a data copy: an object posing as an asymmetric matcher, or a getter that answers twice, cannot fake a pass', async () => {
    const fake = await run("export const probe = () => ({ asymmetricMatch: () => true });");
    if (fake.type !== 'result') throw new Error(JSON.stringify(fake));
    expect(fake.report.tests[0].error?.message).toContain('asymmetricMatch');
    const eqTest = `import { it, expect } from 'vitest';
import { probe } from '@submission';
it('reads once', () => { const v = probe(); expect(v).toEqual({ x: 1 }); expect(v.reads).toBe(undefined); });
`;
    const out = await grade({ testSource: eqTest, testFile: 'eq.test.ts', learnerSource: 'let n = 0;\nexport const probe = () => ({ get x() { return ++n === 1 ? 1 : 2; } });', learnerFile: 'submission.ts' });
    if (out.type !== 'result') throw new Error(JSON.stringify(out));
    expect(out.report.tests[0].state).toBe('pass');
  });

  it('turns a thrown Proxy and a thrown value whose toString throws into readable failures', async () => {
    const out = await grade({
      testSource: `import { it, expect } from 'vitest';\nimport { a, b } from '@submission';\nit('a', () => { a(); });\nit('b', () => { b(); });\n`,
      testFile: 't.test.ts',
      learnerSource: `export function a() { throw new Proxy({}, { get() { throw new Error('trap'); }, has() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } }); }
export function b() { throw { toString() { throw new Error('no'); }, get message(): string { throw new Error('no'); } }; }`,
      learnerFile: 'submission.ts',
    });
    if (out.type !== 'result') throw new Error(JSON.stringify(out));
    expect(out.report.tests.map((t) => t.error?.message)).toEqual([
      expect.stringMatching(/^A value that is not an Error was thrown: \[\w+ that cannot be printed\]$/),
      expect.stringMatching(/^A value that is not an Error was thrown: \[\w+ that cannot be printed\]$/),
    ]);
  });

  it('reports the phase and each test before it runs, and streams console lines', async () => {
    const phases: string[] = [];
    const capture = new ConsoleCapture();
    const lines: string[] = [];
    capture.onEntry = (e) => lines.push(e.text);
    await grade(input('console.log("hi");\nexport const add = (a: number, b: number) => a + b;'), capture, {}, { onPhase: (p) => phases.push(p.phase === 'test' ? `test:${p.name}` : p.phase) });
    expect(phases).toEqual(['load', 'collect', 'test:adds small numbers', 'test:adds negatives', 'test:ran beforeEach for every test']);
    expect(lines).toEqual(['hi']);
  });
});

describe('timeouts', () => {
  it('a timeout says which test was running and keeps what was printed', async () => {
    const { RunProgress } = await import('../../components/grader/protocol');
    const { formatTimeout } = await import('../../components/grader/format');
    const p = new RunProgress();
    p.apply({ id: 1, type: 'phase', phase: { phase: 'test', suite: ['ring'], name: 'wraps' } });
    p.apply({ id: 1, type: 'console', entry: { level: 'log', text: 'head=7' }, truncated: false });
    p.apply({ id: 1, type: 'console', entry: { level: 'nope', text: 'x' }, truncated: false });
    const t = p.timeout(1, 2000);
    expect(t).toEqual({ id: 1, type: 'timeout', deadlineMs: 2000, running: { phase: 'test', suite: ['ring'], name: 'wraps' }, console: [{ level: 'log', text: 'head=7' }], consoleTruncated: false });
    const text = formatTimeout(t, { color: false });
    expect(text).toContain('Time ran out in the test "ring > wraps".');
    expect(text).toContain('head=7');
  });
});
