/**
 * The fd table of one process: open, close, dup, dup2 and fcntl(F_DUPFD) on a table of
 * `limit` slots (RLIMIT_NOFILE), with the kernel's `next_fd` search hint shown.
 *
 * Models Linux 6.12 fs/file.c: alloc_fd() (search from max(start, files->next_fd) for the
 * lowest clear bit in open_fds; -EMFILE at RLIMIT_NOFILE; next_fd = fd + 1 when start <= next_fd),
 * __put_unused_fd() via close_fd() (clear the bit; next_fd = min(next_fd, fd)), dup(),
 * dup2() (equal fds: fd if open, else -EBADF) and ksys_dup3() (-EBADF for newfd >= RLIMIT_NOFILE
 * or a closed oldfd; an open newfd is replaced in place, no allocation), and fs/fcntl.c F_DUPFD
 * (fdget first: -EBADF; then f_dupfd(): -EINVAL for min >= RLIMIT_NOFILE; alloc_fd(min, ...)).
 * The same rules as the fd-table exercise (tests/unit/fd-sim.test.ts checks they agree).
 *
 * Departure from the kernel: the table never grows (the kernel expands its fdtable in steps of
 * BITS_PER_LONG up to RLIMIT_NOFILE; that changes no result). Every file is "/dev/null".
 */
import type { KernelSource, Model, StepEvent } from '../core/model.ts';

/** One system call on the table (the fd-table exercise's FdOp). */
export type FdOp =
  | { op: 'open' }                              // open("/dev/null", O_RDONLY)
  | { op: 'close'; fd: number }
  | { op: 'dup'; fd: number }
  | { op: 'dup2'; fd: number; newfd: number }
  | { op: 'dupfd'; fd: number; min: number };   // fcntl(fd, F_DUPFD, min)

/** Parameters: RLIMIT_NOFILE, an integer in 3..65536 (fds 0..limit-1 exist). */
export interface FdParams {
  limit: number;
}

/** What the last call did. */
export interface FdEvent extends StepEvent {
  op: FdOp;
  /** What the call returned: an fd, 0, or a negative errno (-9 EBADF, -22 EINVAL, -24 EMFILE). */
  ret: number;
  /** The C call as a program would write it, e.g. `dup2(3, 4)`. */
  call: string;
}

/** An immutable snapshot of the table. */
export interface FdState {
  limit: number;
  /** One entry per fd 0..limit-1: the id of the open file description it refers to, or null. */
  slots: (number | null)[];
  /** files->next_fd: where the next search for a free fd starts (a hint, lowered by close). */
  nextFd: number;
  /** Open file descriptions created so far (ids 0, 1, 2 are the terminal; 3 on are /dev/null). */
  files: number;
  /** The step into this state, or null for the initial state. */
  event: FdEvent | null;
}

export const EBADF = 9;
export const EINVAL = 22;
export const EMFILE = 24;
const ERRNO_NAMES: Record<number, string> = { [EBADF]: 'EBADF', [EINVAL]: 'EINVAL', [EMFILE]: 'EMFILE' };

/** The errno name for a negative return, e.g. -9 -> "EBADF"; undefined for a success. */
export function errnoName(ret: number): string | undefined {
  return ret < 0 ? ERRNO_NAMES[-ret] ?? `errno ${-ret}` : undefined;
}

const src = (file: string, fn: string): KernelSource => ({ file, fn, version: '6.12' });

/** The call as C, e.g. `fcntl(3, F_DUPFD, 10)`. */
export function callText(o: FdOp): string {
  switch (o.op) {
    case 'open': return 'open("/dev/null", O_RDONLY)';
    case 'close': return `close(${o.fd})`;
    case 'dup': return `dup(${o.fd})`;
    case 'dup2': return `dup2(${o.fd}, ${o.newfd})`;
    case 'dupfd': return `fcntl(${o.fd}, F_DUPFD, ${o.min})`;
  }
}

/**
 * A fresh process: fds 0, 1 and 2 open (stdin, stdout, stderr), next_fd 0.
 * @throws RangeError when `limit` is not an integer in 3..65536.
 */
export function initialState(params: FdParams): FdState {
  const { limit } = params;
  if (!Number.isInteger(limit) || limit < 3 || limit > 65536) throw new RangeError(`fd model: limit must be an integer in 3..65536, got ${limit}`);
  const slots: (number | null)[] = new Array(limit).fill(null);
  slots[0] = 0;
  slots[1] = 1;
  slots[2] = 2;
  return { limit, slots, nextFd: 0, files: 3, event: null };
}

const inRange = (s: FdState, n: number) => Number.isInteger(n) && n >= 0 && n < s.limit;
const isOpen = (s: FdState, fd: number) => inRange(s, fd) && s.slots[fd] !== null;

/** alloc_fd(start, limit): the fd and the new next_fd, or -EMFILE. */
function allocFd(s: FdState, start: number): { fd: number; nextFd: number } | null {
  let fd = Math.max(start, s.nextFd);
  while (fd < s.limit && s.slots[fd] !== null) fd++;
  if (fd >= s.limit) return null;
  return { fd, nextFd: start <= s.nextFd ? fd + 1 : s.nextFd };
}

/**
 * Applies one call and returns the new state; `event` says what it returned and why.
 * Pure: `state` is not changed. Any FdOp is accepted (Linux accepts any call; a bad one is an
 * errno in the result). @throws TypeError for something that is not an FdOp.
 */
export function step(state: FdState, op: FdOp): FdState {
  const s = state;
  const call = callText(op);
  const done = (ret: number, narration: string, source: KernelSource, slots = s.slots, nextFd = s.nextFd, files = s.files): FdState => ({
    limit: s.limit, slots, nextFd, files, event: { op, ret, call, narration: `${call} = ${ret < 0 ? `-1, errno ${errnoName(ret)}` : ret}: ${narration}`, source, actor: 'process' },
  });
  const allocInto = (start: number, file: number, newFiles: number, why: string, source: KernelSource) => {
    const a = allocFd(s, start);
    if (!a) return done(-EMFILE, `every fd from ${start} to ${s.limit - 1} is taken (RLIMIT_NOFILE is ${s.limit}).`, src('fs/file.c', 'alloc_fd'));
    const slots = s.slots.slice();
    slots[a.fd] = file;
    return done(a.fd, `${why} ${a.fd} is the lowest free fd${start > 0 ? ` at or above ${start}` : ''}.`, source, slots, a.nextFd, newFiles);
  };
  switch (op?.op) {
    case 'open':
      return allocInto(0, s.files, s.files + 1, 'a new open file;', src('fs/file.c', 'alloc_fd'));
    case 'close': {
      if (!isOpen(s, op.fd)) return done(-EBADF, `fd ${op.fd} is not open.`, src('fs/file.c', 'close_fd'));
      const slots = s.slots.slice();
      slots[op.fd] = null;
      return done(0, `fd ${op.fd} is free again${op.fd < s.nextFd ? `, and next_fd drops to ${op.fd}` : ''}.`, src('fs/file.c', '__put_unused_fd'), slots, Math.min(s.nextFd, op.fd));
    }
    case 'dup':
      if (!isOpen(s, op.fd)) return done(-EBADF, `fd ${op.fd} is not open.`, src('fs/file.c', 'dup'));
      return allocInto(0, s.slots[op.fd]!, s.files, `the same open file as fd ${op.fd};`, src('fs/file.c', 'dup'));
    case 'dup2': {
      if (op.fd === op.newfd) {
        return isOpen(s, op.fd)
          ? done(op.fd, `fd ${op.fd} is open, so dup2 onto itself changes nothing.`, src('fs/file.c', 'dup2'))
          : done(-EBADF, `fd ${op.fd} is not open.`, src('fs/file.c', 'dup2'));
      }
      if (!inRange(s, op.newfd)) return done(-EBADF, `newfd ${op.newfd} is outside 0..${s.limit - 1} (RLIMIT_NOFILE ${s.limit}).`, src('fs/file.c', 'ksys_dup3'));
      if (!isOpen(s, op.fd)) return done(-EBADF, `fd ${op.fd} is not open.`, src('fs/file.c', 'ksys_dup3'));
      const wasOpen = s.slots[op.newfd] !== null;
      const slots = s.slots.slice();
      slots[op.newfd] = s.slots[op.fd];
      return done(op.newfd, `fd ${op.newfd} now refers to fd ${op.fd}'s open file${wasOpen ? '; what it held before was closed silently' : ''}.`, src('fs/file.c', 'do_dup2'), slots);
    }
    case 'dupfd':
      if (!isOpen(s, op.fd)) return done(-EBADF, `fd ${op.fd} is not open (checked before min).`, src('fs/fcntl.c', 'do_fcntl'));
      if (!inRange(s, op.min)) return done(-EINVAL, `min ${op.min} is outside 0..${s.limit - 1} (RLIMIT_NOFILE ${s.limit}).`, src('fs/file.c', 'f_dupfd'));
      return allocInto(op.min, s.slots[op.fd]!, s.files, `the same open file as fd ${op.fd};`, src('fs/file.c', 'f_dupfd'));
    default:
      throw new TypeError(`fd model: not an fd op: ${JSON.stringify(op)}`);
  }
}

/** The return values of `ops` run from a fresh table (the exercise's runFdOps). */
export function runOps(ops: FdOp[], limit = 1024): number[] {
  let s = initialState({ limit });
  return ops.map((o) => (s = step(s, o)).event!.ret);
}

/** The open fds, ascending. */
export function openFds(s: FdState): number[] {
  const out: number[] = [];
  s.slots.forEach((f, fd) => { if (f !== null) out.push(fd); });
  return out;
}

/** The fd model on the shared Model interface (enabled() offers a small representative set). */
export const fdModel: Model<FdParams, FdState, FdOp> = {
  id: 'fd',
  initialState: (p) => initialState(p),
  enabled: (s) => {
    const open = openFds(s);
    const free = s.slots.findIndex((f) => f === null);
    return [
      { op: 'open' },
      ...open.flatMap((fd): FdOp[] => [{ op: 'close', fd }, { op: 'dup', fd }, ...(free >= 0 ? [{ op: 'dup2', fd, newfd: free } as FdOp] : [])]),
    ];
  },
  step,
  event: (s) => s.event,
  describeChoice: (_s, c) => callText(c),
  sameChoice: (a, b) => JSON.stringify(a) === JSON.stringify(b),
};
