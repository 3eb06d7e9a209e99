/**
 * Vitest-style text reports of grading outcomes, for the terminal panel and the CLI.
 * Colours are ANSI SGR codes when `color` is true.
 */
import type { ConsoleEntry, GradeError, GradeReport, RunPhase, TestOutcome } from './runner.ts';

export interface FormatOptions {
  color: boolean;
}

function paint(color: boolean) {
  const c = (open: number, close: number) => (s: string) => (color ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return {
    red: c(31, 39),
    green: c(32, 39),
    yellow: c(33, 39),
    cyan: c(36, 39),
    dim: c(2, 22),
    bold: c(1, 22),
    inverseRed: c(41, 49),
    inverseGreen: c(42, 49),
  };
}

/** The full name of a test as Vitest prints it: `suite > inner > test`. */
export function fullName(t: TestOutcome): string {
  return [...t.suite, t.name].join(' > ');
}

/** Formats a test report: one line per test, then the failures in detail, then a summary. */
export function formatReport(report: GradeReport, opts: FormatOptions): string {
  const p = paint(opts.color);
  const failed = report.tests.filter((t) => t.state === 'fail');
  const passed = report.tests.length - failed.length;
  const lines: string[] = [];
  const head = failed.length ? p.red('❯') : p.green('✓');
  lines.push(` ${head} ${report.file} ${p.dim(`(${report.tests.length} test${report.tests.length === 1 ? '' : 's'}${failed.length ? ` | ${p.red(`${failed.length} failed`)}` : ''})`)} ${p.dim(`${Math.round(report.durationMs)}ms`)}`);
  for (const t of report.tests) {
    lines.push(t.state === 'pass' ? `   ${p.green('✓')} ${fullName(t)}` : `   ${p.red('×')} ${fullName(t)}`);
  }
  if (report.console.length) {
    lines.push('', p.dim(' stdout | console output'));
    for (const e of report.console) lines.push(`${e.level === 'error' || e.level === 'warn' ? p.yellow(e.text) : e.text}`);
    if (report.consoleTruncated) lines.push(p.yellow(' … more output was dropped (limit reached)'));
  }
  if (failed.length) {
    lines.push('', p.red(`⎯⎯⎯⎯⎯⎯⎯ Failed Tests ${failed.length} ⎯⎯⎯⎯⎯⎯⎯`));
    for (const t of failed) {
      lines.push('', `${p.inverseRed(p.bold(' FAIL '))} ${report.file} > ${fullName(t)}`);
      const e = t.error;
      if (!e) continue;
      lines.push(p.red(`${p.bold(e.name)}: ${e.message}`));
      if (e.diff) {
        lines.push('');
        for (const l of e.diff.split('\n')) lines.push(l.startsWith('-') ? p.green(l) : l.startsWith('+') ? p.red(l) : l);
      } else if (e.expected !== undefined || e.actual !== undefined) {
        lines.push('', p.green(`- Expected: ${e.expected}`), p.red(`+ Received: ${e.actual}`));
      }
      if (e.location) lines.push(p.cyan(` ❯ ${e.location.file}:${e.location.line}`));
    }
  }
  lines.push('');
  const files = failed.length ? `${p.red(`1 failed`)} (1)` : `${p.green('1 passed')} (1)`;
  const tests = failed.length ? `${p.red(`${failed.length} failed`)} | ${p.green(`${passed} passed`)} (${report.tests.length})` : `${p.green(`${passed} passed`)} (${report.tests.length})`;
  lines.push(` Test Files  ${files}`, `      Tests  ${tests}`, `   Duration  ${Math.round(report.durationMs)}ms`);
  return lines.join('\n');
}

/** Formats an error that kept the tests from running (compile, load or collect). */
export function formatGradeError(error: GradeError, opts: FormatOptions): string {
  const p = paint(opts.color);
  const where = error.line ? `${error.file}:${error.line}${error.column ? `:${error.column}` : ''}` : error.file;
  const title = error.kind === 'compile' ? 'Syntax error' : error.kind === 'load' ? 'Error while loading your code' : error.kind === 'collect' ? 'Error while collecting tests' : 'Grading stopped';
  return [`${p.inverseRed(p.bold(' FAIL '))} ${title}`, p.red(error.message), p.cyan(` ❯ ${where}`), '', ` Test Files  ${p.red('1 failed')} (1)`, `      Tests  ${p.dim('no tests ran')}`].join('\n');
}

/** What a timeout knows: the deadline, what was running, what was printed before. */
export interface TimeoutInfo {
  deadlineMs: number;
  running?: RunPhase;
  console?: ConsoleEntry[];
  consoleTruncated?: boolean;
}

/**
 * One sentence naming what was running when time ran out, e.g.
 * `Time ran out in the test "circSpaceToEnd > wraps around".` (plain text, no colour).
 */
export function describeRunning(running: RunPhase | undefined): string {
  if (!running) return 'Time ran out before the tests started (the grader was still starting).';
  switch (running.phase) {
    case 'load':
      return 'Time ran out while your code was loading (in its top-level statements, before any test ran).';
    case 'collect':
      return 'Time ran out while the tests were being collected.';
    case 'test':
      return `Time ran out in the test "${[...running.suite, running.name].join(' > ')}".`;
  }
}

/** Formats a timeout: the deadline, what was running, a hint, and the output kept before it. */
export function formatTimeout(timeout: number | TimeoutInfo, opts: FormatOptions): string {
  const p = paint(opts.color);
  const t: TimeoutInfo = typeof timeout === 'number' ? { deadlineMs: timeout } : timeout;
  const lines = [
    `${p.inverseRed(p.bold(' FAIL '))} Stopped after ${t.deadlineMs / 1000} s`,
    p.red(`The tests did not finish within ${t.deadlineMs / 1000} s, so they were stopped. Look for a loop that never ends (a condition that never changes, or a pointer that never wraps).`),
  ];
  if (typeof timeout !== 'number') lines.push(p.yellow(describeRunning(t.running)));
  if (t.console?.length) {
    lines.push('', p.dim(' stdout | console output before the stop'));
    for (const e of t.console) lines.push(e.level === 'error' || e.level === 'warn' ? p.yellow(e.text) : e.text);
  }
  if (t.consoleTruncated) lines.push(p.yellow(' … more output was dropped (limit reached)'));
  return lines.join('\n');
}
