/**
 * The fd-table exercise's test sequences as input for kernel-checks/fd-table.c.
 *
 * The exercise's test file (content/exercises/fd-table/fd-table.test.ts) keeps its cases as
 * plain JSON between the markers `/* fd-cases:begin *\/` and `/* fd-cases:end *\/`. This
 * module reads them and writes one line per case: `<limit> <expected,...> <op> <op> ...`,
 * ops as `open`, `close:FD`, `dup:FD`, `dup2:FD:NEWFD`, `dupfd:FD:MIN`. Cases with an argument
 * that is not an integer are left out: no system call can be given 1.5.
 *
 * Regenerate kernel-checks/fd-table.cases after changing the tests:
 *   npx node kernel-checks/fd-cases.ts > kernel-checks/fd-table.cases
 * (tests/unit/kernel-checks.test.ts fails while the file is stale).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One op as the exercise spells it (FdOp). */
export type CaseOp = { op: 'open' } | { op: 'close' | 'dup'; fd: number } | { op: 'dup2'; fd: number; newfd: number } | { op: 'dupfd'; fd: number; min: number };
/** One test sequence: RLIMIT_NOFILE (1024 when absent), the ops and the expected results. */
export interface FdCase { name: string; limit?: number; ops: CaseOp[]; expect: number[] }

/** Default path of the exercise's test file. */
export const FD_TEST_FILE = path.resolve(import.meta.dirname, '../content/exercises/fd-table/fd-table.test.ts');

/**
 * Extracts the cases from the test file's source text.
 * @throws Error when the markers are missing or the text between them is not a JSON array.
 */
export function fdCasesFromTestSource(source: string): FdCase[] {
  const m = /\/\* fd-cases:begin \*\/([\s\S]*?)\/\* fd-cases:end \*\//.exec(source);
  if (!m) throw new Error('fd-table.test.ts: the fd-cases:begin / fd-cases:end markers are missing');
  const cases = JSON.parse(m[1]) as FdCase[];
  if (!Array.isArray(cases) || cases.length === 0) throw new Error('fd-table.test.ts: no cases between the markers');
  return cases;
}

/** The op in fd-table.c's input syntax. */
export function opToken(o: CaseOp): string {
  switch (o.op) {
    case 'open': return 'open';
    case 'close': case 'dup': return `${o.op}:${o.fd}`;
    case 'dup2': return `dup2:${o.fd}:${o.newfd}`;
    case 'dupfd': return `dupfd:${o.fd}:${o.min}`;
  }
}

/** True when every argument is an integer (so the sequence can be run with real system calls). */
export function kernelRunnable(c: { ops: CaseOp[] }): boolean {
  return c.ops.every((o) => Object.entries(o).every(([k, v]) => k === 'op' || Number.isInteger(v)));
}

/** One input line for fd-table.c; `expect` null writes `-` (print only, compare nothing). */
export function caseLine(c: { limit?: number; ops: CaseOp[] }, expect: number[] | null): string {
  return [String(c.limit ?? 1024), expect ? expect.join(',') : '-', ...c.ops.map(opToken)].join(' ');
}

/** The whole kernel-checks/fd-table.cases text for a test file's source. */
export function casesFile(source: string): string {
  const lines = fdCasesFromTestSource(source).filter(kernelRunnable).map((c) => caseLine(c, c.expect));
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  process.stdout.write(casesFile(readFileSync(FD_TEST_FILE, 'utf8')));
}
