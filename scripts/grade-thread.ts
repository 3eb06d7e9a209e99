/**
 * Body of the command-line grader's child process (started by scripts/grade.ts, one per
 * submission, under Node's permission model: it may read only the grader, the simulators and
 * node_modules; no writes, no child processes, no workers, no addons).
 *
 * Protocol: stdin carries one JSON object `{ nonce, input: GradeInput }`. Stdout carries JSON
 * lines: `{ type: 'ready' }` once the realm is locked down and the runner and the simulators the
 * files name are loaded (the parent starts the deadline then), progress notices (`phase`, `console`, see protocol.ts) as the run
 * goes, and finally `{ type: 'done', nonce, outcome }`. Learner and test code run in SES
 * compartments (runner.ts) and cannot reach `process`, stdout or this module's scope; the
 * nonce only lets the parent check the final line came from here.
 */
import { ConsoleCapture, grade, type GradeInput } from '../components/grader/runner.ts';
import { lockGrader } from '../components/grader/harden.ts';
import { EXERCISE_MODULES } from '../components/grader/modules.ts';

const write = (m: unknown) => {
  process.stdout.write(`${JSON.stringify(m)}\n`);
};

lockGrader();
let text = '';
for await (const chunk of process.stdin) text += chunk;
const { nonce, input } = JSON.parse(text) as { nonce: string; input: GradeInput };
// Load the simulators the files name before saying ready: the deadline is for the code, not for start-up.
const modules: Record<string, () => Promise<unknown>> = {};
for (const [name, load] of Object.entries(EXERCISE_MODULES)) {
  const named = input.testSource.includes(name) || input.learnerSource.includes(name);
  const loaded = named ? await load().then((m) => () => Promise.resolve(m), () => load) : load;
  modules[name] = loaded;
}
write({ type: 'ready' });
const capture = new ConsoleCapture();
capture.onEntry = (entry, truncated) => write({ id: 0, type: 'console', entry, truncated });
const outcome = await grade(input, capture, modules, { onPhase: (phase) => write({ id: 0, type: 'phase', phase }) });
let line: string;
try {
  line = JSON.stringify({ type: 'done', nonce, outcome });
} catch {
  line = JSON.stringify({ type: 'done', nonce, outcome: { type: 'error', error: { kind: 'internal', file: input.testFile, message: 'The results could not be serialised.' } } });
}
// Exit as soon as the line is out: whatever the code left pending (timers, promise chains) dies here.
process.stdout.write(`${line}\n`, () => process.exit(0));
