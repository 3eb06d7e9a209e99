/** Worker-thread body of the command-line grader: captures console, grades, posts the outcome. */
import { parentPort, workerData } from 'node:worker_threads';
import { ConsoleCapture, grade, type GradeInput } from '../components/grader/runner.ts';
import { EXERCISE_MODULES } from '../components/grader/modules.ts';

const capture = new ConsoleCapture();
Object.assign(globalThis, { console: { ...console, ...capture.console } });
const outcome = await grade(workerData as GradeInput, capture, EXERCISE_MODULES);
try {
  parentPort?.postMessage(outcome);
} catch {
  parentPort?.postMessage(JSON.parse(JSON.stringify(outcome)));
}
