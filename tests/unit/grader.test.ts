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

describe('npm run grade (CLI)', () => {
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

  it('stops an endless loop at the deadline and exits 1', () => {
    const f = path.join(tmp, 'loop.ts');
    writeFileSync(f, 'export function circSpaceToEnd(): number { for (;;) {} }\nexport function uartWrite(): number { return 0; }\n');
    const r = cli('circ-buffer', f, '--json', '--timeout', '500');
    expect(JSON.parse(r.stdout).outcome).toEqual({ type: 'timeout', deadlineMs: 500 });
    expect(r.status).toBe(1);
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
