/**
 * Vitest-style text reports of grading outcomes, for the terminal panel and the CLI.
 * Colours are ANSI SGR codes when `color` is true.
 */
import type { GradeError, GradeReport, TestOutcome } from './runner.ts';

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
  const title = error.kind === 'compile' ? 'Syntax error' : error.kind === 'load' ? 'Error while loading your code' : 'Error while collecting tests';
  return [`${p.inverseRed(p.bold(' FAIL '))} ${title}`, p.red(error.message), p.cyan(` ❯ ${where}`), '', ` Test Files  ${p.red('1 failed')} (1)`, `      Tests  ${p.dim('no tests ran')}`].join('\n');
}

/** Formats a timeout. */
export function formatTimeout(deadlineMs: number, opts: FormatOptions): string {
  const p = paint(opts.color);
  return [
    `${p.inverseRed(p.bold(' FAIL '))} Stopped after ${deadlineMs / 1000} s`,
    p.red(`The tests did not finish within ${deadlineMs / 1000} s, so they were stopped. Look for a loop that never ends (a condition that never changes, or a pointer that never wraps).`),
  ].join('\n');
}
