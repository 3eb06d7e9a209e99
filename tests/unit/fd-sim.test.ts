/** sims/fd and the fd-table exercise's reference solution follow the same rules. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runOps, type FdOp } from '../../sims/fd/index.ts';
import { runFdOps } from '../../content/exercises/fd-table/solution';
import { fdCasesFromTestSource, FD_TEST_FILE } from '../../kernel-checks/fd-cases';

it('sims/fd answers every sequence of the exercise\'s tests as the tests expect', () => {
  for (const c of fdCasesFromTestSource(readFileSync(FD_TEST_FILE, 'utf8'))) {
    expect(runOps(c.ops as FdOp[], c.limit), c.name).toEqual(c.expect);
  }
});

it('sims/fd and the reference solution agree on 2000 random sequences', () => {
  let s = 99;
  const rnd = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) % n;
  for (let i = 0; i < 2000; i++) {
    const limit = [3, 4, 6, 9][rnd(4)];
    const arg = () => [rnd(limit + 2) - 1, rnd(5), limit, 1.5][rnd(4)];
    const ops: FdOp[] = Array.from({ length: 1 + rnd(12) }, () => {
      const k = rnd(5);
      return k === 0 ? { op: 'open' } : k === 1 ? { op: 'close', fd: arg() } : k === 2 ? { op: 'dup', fd: arg() } : k === 3 ? { op: 'dup2', fd: arg(), newfd: arg() } : { op: 'dupfd', fd: arg(), min: arg() };
    });
    expect(runOps(ops, limit), JSON.stringify({ limit, ops })).toEqual(runFdOps(ops, limit));
  }
});
