/**
 * Graded honestly (issue 13): hostile submissions fail with a readable message in
 * `npm run grade` (single and batch, non-zero exit) and leave no file behind; the grading
 * process runs under Node's permission model; batch grading survives hangs and crashes.
 * The browser side of the same submissions is tests/e2e/grader-hostile.spec.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childFlags, type SubmissionResult } from '../../scripts/grade';
import { HOSTILE_EXERCISES, hostileCases, type HostileCase, type HostileExercise } from '../hostile/submissions';

const root = path.resolve(__dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'dpl-hostile-'));
const markers = path.join(tmp, 'markers');
// Generous, so a busy machine cannot turn a quick verdict into a timeout (it counts from the
// grading process's start; a quick verdict takes well under a second).
const DEADLINE = '4000';
// The submissions that never finish (endless loops, memory exhaustion) burn CPU until the
// deadline, whatever it is: they get a shorter one, graded in a batch of their own. It still
// leaves a loaded machine room to load the submission, so the timeout names the running test.
const LOOP_DEADLINE = '3000';
/** Whether case `c` runs until stopped (its deadline is all it costs). */
const endless = (c: HostileCase) => c.ends === 'timeout' || c.ends === 'crash-or-timeout';
mkdirSync(markers);

/** Runs `npm run grade` (the script itself) and resolves with its exit status and output. */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['scripts/grade.ts', ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The readable text of an outcome: load/crash error, the failed tests' messages, or the timeout. */
function messages(r: Pick<SubmissionResult, 'outcome'>): string {
  const o = r.outcome;
  if (o.type === 'error') return o.error.message;
  if (o.type === 'timeout') return o.running?.phase === 'test' ? `Time ran out in the test "${[...o.running.suite, o.running.name].join(' > ')}"` : `Time ran out during ${o.running?.phase}`;
  return o.report.tests.map((t) => `${t.error?.name}: ${t.error?.message}`).join('\n');
}

function checkCase(c: HostileCase, r: Pick<SubmissionResult, 'outcome' | 'passed'>) {
  expect(r.passed, c.name).toBe(false);
  const o = r.outcome;
  switch (c.ends) {
    case 'load':
      expect(o.type === 'error' && o.error.kind, c.name).toBe('load');
      break;
    case 'tests':
      expect(o.type, c.name).toBe('result');
      if (o.type === 'result') expect(o.report.tests.some((t) => t.state === 'fail'), `${c.name}: tests fail`).toBe(true);
      break;
    case 'timeout':
      expect(o.type, c.name).toBe('timeout');
      break;
    case 'crash-or-timeout':
      expect(o.type === 'timeout' || (o.type === 'error' && o.error.kind === 'internal'), c.name).toBe(true);
      break;
  }
  const text = messages(r);
  expect(text, c.name).toMatch(c.message);
  // Readable: every failure has a message of its own.
  if (o.type === 'result') for (const t of o.report.tests.filter((x) => x.state === 'fail')) expect(t.error?.message.trim().length, c.name).toBeGreaterThan(3);
  if (o.type === 'error') expect(o.error.message.trim().length, c.name).toBeGreaterThan(3);
}

async function inPool<T>(items: T[], n: number, fn: (x: T) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

describe.each(Object.keys(HOSTILE_EXERCISES) as HostileExercise[])('hostile submissions for %s', (exercise) => {
  const solution = path.join(root, 'content/exercises', exercise, 'solution.ts');
  const cases = hostileCases(exercise, markers, solution);
  // Two folders: the submissions that end by themselves, and the endless ones (shorter deadline).
  const dirFor = (kind: 'quick' | 'endless') => path.join(tmp, exercise, kind);
  const dirOf = (c: HostileCase) => dirFor(endless(c) ? 'endless' : 'quick');
  for (const c of cases) {
    mkdirSync(dirOf(c), { recursive: true });
    writeFileSync(path.join(dirOf(c), `${c.name}.ts`), c.source);
  }

  it('each fails readably in a batch run, which exits 1 and writes the CSV', async () => {
    for (const [kind, deadline] of [['quick', DEADLINE], ['endless', LOOP_DEADLINE]] as const) {
      const batch = cases.filter((c) => (kind === 'endless') === endless(c));
      expect(batch.length, kind).toBeGreaterThan(0);
      const csv = path.join(tmp, `${exercise}-${kind}.csv`);
      const r = await cli(exercise, dirFor(kind), '--json', '--csv', csv, '--timeout', deadline);
      expect(r.status).toBe(1);
      const json = JSON.parse(r.stdout) as { passed: boolean; submissions: SubmissionResult[] };
      expect(json.passed).toBe(false);
      expect(json.submissions.map((s) => path.basename(s.file)).sort()).toEqual(batch.map((c) => `${c.name}.ts`).sort());
      for (const c of batch) checkCase(c, json.submissions.find((s) => path.basename(s.file) === `${c.name}.ts`)!);
      const rows = readFileSync(csv, 'utf8').trim().split('\n');
      expect(rows[0]).toBe('file,passed,passed_tests,total_tests,outcome,detail,wall_ms');
      expect(rows.length).toBe(batch.length + 1);
      expect(rows.slice(1).every((row) => row.split(',')[1] === 'no')).toBe(true);
    }
  }, 240_000);

  // Graded alone, a file goes through the same gradeMany as a batch (scripts/grade.ts) and only
  // the report differs: one submission of each ending covers the single-file path, and the
  // batch test above has checked every case's verdict and message.
  it('fails readably when graded alone, with exit status 1 (one submission of each ending)', async () => {
    const oneOfEach = [...new Set(cases.map((c) => c.ends))].map((ends) => cases.find((c) => c.ends === ends)!);
    expect(oneOfEach.map((c) => c.ends).sort()).toEqual(['crash-or-timeout', 'load', 'tests', 'timeout']);
    await inPool(oneOfEach, 2, async (c) => {
      const r = await cli(exercise, path.join(dirOf(c), `${c.name}.ts`), '--json', '--timeout', endless(c) ? LOOP_DEADLINE : DEADLINE);
      expect(r.status, c.name).toBe(1);
      checkCase(c, JSON.parse(r.stdout));
    });
  }, 300_000);

  it('left no file behind', () => {
    expect(readdirSync(markers)).toEqual([]);
  });
});

describe('the grading process runs without privileges', () => {
  const probe = (code: string) => spawnSync(process.execPath, [...childFlags(), '-e', code], { cwd: root, encoding: 'utf8' });

  it('the marker attack does write files when run unconfined (so the marker check means something)', () => {
    const control = path.join(tmp, 'control');
    mkdirSync(control);
    const c = hostileCases('circ-buffer', control, '').find((x) => x.name === 'get-builtin-module')!;
    const file = path.join(control, 'attack.ts');
    writeFileSync(file, c.source);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(control).filter((f) => f.startsWith('marker-')).sort()).toEqual(['marker-circ-buffer-fs', 'marker-circ-buffer-sh']);
  });

  it('may not read the exercises (their solutions), write, start processes or workers', () => {
    const solution = path.join(root, 'content/exercises/circ-buffer/solution.ts');
    const target = path.join(markers, 'marker-probe');
    const r = probe(
      [
        'const out = [];',
        `try { require('fs').readFileSync(${JSON.stringify(solution)}); out.push('read'); } catch (e) { out.push(e.code); }`,
        `try { require('fs').writeFileSync(${JSON.stringify(target)}, 'x'); out.push('wrote'); } catch (e) { out.push(e.code); }`,
        "try { require('child_process').execSync('true'); out.push('spawned'); } catch (e) { out.push(e.code); }",
        "try { new (require('worker_threads').Worker)('1', { eval: true }); out.push('worker'); } catch (e) { out.push(e.code); }",
        'console.log(out.join(","));',
      ].join('\n'),
    );
    expect(r.stdout.trim()).toBe('ERR_ACCESS_DENIED,ERR_ACCESS_DENIED,ERR_ACCESS_DENIED,ERR_ACCESS_DENIED');
    expect(existsSync(target)).toBe(false);
  });
});

describe('batch grading', () => {
  it('grades a mixed folder, keeps going past a hang, a crash and a syntax error, and exits 1', async () => {
    const dir = path.join(tmp, 'class');
    mkdirSync(dir);
    const solution = readFileSync(path.join(root, 'content/exercises/circ-buffer/solution.ts'), 'utf8');
    writeFileSync(path.join(dir, 'ada.ts'), solution);
    writeFileSync(path.join(dir, 'bob.ts'), readFileSync(path.join(root, 'content/exercises/circ-buffer/wrong/no-empty-slot.ts'), 'utf8'));
    writeFileSync(path.join(dir, 'cy.ts'), 'export function circSpaceToEnd(): number { for (;;) {} }\nexport const uartWrite = () => 0;\n');
    writeFileSync(path.join(dir, 'dee.ts'), 'export function circSpaceToEnd(: number {\n');
    writeFileSync(path.join(dir, 'eve.ts'), solution);
    writeFileSync(path.join(dir, 'notes.txt'), 'not a submission');
    const r = await cli('circ-buffer', dir, '--timeout', DEADLINE);
    expect(r.status).toBe(1);
    const table = r.stdout.split('\n').filter((l) => /\.ts\s/.test(l));
    expect(table.map((l) => l.split(/\s{2,}/).slice(0, 3).map((x, i) => (i === 0 ? path.basename(x) : x)))).toEqual([
      ['ada.ts', '19/19', 'passed'],
      ['bob.ts', expect.stringMatching(/^\d+\/19$/), 'failed'],
      ['cy.ts', '-', 'timeout'],
      ['dee.ts', '-', 'compile error'],
      ['eve.ts', '19/19', 'passed'],
    ]);
    expect(r.stdout).toContain('2 of 5 submissions passed');
  }, 120_000);

  it('exits 0 when every submission passes', async () => {
    const r = await cli('page-span', 'content/exercises/page-span/solution.ts', 'content/exercises/page-span/solution.ts', '--json', '--timeout', DEADLINE);
    expect(JSON.parse(r.stdout).submissions.map((s: SubmissionResult) => s.summary)).toEqual(['passed', 'passed']);
    expect(r.status).toBe(0);
  }, 120_000);
});
