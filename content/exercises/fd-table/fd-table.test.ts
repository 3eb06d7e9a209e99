import { describe, it, expect } from 'vitest';
import { runFdOps } from '@submission';

/**
 * Each case: a name, the RLIMIT_NOFILE it runs under (1024 when absent), the ops and what
 * Linux returns for each. The list between the markers is plain JSON: kernel-checks/ feeds the
 * same sequences to real syscalls (kernel-checks/fd-table.c) and checks these answers against
 * the kernel the tests run on, so every number below is the kernel's, not ours.
 */
type Case = { name: string; limit?: number; ops: any[]; expect: number[] };
const CASES: Case[] = /* fd-cases:begin */ [
  { "name": "open in a fresh process returns 3 (0, 1 and 2 are taken)", "ops": [{ "op": "open" }, { "op": "open" }], "expect": [3, 4] },
  { "name": "open after close(4) returns 4 again: fds do not only grow", "ops": [{ "op": "open" }, { "op": "open" }, { "op": "open" }, { "op": "close", "fd": 4 }, { "op": "open" }, { "op": "open" }], "expect": [3, 4, 5, 0, 4, 6] },
  { "name": "open returns the lowest free fd, not the one closed last", "ops": [{ "op": "open" }, { "op": "open" }, { "op": "open" }, { "op": "close", "fd": 5 }, { "op": "close", "fd": 3 }, { "op": "open" }, { "op": "open" }], "expect": [3, 4, 5, 0, 0, 3, 5] },
  { "name": "closing stdin makes 0 the lowest free fd", "ops": [{ "op": "close", "fd": 0 }, { "op": "open" }, { "op": "open" }], "expect": [0, 0, 3] },
  { "name": "stdin, stdout and stderr start open", "ops": [{ "op": "dup", "fd": 2 }, { "op": "close", "fd": 1 }, { "op": "dup", "fd": 0 }], "expect": [3, 0, 1] },
  { "name": "dup returns the lowest free fd", "ops": [{ "op": "open" }, { "op": "open" }, { "op": "close", "fd": 3 }, { "op": "dup", "fd": 4 }, { "op": "dup", "fd": 4 }], "expect": [3, 4, 0, 3, 5] },
  { "name": "dup of an fd that is not open is EBADF", "ops": [{ "op": "dup", "fd": 7 }, { "op": "dup", "fd": -1 }, { "op": "dup", "fd": 3 }, { "op": "dup", "fd": 5000 }], "expect": [-9, -9, -9, -9] },
  { "name": "close of a closed fd is EBADF", "ops": [{ "op": "open" }, { "op": "close", "fd": 3 }, { "op": "close", "fd": 3 }, { "op": "close", "fd": -1 }, { "op": "close", "fd": 1024 }], "expect": [3, 0, -9, -9, -9] },
  { "name": "dup2 onto a free fd returns newfd and leaves the lowest free fd alone", "ops": [{ "op": "open" }, { "op": "dup2", "fd": 3, "newfd": 10 }, { "op": "open" }, { "op": "close", "fd": 10 }, { "op": "close", "fd": 10 }], "expect": [3, 10, 4, 0, -9] },
  { "name": "dup2 onto an open fd closes it silently and returns newfd", "ops": [{ "op": "open" }, { "op": "open" }, { "op": "dup2", "fd": 3, "newfd": 4 }, { "op": "dup2", "fd": 0, "newfd": 1 }, { "op": "close", "fd": 4 }, { "op": "open" }, { "op": "open" }], "expect": [3, 4, 4, 1, 0, 4, 5] },
  { "name": "dup2(fd, fd) returns fd and keeps it open; on a closed fd it is EBADF", "ops": [{ "op": "open" }, { "op": "dup2", "fd": 3, "newfd": 3 }, { "op": "close", "fd": 3 }, { "op": "dup2", "fd": 3, "newfd": 3 }, { "op": "dup2", "fd": 1, "newfd": 1 }], "expect": [3, 3, 0, -9, 1] },
  { "name": "dup2 to a newfd at or past the limit, or negative, is EBADF", "limit": 8, "ops": [{ "op": "dup2", "fd": 0, "newfd": 8 }, { "op": "dup2", "fd": 0, "newfd": -1 }, { "op": "dup2", "fd": 0, "newfd": 7 }, { "op": "open" }], "expect": [-9, -9, 7, 3] },
  { "name": "dup2 from a closed fd is EBADF and leaves newfd open", "ops": [{ "op": "open" }, { "op": "dup2", "fd": 9, "newfd": 3 }, { "op": "close", "fd": 3 }], "expect": [3, -9, 0] },
  { "name": "F_DUPFD returns the lowest free fd at or above min", "ops": [{ "op": "dupfd", "fd": 0, "min": 10 }, { "op": "dupfd", "fd": 0, "min": 10 }, { "op": "dupfd", "fd": 0, "min": 0 }, { "op": "dupfd", "fd": 0, "min": 2 }, { "op": "open" }], "expect": [10, 11, 3, 4, 5] },
  { "name": "F_DUPFD with min at or past the limit, or negative, is EINVAL", "limit": 16, "ops": [{ "op": "dupfd", "fd": 0, "min": 16 }, { "op": "dupfd", "fd": 0, "min": -1 }, { "op": "dupfd", "fd": 0, "min": 15 }, { "op": "dupfd", "fd": 0, "min": 15 }], "expect": [-22, -22, 15, -24] },
  { "name": "F_DUPFD checks the fd before min: a closed fd is EBADF whatever min is", "limit": 16, "ops": [{ "op": "dupfd", "fd": 9, "min": 99999 }, { "op": "dupfd", "fd": 9, "min": 16 }, { "op": "dupfd", "fd": 9, "min": 4 }], "expect": [-9, -9, -9] },
  { "name": "EMFILE when every fd below the limit is taken", "limit": 5, "ops": [{ "op": "open" }, { "op": "open" }, { "op": "open" }, { "op": "dup", "fd": 0 }, { "op": "close", "fd": 3 }, { "op": "open" }], "expect": [3, 4, -24, -24, 0, 3] },
  { "name": "dup2 needs no free fd: it works when open fails with EMFILE", "limit": 5, "ops": [{ "op": "open" }, { "op": "open" }, { "op": "open" }, { "op": "dup2", "fd": 0, "newfd": 4 }, { "op": "close", "fd": 4 }], "expect": [3, 4, -24, 4, 0] },
  { "name": "with RLIMIT_NOFILE = 3 only 0, 1 and 2 exist", "limit": 3, "ops": [{ "op": "open" }, { "op": "dupfd", "fd": 0, "min": 0 }, { "op": "close", "fd": 2 }, { "op": "open" }, { "op": "close", "fd": 3 }], "expect": [-24, -24, 0, 2, -9] },
  { "name": "fds that are not integers are never open", "ops": [{ "op": "close", "fd": 1.5 }, { "op": "dup", "fd": 0.5 }, { "op": "dup2", "fd": 0, "newfd": 2.5 }, { "op": "dupfd", "fd": 0, "min": 0.5 }, { "op": "dupfd", "fd": 1.5, "min": 0.5 }], "expect": [-9, -9, -9, -22, -9] }
] /* fd-cases:end */;

/** One line per op: `dup2(3, 4)` and so on, for failure messages. */
function show(ops: any[]): string {
  return ops
    .map((o) => (o.op === 'open' ? 'open()' : o.op === 'dup2' ? `dup2(${o.fd}, ${o.newfd})` : o.op === 'dupfd' ? `fcntl(${o.fd}, F_DUPFD, ${o.min})` : `${o.op}(${o.fd})`))
    .join('; ');
}

describe('runFdOps (the fd table of one process)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const got = runFdOps(c.ops, c.limit);
      expect(got, `${show(c.ops)}${c.limit ? ` with RLIMIT_NOFILE ${c.limit}` : ''}`).toEqual(c.expect);
    });
  }

  it('uses RLIMIT_NOFILE 1024 when no limit is given', () => {
    const ops = [{ op: 'dupfd', fd: 0, min: 1023 }, { op: 'dupfd', fd: 0, min: 1023 }, { op: 'dupfd', fd: 0, min: 1024 }] as any[];
    expect(runFdOps(ops), show(ops)).toEqual([1023, -24, -22]);
  });

  it('does not keep state between calls: each call is a fresh process', () => {
    const ops = [{ op: 'open' }] as any[];
    expect(runFdOps(ops)).toEqual([3]);
    expect(runFdOps(ops), 'second call').toEqual([3]);
  });
});
