/**
 * kernel-checks/: every C program compiles with `cc -Wall -Werror -O2`, and those that need no
 * privileges run here, on the host kernel, and print what the side-questions lesson says.
 * Each prints one line `RESULT <name> ok|fail|skip key=value ...` and exits non-zero when the
 * kernel disagrees with the lesson. Timings are checked for sanity only (an order, never a value).
 * The fd-table exercise's own sequences run with real system calls, and the reference solution
 * must agree with the kernel on them and on a few hundred random sequences.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, arch } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casesFile, caseLine, FD_TEST_FILE, type CaseOp } from '../../kernel-checks/fd-cases';
import { runFdOps, type FdOp } from '../../content/exercises/fd-table/solution';

const run = promisify(execFile);
const dir = path.resolve(__dirname, '../../kernel-checks');
const lesson = readFileSync(path.resolve(__dirname, '../../content/lessons/side-questions/index.mdx'), 'utf8');
const programs = readdirSync(dir).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort();
const out = mkdtempSync(path.join(tmpdir(), 'kernel-checks-'));

/** Parses `RESULT name status k=v ...`. */
function result(stdout: string): { name: string; status: string; f: Record<string, string> } {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in:\n${stdout}`);
  const [, name, status, ...kv] = line.trim().split(/\s+/);
  return { name, status, f: Object.fromEntries(kv.map((p) => p.split('=') as [string, string])) };
}

/** Runs a compiled program (with optional stdin); resolves with stdout and the exit code. */
function exec(name: string, input?: string): Promise<{ stdout: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile(path.join(out, name), { timeout: 60_000 }, (err, stdout) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ stdout, code: err ? (err.code as number) : 0 });
    });
    // A program that exits without reading its input must not fail the test with EPIPE.
    child.stdin!.on('error', () => {});
    child.stdin!.end(input ?? '');
  });
}

beforeAll(async () => {
  await Promise.all(programs.map((p) => run('cc', ['-Wall', '-Werror', '-O2', '-o', path.join(out, p), path.join(dir, `${p}.c`)])));
}, 180_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** What each program must print: checks against the lesson's claims. Every program is listed. */
const CHECKS: Record<string, (r: ReturnType<typeof result>, stdout: string) => void> = {
  'lowest-fd': (r) => {
    expect(r.f).toMatchObject({ first: '3,4,5', after_close_4: '4', after_close_5_then_3: '3', then: '5' });
  },
  'fd-table': (r) => expect(Number(r.f.cases)).toBeGreaterThan(0),
  'ioctl-vs-sysfs': (r) => {
    const [i, p, o] = [r.f.ioctl_ns, r.f.pread_ns, r.f.open_read_close_ns].map(Number);
    for (const v of [i, p, o]) expect(v).toBeGreaterThan(0);
    expect(o, 'open+read+close costs more than pread on an open fd').toBeGreaterThan(p);
  },
  'demand-zero-faults': (r) => {
    const pages = Number(r.f.pages);
    expect(Number(r.f.first_touch), 'one fault per page on first touch').toBeGreaterThanOrEqual(pages * 0.9);
    expect(Number(r.f.second_touch), 'reused buffer').toBeLessThanOrEqual(pages * 0.1);
    expect(Number(r.f.populate_touch), 'after MAP_POPULATE').toBeLessThanOrEqual(pages * 0.1);
  },
  'sigbus-truncate': (r) => expect(r.f).toMatchObject({ before: 'ok', kept_page: 'ok', revoked_page: 'SIGBUS', si_code: 'BUS_ADRERR' }),
  'clflush-timing': (r) => {
    if (arch() !== 'x64' && arch() !== 'ia32') {
      expect(r.status).toBe('skip');
      return;
    }
    expect(Number(r.f.miss_ticks), 'a flushed line loads slower').toBeGreaterThan(Number(r.f.hit_ticks));
  },
  'tty-vmin-vtime': (r) => {
    expect(r.f).toMatchObject({ block_read: '3000', short_read: '10' });
    expect(Number(r.f.waited_ms)).toBeGreaterThanOrEqual(100);
  },
  'memcpy-bandwidth': (r) => expect(Number(r.f.mb_per_s)).toBeGreaterThanOrEqual(20),
  // Needs a real serial port (named on its command line); run bare, it must say so and skip.
  'uart-throughput': (r) => expect(r).toMatchObject({ status: 'skip', f: { reason: 'no-device' } }),
};
/** Programs whose whole RESULT line is the same on every Linux: the lesson shows it verbatim. */
const VERBATIM = ['lowest-fd', 'fd-table', 'sigbus-truncate', 'uart-throughput'];
/** Programs that need privileges (compiled, not run here). None yet. */
const PRIVILEGED = new Set<string>();

/** Programs of the tty and UIO lessons' "Run it on Linux 6.12" panels, tagged `// host: yes` or
 *  `// vm: yes`: tests/unit/kernel-checks-host.test.ts and tests/e2e/real-kernel.spec.ts run them. */
const panelProgram = (p: string) => /^\s*\/\/\s*(host|vm):\s*yes\s*$/m.test(readFileSync(path.join(dir, `${p}.c`), 'utf8')) && !(p in CHECKS);

it('has a check for every program, and the lesson shows every program', () => {
  expect(programs.length).toBeGreaterThanOrEqual(8);
  for (const p of programs.filter((x) => !panelProgram(x))) {
    expect(Object.keys(CHECKS).includes(p) || PRIVILEGED.has(p), `${p}.c has no check`).toBe(true);
    expect(lesson.includes(`kernel-checks/${p}.c`), `the lesson does not show ${p}.c`).toBe(true);
  }
});

describe.each(programs.filter((p) => !PRIVILEGED.has(p) && !panelProgram(p)))('%s', (p) => {
  it('runs, prints one RESULT line that agrees with the lesson, and exits 0', async () => {
    const { stdout, code } = await exec(p);
    const r = result(stdout);
    expect(r.name).toBe(p);
    expect(['ok', 'skip'], stdout).toContain(r.status);
    expect(code, stdout).toBe(0);
    CHECKS[p](r, stdout);
    if (VERBATIM.includes(p)) {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))!;
      expect(lesson.includes(`output="${line}"`), `the lesson shows ${p}'s output as ${line}`).toBe(true);
    }
  }, 90_000);
});

describe('fd-table: the exercise against the kernel', () => {
  it('kernel-checks/fd-table.cases is the exercise test file\'s sequences (regenerate: npx node kernel-checks/fd-cases.ts > kernel-checks/fd-table.cases)', () => {
    expect(readFileSync(path.join(dir, 'fd-table.cases'), 'utf8')).toBe(casesFile(readFileSync(FD_TEST_FILE, 'utf8')));
  });

  it('the kernel gives the answers the exercise\'s tests expect, sequence by sequence', async () => {
    const input = readFileSync(path.join(dir, 'fd-table.cases'), 'utf8');
    const { stdout, code } = await exec('fd-table', input);
    expect(stdout).not.toContain('MISMATCH');
    expect(result(stdout)).toMatchObject({ status: 'ok', f: { cases: String(input.trim().split('\n').length), mismatches: '0', errors: '0' } });
    expect(code).toBe(0);
  }, 90_000);

  it('the reference solution agrees with the kernel on 300 random sequences', async () => {
    // A fixed LCG, so a failure names a sequence that can be replayed.
    let s = 12345;
    const rnd = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const arg = (limit: number) => [rnd(limit + 2) - 1, rnd(6), limit, limit - 1][rnd(4)];
    const seqs: { limit: number; ops: CaseOp[] }[] = [];
    for (let i = 0; i < 300; i++) {
      const limit = [3, 4, 5, 8, 16][rnd(5)];
      const ops: CaseOp[] = [];
      for (let k = 0, n = 1 + rnd(14); k < n; k++) {
        const kind = rnd(6);
        ops.push(kind < 2 ? { op: 'open' } : kind === 2 ? { op: 'close', fd: arg(limit) } : kind === 3 ? { op: 'dup', fd: arg(limit) } : kind === 4 ? { op: 'dup2', fd: arg(limit), newfd: arg(limit) } : { op: 'dupfd', fd: arg(limit), min: arg(limit) });
      }
      seqs.push({ limit, ops });
    }
    const { stdout } = await exec('fd-table', seqs.map((q) => caseLine(q, null)).join('\n') + '\n');
    const kernel = stdout.split('\n').filter((l) => l.startsWith('CASE ')).map((l) => l.split(' ')[2]);
    expect(kernel.length).toBe(seqs.length);
    seqs.forEach((q, i) => {
      expect(runFdOps(q.ops as FdOp[], q.limit).join(','), `limit ${q.limit}: ${caseLine(q, null)}`).toBe(kernel[i]);
    });
  }, 90_000);
});
