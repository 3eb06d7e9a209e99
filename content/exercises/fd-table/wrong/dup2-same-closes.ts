// Mistake: dup2(fd, fd) closes fd (treating it as 'close newfd, then copy fd into it'), so fd is gone afterwards; Linux returns fd and changes nothing.
export type FdOp =
  | { op: 'open' }                              // open("/dev/null", O_RDONLY)
  | { op: 'close'; fd: number }
  | { op: 'dup'; fd: number }
  | { op: 'dup2'; fd: number; newfd: number }
  | { op: 'dupfd'; fd: number; min: number };   // fcntl(fd, F_DUPFD, min)

const EBADF = 9;
const EMFILE = 24;
const EINVAL = 22;

export function runFdOps(ops: FdOp[], limit = 1024): number[] {
  if (!Number.isInteger(limit) || limit < 3 || limit > 65536) {
    throw new RangeError(`runFdOps: limit must be an integer in 3..65536, got ${limit}`);
  }
  const open: boolean[] = new Array(limit).fill(false);
  open[0] = open[1] = open[2] = true;
  const inRange = (n: number) => Number.isInteger(n) && n >= 0 && n < limit;
  const isOpen = (fd: number) => inRange(fd) && open[fd];
  // alloc_fd(start, RLIMIT_NOFILE): the lowest free fd >= start, or -EMFILE.
  const alloc = (start: number) => {
    for (let fd = start; fd < limit; fd++) {
      if (!open[fd]) {
        open[fd] = true;
        return fd;
      }
    }
    return -EMFILE;
  };
  return ops.map((o) => {
    switch (o.op) {
      case 'open':
        return alloc(0);
      case 'close':
        if (!isOpen(o.fd)) return -EBADF;
        open[o.fd] = false;
        return 0;
      case 'dup':
        return isOpen(o.fd) ? alloc(0) : -EBADF;
      case 'dup2':
        if (o.fd === o.newfd) {
          if (!isOpen(o.fd)) return -EBADF;
          open[o.fd] = false; // wrong: closing newfd closes fd itself
          return o.fd;
        }
        if (!inRange(o.newfd) || !isOpen(o.fd)) return -EBADF;
        open[o.newfd] = true; // an open newfd is closed and reused in one step
        return o.newfd;
      case 'dupfd':
        if (!isOpen(o.fd)) return -EBADF;
        if (!inRange(o.min)) return -EINVAL;
        return alloc(o.min);
      default:
        throw new TypeError(`runFdOps: unknown op ${JSON.stringify(o)}`);
    }
  });
}
