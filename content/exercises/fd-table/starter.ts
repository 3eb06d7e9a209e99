export type FdOp =
  | { op: 'open' }                              // open("/dev/null", O_RDONLY)
  | { op: 'close'; fd: number }
  | { op: 'dup'; fd: number }
  | { op: 'dup2'; fd: number; newfd: number }
  | { op: 'dupfd'; fd: number; min: number };   // fcntl(fd, F_DUPFD, min)

/**
 * Runs `ops` in order in a fresh process whose fds 0, 1 and 2 are open, with RLIMIT_NOFILE = `limit`
 * (fds 0..limit-1 may be used; 3 <= limit <= 65536; default 1024). Returns, for each op, what Linux returns:
 * the new fd for open, dup and dupfd; 0 for a successful close; newfd for a successful dup2; or a negative errno:
 * -9 (EBADF) for an fd that is not open (negative, not an integer, at or past the limit, or closed), and for a
 * dup2 whose newfd is not an integer in 0..limit-1; -24 (EMFILE) when no fd that the call may use is free;
 * -22 (EINVAL) for dupfd whose min is not an integer in 0..limit-1 (checked after the fd: a closed fd gives EBADF).
 * dup2(fd, fd) returns fd when fd is open (and EBADF otherwise); dup2 onto an open newfd closes it silently.
 */
export function runFdOps(ops: FdOp[], limit = 1024): number[] {
  // A table that only grows: a start, and wrong. Keep one flag per fd instead.
  let next = 3;
  return ops.map((o) => {
    if (o.op === 'open') return next++;
    return 0;
  });
}
