// Mistake: fds only grow: open and dup hand out one more than the highest fd ever given, as if next_fd were the answer rather than a search hint that close() lowers.
export type FdOp =
  | { op: 'open' }                              // open("/dev/null", O_RDONLY)
  | { op: 'close'; fd: number }
  | { op: 'dup'; fd: number }
  | { op: 'dup2'; fd: number; newfd: number }
  | { op: 'dupfd'; fd: number; min: number };   // fcntl(fd, F_DUPFD, min)



export function runFdOps(ops: FdOp[], limit = 1024): number[] {
  const open = new Set([0, 1, 2]);
  let next = 3;
  const isOpen = (fd: number) => Number.isInteger(fd) && fd >= 0 && fd < limit && open.has(fd);
  const alloc = (start: number) => {
    const fd = Math.max(start, next);
    if (fd >= limit) return -24;
    open.add(fd);
    next = fd + 1;
    return fd;
  };
  return ops.map((o) => {
    switch (o.op) {
      case "open": return alloc(0);
      case "close": if (!isOpen(o.fd)) return -9; open.delete(o.fd); return 0;
      case "dup": return isOpen(o.fd) ? alloc(0) : -9;
      case "dup2":
        if (o.fd === o.newfd) return isOpen(o.fd) ? o.fd : -9;
        if (!Number.isInteger(o.newfd) || o.newfd < 0 || o.newfd >= limit || !isOpen(o.fd)) return -9;
        open.add(o.newfd); return o.newfd;
      case "dupfd":
        if (!isOpen(o.fd)) return -9;
        if (!Number.isInteger(o.min) || o.min < 0 || o.min >= limit) return -22;
        return alloc(o.min);
    }
  });
}
