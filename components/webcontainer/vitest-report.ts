/**
 * Turns Vitest's JSON reporter output (`vitest run --reporter=json`, the Jest-compatible
 * shape: `testResults[].assertionResults[]`) into the in-page grader's `RunOutcome`, so a
 * run in the WebContainer shows exactly like one in the page. Pure; never throws.
 */
import type { RunOutcome } from '../grader/protocol.ts';
import type { GradeReport, TestError, TestOutcome } from '../grader/runner.ts';

interface AssertionJson {
  ancestorTitles?: unknown;
  title?: unknown;
  status?: unknown;
  duration?: unknown;
  failureMessages?: unknown;
}

interface FileJson {
  name?: unknown;
  status?: unknown;
  message?: unknown;
  assertionResults?: unknown;
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** A failure message as `TestError`: the error's name, its message without the stack, and `expected`/`received` when Vitest printed them. */
export function testErrorOf(raw: string, files: string[]): TestError {
  const text = stripAnsi(raw);
  const lines = text.split('\n');
  const stackAt = lines.findIndex((l) => /^\s+at /.test(l));
  const body = (stackAt >= 0 ? lines.slice(0, stackAt) : lines).join('\n').trim();
  const m = /^([A-Za-z]*Error):\s*([\s\S]*)$/.exec(body);
  const err: TestError = { name: m ? m[1] : 'Error', message: (m ? m[2] : body).trim().slice(0, 4000) };
  const exp = /^\s*- Expected\s*\n([\s\S]*?)\n\s*\+ Received\s*\n([\s\S]*?)(?:\n\s*\n|$)/m.exec(body);
  if (exp) err.diff = exp[0].trim();
  for (const line of stackAt >= 0 ? lines.slice(stackAt) : []) {
    const f = files.find((name) => line.includes(`/${name}:`) || line.includes(`(${name}:`));
    const pos = f ? new RegExp(`${f.replace(/\./g, '\\.')}:(\\d+)`).exec(line) : null;
    if (f && pos) {
      err.location = { file: f, line: Number(pos[1]) };
      break;
    }
  }
  return err;
}

const str = (x: unknown, d = '') => (typeof x === 'string' ? x : d);

/**
 * The outcome of a Vitest JSON report for test file `testFile` (learner file `learnerFile`).
 * `json` is the parsed report (anything: a malformed report becomes an `internal` error);
 * `durationMs` is the wall time of the run. A test file that failed before any test ran
 * (a syntax error, a throw while loading) becomes a `GradeError` naming the file.
 */
export function outcomeFromVitestJson(json: unknown, testFile: string, learnerFile: string, durationMs: number): RunOutcome {
  const bad = (message: string): RunOutcome => ({ id: 0, type: 'error', error: { kind: 'internal', file: testFile, message } });
  if (!json || typeof json !== 'object' || !Array.isArray((json as { testResults?: unknown }).testResults)) return bad('Vitest did not write a readable report.');
  const files = (json as { testResults: FileJson[] }).testResults;
  const file = files.find((f) => str(f.name).endsWith(`/${testFile}`) || str(f.name) === testFile) ?? files[0];
  if (!file) return bad(`Vitest found no test file (expected ${testFile}).`);
  const results = Array.isArray(file.assertionResults) ? (file.assertionResults as AssertionJson[]) : [];
  const message = stripAnsi(str(file.message)).trim();
  if (results.length === 0 && message) {
    const inLearner = message.includes(learnerFile);
    const line = new RegExp(`${(inLearner ? learnerFile : testFile).replace(/\./g, '\\.')}:(\\d+)(?::(\\d+))?`).exec(message);
    return {
      id: 0,
      type: 'error',
      error: {
        kind: /SyntaxError|Transform failed|Expected/.test(message) && inLearner ? 'compile' : inLearner ? 'load' : 'collect',
        file: inLearner ? learnerFile : testFile,
        message: message.split('\n').filter((l) => !/^\s+at /.test(l)).join('\n').slice(0, 4000),
        ...(line ? { line: Number(line[1]), ...(line[2] ? { column: Number(line[2]) } : {}) } : {}),
      },
    };
  }
  const tests: TestOutcome[] = results
    .filter((a) => a.status === 'passed' || a.status === 'failed')
    .map((a) => {
      const t: TestOutcome = {
        name: str(a.title, '(unnamed test)'),
        suite: Array.isArray(a.ancestorTitles) ? a.ancestorTitles.map((x) => str(x)) : [],
        state: a.status === 'passed' ? 'pass' : 'fail',
        durationMs: typeof a.duration === 'number' ? a.duration : 0,
      };
      const fm = Array.isArray(a.failureMessages) ? a.failureMessages.map((x) => str(x)).filter(Boolean) : [];
      if (t.state === 'fail') t.error = testErrorOf(fm[0] ?? 'The test failed (Vitest gave no message).', [learnerFile, testFile]);
      return t;
    });
  const report: GradeReport = { file: testFile, tests, console: [], consoleTruncated: false, durationMs };
  return { id: 0, type: 'result', report };
}
