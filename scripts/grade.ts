/**
 * Command-line grader: runs an exercise's tests on any TypeScript file, in Node, through
 * the same runner as the browser grader.
 *
 *   npm run grade -- <exercise-id> <file.ts> [--json] [--timeout <ms>]
 *
 * Prints Vitest-style results (or, with --json, `{ exercise, file, outcome }` where
 * outcome is the same RunOutcome data the browser gets). Exit status: 0 when every test
 * passes, 1 when any fails, the code does not compile or load, or time runs out, 2 on a
 * usage error (unknown exercise, unreadable file).
 */
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { formatGradeError, formatReport, formatTimeout } from '../components/grader/format.ts';
import type { GradeOutcome } from '../components/grader/runner.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const exercisesDir = path.join(root, 'content', 'exercises');

type Outcome = GradeOutcome | { type: 'timeout'; deadlineMs: number };

function usage(message: string): never {
  process.stderr.write(`${message}\n\nUsage: npm run grade -- <exercise-id> <file.ts> [--json] [--timeout <ms>]\nExercises: ${listExercises().join(', ')}\n`);
  process.exit(2);
}

function listExercises(): string[] {
  return readdirSync(exercisesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(exercisesDir, d.name, `${d.name}.test.ts`)))
    .map((d) => d.name)
    .sort();
}

/** Runs the grade in a worker thread so an endless loop can be stopped at the deadline. */
export function gradeInThread(input: { testSource: string; testFile: string; learnerSource: string; learnerFile: string }, deadlineMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./grade-thread.ts', import.meta.url), { workerData: input, stdout: true, stderr: true });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ type: 'timeout', deadlineMs });
    }, deadlineMs);
    worker.once('message', (m: GradeOutcome) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      resolve({ type: 'error', error: { kind: 'internal', file: input.testFile, message: `The grader failed: ${e.message}` } });
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  let deadlineMs = 2000;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') continue;
    if (a === '--timeout') {
      deadlineMs = Number(args[++i]);
      if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) usage('--timeout needs a number of milliseconds.');
      continue;
    }
    if (a.startsWith('--')) usage(`Unknown option ${a}.`);
    positional.push(a);
  }
  if (positional.length !== 2) usage('Expected an exercise id and a file.');
  const [exercise, file] = positional;
  if (!listExercises().includes(exercise)) usage(`Unknown exercise "${exercise}".`);
  const filePath = path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
  let learnerSource: string;
  try {
    learnerSource = readFileSync(filePath, 'utf8');
  } catch (e) {
    usage(`Cannot read ${file}: ${(e as Error).message}`);
  }
  const testFile = `${exercise}.test.ts`;
  const testSource = readFileSync(path.join(exercisesDir, exercise, testFile), 'utf8');
  const outcome = await gradeInThread({ testSource, testFile, learnerSource, learnerFile: path.basename(filePath) }, deadlineMs);
  const passed = outcome.type === 'result' && outcome.report.tests.length > 0 && outcome.report.tests.every((t) => t.state === 'pass');
  if (json) {
    process.stdout.write(`${JSON.stringify({ exercise, file: filePath, passed, outcome }, null, 2)}\n`);
  } else {
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    const text =
      outcome.type === 'result' ? formatReport(outcome.report, { color }) : outcome.type === 'error' ? formatGradeError(outcome.error, { color }) : formatTimeout(outcome.deadlineMs, { color });
    process.stdout.write(`\n${text}\n\n`);
  }
  process.exitCode = passed ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
