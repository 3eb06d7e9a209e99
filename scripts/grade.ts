/**
 * Command-line grader: runs an exercise's tests on TypeScript files, in Node, through the same
 * runner as the browser grader, each submission in its own unprivileged child process.
 *
 *   npm run grade -- <exercise-id> <file-or-folder>... [--json] [--csv <file>] [--timeout <ms>] [--jobs <n>]
 *
 * One file: prints Vitest-style results (or, with --json, `{ exercise, file, passed, outcome }`
 * where outcome is the same RunOutcome data the browser gets). Several files or a folder (its
 * `*.ts` files, one per learner): grades them in parallel (up to the core count, or --jobs),
 * prints a summary table (file, passed/total, outcome), writes it as CSV with --csv and prints
 * `{ exercise, passed, submissions: [...] }` with --json. One submission that hangs, crashes or
 * runs out of memory does not stop the others.
 *
 * Each child runs `scripts/grade-thread.ts` under Node's permission model (`--permission`): it
 * may read only the grader, the simulators and node_modules (not the exercises, so not their
 * solutions), and may not write files, start processes or workers, or load addons; its heap
 * is capped (`GRADE_HEAP_MB`). Learner code runs in an SES compartment inside it besides.
 *
 * Exit status: 0 when every test of every submission passes; 1 when any fails, does not compile
 * or load, runs out of time or crashes; 2 on a usage error (unknown exercise, unreadable file).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatGradeError, formatReport, formatTimeout } from '../components/grader/format.ts';
import { RunProgress, type TimeoutOutcome } from '../components/grader/protocol.ts';
import type { GradeInput, GradeOutcome } from '../components/grader/runner.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const exercisesDir = path.join(root, 'content', 'exercises');

/** Heap limit of a grading process, in MiB. */
export const GRADE_HEAP_MB = 256;
/** How long a grading process may take to start (load and lock down) before it counts as crashed, in ms. */
export const START_LIMIT_MS = 60_000;

/** Every way grading one submission can end. */
export type Outcome = GradeOutcome | Omit<TimeoutOutcome, 'id'>;

/** One graded submission. */
export interface SubmissionResult {
  /** Path as given (relative to the working directory), or the absolute path. */
  file: string;
  passed: boolean;
  /** Tests that passed, and tests that ran (0 when none ran). */
  passedTests: number;
  totalTests: number;
  /** `passed`, `failed`, `compile error`, `load error`, `collect error`, `timeout`, `crashed`, `grader error`. */
  summary: string;
  outcome: Outcome;
  /** Wall time, process start to verdict, in ms. */
  wallMs: number;
}

function usage(message: string): never {
  process.stderr.write(`${message}\n\nUsage: npm run grade -- <exercise-id> <file-or-folder>... [--json] [--csv <file>] [--timeout <ms>] [--jobs <n>]\nExercises: ${listExercises().join(', ')}\n`);
  process.exit(2);
}

/** Exercise ids (folders of content/exercises with a test file), sorted. */
export function listExercises(): string[] {
  return readdirSync(exercisesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(exercisesDir, d.name, `${d.name}.test.ts`)))
    .map((d) => d.name)
    .sort();
}

/** The Node flags of a grading process: the permission model, read access to what grading needs. */
export function childFlags(): string[] {
  const read = [path.join(root, 'scripts', 'grade-thread.ts'), path.join(root, 'components', 'grader'), path.join(root, 'sims'), path.join(root, 'node_modules'), path.join(root, 'package.json')];
  return ['--permission', ...read.map((p) => `--allow-fs-read=${p}`), `--max-old-space-size=${GRADE_HEAP_MB}`, '--disable-warning=ExperimentalWarning', '--stack-size=984'];
}

/** Explains why a grading process ended without a verdict, from its exit and its stderr. */
function crashMessage(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  if (/heap out of memory|Allocation failed|invalid array length/i.test(stderr)) return `Your code used more memory than the grader allows (${GRADE_HEAP_MB} MB), so it was stopped.`;
  const denied = /ERR_ACCESS_DENIED[^\n]*|Access to this API has been restricted[^\n]*/.exec(stderr);
  if (denied) return `Your code tried something the grader does not allow (blocked by Node's permission model: ${denied[0].trim()}).`;
  return `The grader process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}).${stderr.trim() ? ` ${stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500)}` : ''}`;
}

/**
 * Grades one submission in a fresh child process under the permission model (see the module
 * comment). Resolves (never rejects) with the outcome: the runner's `result`/`error`, a
 * `timeout` naming what was running and keeping what was printed (the deadline counts from
 * the moment the process is ready, so start-up on a busy machine does not eat it), or an
 * `internal` error when the process crashed (with why: memory, a permission, a signal).
 */
export function gradeInProcess(input: GradeInput, deadlineMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const nonce = randomUUID();
    const child = spawn(process.execPath, [...childFlags(), path.join(root, 'scripts', 'grade-thread.ts')], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { NODE_OPTIONS: '', PATH: process.env.PATH ?? '' } });
    const progress = new RunProgress();
    let settled = false;
    let stderr = '';
    let buffered = '';
    let timer: NodeJS.Timeout = setTimeout(() => finish({ type: 'error', error: { kind: 'internal', file: input.testFile, message: `The grader did not start within ${START_LIMIT_MS / 1000} s.` } }), START_LIMIT_MS);
    const finish = (o: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(o);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let m: Record<string, unknown>;
        try {
          m = JSON.parse(line);
        } catch {
          continue;
        }
        if (m.type === 'ready') {
          clearTimeout(timer);
          timer = setTimeout(() => {
            const { id: _id, ...t } = progress.timeout(0, deadlineMs);
            finish(t);
          }, deadlineMs);
        } else if (m.type === 'done' && m.nonce === nonce) {
          finish(m.outcome as GradeOutcome);
        } else {
          progress.apply(m);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => {
      if (stderr.length < 20_000) stderr += c;
    });
    child.on('error', (e) => finish({ type: 'error', error: { kind: 'internal', file: input.testFile, message: `Could not start the grader: ${e.message}` } }));
    child.on('close', (code, signal) => finish({ type: 'error', error: { kind: 'internal', file: input.learnerFile, message: crashMessage(code, signal, stderr) } }));
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify({ nonce, input }));
  });
}

/** Reads an exercise's test file: `{ testSource, testFile }`. Throws for an unknown id. */
export function exerciseTests(exercise: string): { testSource: string; testFile: string } {
  if (!listExercises().includes(exercise)) throw new Error(`Unknown exercise "${exercise}".`);
  const testFile = `${exercise}.test.ts`;
  return { testFile, testSource: readFileSync(path.join(exercisesDir, exercise, testFile), 'utf8') };
}

/** Sums up an outcome for the table. */
export function summarize(file: string, outcome: Outcome, wallMs: number): SubmissionResult {
  const tests = outcome.type === 'result' ? outcome.report.tests : [];
  const passedTests = tests.filter((t) => t.state === 'pass').length;
  const passed = outcome.type === 'result' && tests.length > 0 && passedTests === tests.length;
  const summary =
    outcome.type === 'result'
      ? passed
        ? 'passed'
        : 'failed'
      : outcome.type === 'timeout'
        ? 'timeout'
        : outcome.error.kind === 'internal'
          ? /stopped unexpectedly|memory|permission/.test(outcome.error.message)
            ? 'crashed'
            : 'grader error'
          : `${outcome.error.kind} error`;
  return { file, passed, passedTests, totalTests: tests.length, summary, outcome, wallMs: Math.round(wallMs) };
}

/**
 * Grades `files` for `exercise`, at most `jobs` at a time, each in its own process.
 * Resolves with one result per file, in the order given. An unreadable file is a failed
 * result ("unreadable"), not an exception.
 */
export async function gradeMany(exercise: string, files: string[], opts: { deadlineMs?: number; jobs?: number; onResult?: (r: SubmissionResult) => void } = {}): Promise<SubmissionResult[]> {
  const { testSource, testFile } = exerciseTests(exercise);
  const deadlineMs = opts.deadlineMs ?? 2000;
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const results: SubmissionResult[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const file = files[i];
      const t0 = performance.now();
      let learnerSource: string;
      try {
        learnerSource = readFileSync(file, 'utf8');
      } catch (e) {
        const outcome: Outcome = { type: 'error', error: { kind: 'internal', file: path.basename(file), message: `Cannot read ${file}: ${(e as Error).message}` } };
        results[i] = { ...summarize(file, outcome, 0), summary: 'unreadable' };
        opts.onResult?.(results[i]);
        continue;
      }
      const outcome = await gradeInProcess({ testSource, testFile, learnerSource, learnerFile: path.basename(file) }, deadlineMs);
      results[i] = summarize(file, outcome, performance.now() - t0);
      opts.onResult?.(results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
  return results;
}

/** Expands folders to their `*.ts` files (sorted, not recursive); files are kept as given. */
export function expandInputs(inputs: string[], cwd: string): string[] {
  const out: string[] = [];
  for (const given of inputs) {
    const abs = path.resolve(cwd, given);
    let isDir = false;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      isDir = false;
    }
    if (isDir) {
      for (const f of readdirSync(abs).filter((n) => n.endsWith('.ts')).sort()) out.push(path.join(abs, f));
    } else {
      out.push(abs);
    }
  }
  return out;
}

const csvCell = (s: string | number) => (/[",\n]/.test(String(s)) ? `"${String(s).replace(/"/g, '""')}"` : String(s));

/** The summary table as CSV: file, passed, passed_tests, total_tests, outcome, detail, wall_ms. */
export function toCsv(results: SubmissionResult[]): string {
  const rows = [['file', 'passed', 'passed_tests', 'total_tests', 'outcome', 'detail', 'wall_ms'].join(',')];
  for (const r of results) rows.push([r.file, r.passed ? 'yes' : 'no', r.passedTests, r.totalTests, r.summary, detail(r), r.wallMs].map(csvCell).join(','));
  return `${rows.join('\n')}\n`;
}

/** One line on why a submission did not pass (the first failed test, the error, the timeout). */
function detail(r: SubmissionResult): string {
  const o = r.outcome;
  if (o.type === 'result') {
    const f = o.report.tests.find((t) => t.state === 'fail');
    return f ? `${[...f.suite, f.name].join(' > ')}: ${f.error?.message ?? ''}`.slice(0, 300) : '';
  }
  if (o.type === 'error') return `${o.error.message}${o.error.line ? ` (${o.error.file}:${o.error.line})` : ''}`.slice(0, 300);
  const running = o.running?.phase === 'test' ? ` in "${[...o.running.suite, o.running.name].join(' > ')}"` : o.running ? ` during ${o.running.phase}` : '';
  return `stopped after ${o.deadlineMs / 1000} s${running}`;
}

/** The summary table as aligned text. */
export function toTable(results: SubmissionResult[]): string {
  const rows = results.map((r) => [r.file, r.totalTests ? `${r.passedTests}/${r.totalTests}` : '-', r.summary, detail(r).slice(0, 80)]);
  const head = ['file', 'passed', 'outcome', 'detail'];
  const width = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const fmt = (r: string[]) => r.map((x, c) => (c === r.length - 1 ? x : x.padEnd(width[c]))).join('  ');
  return [fmt(head), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let json = false;
  let csv: string | null = null;
  let deadlineMs = 2000;
  let jobs = availableParallelism();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') json = true;
    else if (a === '--csv') {
      csv = args[++i];
      if (!csv) usage('--csv needs a file name.');
    } else if (a === '--timeout') {
      deadlineMs = Number(args[++i]);
      if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) usage('--timeout needs a number of milliseconds.');
    } else if (a === '--jobs') {
      jobs = Number(args[++i]);
      if (!Number.isInteger(jobs) || jobs < 1) usage('--jobs needs a whole number of at least 1.');
    } else if (a.startsWith('--')) usage(`Unknown option ${a}.`);
    else positional.push(a);
  }
  if (positional.length < 2) usage('Expected an exercise id and at least one file or folder.');
  const [exercise, ...inputs] = positional;
  if (!listExercises().includes(exercise)) usage(`Unknown exercise "${exercise}".`);
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const files = expandInputs(inputs, cwd);
  const single = inputs.length === 1 && files.length === 1 && !statSync(files[0], { throwIfNoEntry: false })?.isDirectory();
  if (files.length === 0) usage(`No .ts files in ${inputs.join(', ')}.`);
  if (single) {
    try {
      readFileSync(files[0]);
    } catch (e) {
      usage(`Cannot read ${inputs[0]}: ${(e as Error).message}`);
    }
  }
  const shown = (f: string) => path.relative(cwd, f) || f;
  const t0 = performance.now();
  const results = await gradeMany(exercise, files, {
    deadlineMs,
    jobs,
    onResult: single || json ? undefined : (r) => process.stderr.write(`  ${r.passed ? 'pass' : 'FAIL'}  ${shown(r.file)} (${r.summary})\n`),
  });
  const wallS = (performance.now() - t0) / 1000;
  for (const r of results) r.file = shown(r.file);
  const allPassed = results.every((r) => r.passed);
  if (csv) writeFileSync(path.resolve(cwd, csv), toCsv(results));
  if (single) {
    const { outcome, passed } = results[0];
    if (json) {
      process.stdout.write(`${JSON.stringify({ exercise, file: files[0], passed, outcome }, null, 2)}\n`);
    } else {
      const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
      const text = outcome.type === 'result' ? formatReport(outcome.report, { color }) : outcome.type === 'error' ? formatGradeError(outcome.error, { color }) : formatTimeout(outcome, { color });
      process.stdout.write(`\n${text}\n\n`);
    }
  } else if (json) {
    process.stdout.write(`${JSON.stringify({ exercise, passed: allPassed, wallSeconds: Math.round(wallS * 10) / 10, submissions: results }, null, 2)}\n`);
  } else {
    const n = results.filter((r) => r.passed).length;
    process.stdout.write(`\n${toTable(results)}\n\n${n} of ${results.length} submissions passed (${exercise}, ${wallS.toFixed(1)} s, ${Math.min(jobs, files.length)} at a time)\n`);
  }
  process.exitCode = allPassed ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
