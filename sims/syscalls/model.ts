/**
 * What setting N values costs through a sysfs attribute and through an ioctl: the system calls
 * each way makes, in order, and the kernel work they imply, counted. Nothing here is a time:
 * the model counts system calls, user/kernel crossings, bytes copied from user space, text
 * parses in the kernel, path lookups and open files created, from the program's structure.
 *
 * The ways (all set the same integer `value` N times; a made-up driver "demo" offers both):
 * - `sysfs-reopen`: for each value `open("/sys/devices/platform/demo/level", O_WRONLY)`,
 *   `write(fd, "128\n", 4)`, `close(fd)` (what `echo 128 > level` in a loop does).
 * - `sysfs-open`: open the attribute once, then `pwrite(fd, "128\n", 4, 0)` per value, close once.
 * - `ioctl`: open `/dev/demo` once, then `ioctl(fd, DEMO_SET_LEVEL, &v)` per value (a `__u32`,
 *   `_IOW`), close once.
 * - `ioctl-batch`: open `/dev/demo` once, one `ioctl(fd, DEMO_SET_LEVELS, &req)` whose struct
 *   (`__u32 count; __u32 pad; __u64 values`, 16 bytes; a `__u64` in place of a pointer as
 *   Documentation/driver-api/ioctl.rst advises) points at an array of N `__u32`, close once.
 *   Only for a driver that offers such a command.
 *
 * Kernel behaviour modelled (Linux 6.12, read in the 6.12.118 source):
 * - open: fs/open.c do_sys_openat2() copies the path in with getname() (strncpy_from_user, the
 *   path and its NUL), allocates an fd, and do_filp_open() -> fs/namei.c path_openat() ->
 *   link_path_walk() walks the path one component at a time: one path lookup per open. For a
 *   sysfs file, fs/kernfs/file.c kernfs_fop_open() allocates a kernfs_open_file and a seq_file
 *   (seq_open() "always", even for a write-only open) and restores FMODE_PWRITE for writers.
 * - write/pwrite on sysfs: fs/read_write.c ksys_write()/ksys_pwrite64() -> vfs_write() ->
 *   fs/kernfs/file.c kernfs_fop_write_iter(): kmalloc(len + 1) (unless the attribute has a
 *   preallocated buffer), copy_from_iter() of the text, a NUL added, then fs/sysfs/file.c
 *   sysfs_kf_write() calls the attribute's store(), which parses the text (typically with a
 *   kstrto*() function, include/linux/kstrtox.h). sysfs_kf_write() ignores the file position,
 *   so `pwrite` at 0 and a plain `write` reach store() the same way.
 * - ioctl: fs/ioctl.c SYSCALL_DEFINE3(ioctl) -> do_vfs_ioctl() (generic commands; a driver's
 *   command falls through with -ENOIOCTLCMD) -> vfs_ioctl() -> the driver's unlocked_ioctl(),
 *   which copies its argument with copy_from_user(). No text, no parse.
 * - close: fs/open.c SYSCALL_DEFINE1(close) -> file_close_fd(), then __fput_sync() runs the
 *   release (kernfs_fop_release() for sysfs) before returning to user space.
 * - Crossings: every system call enters the kernel once and returns once: 2 per call.
 *
 * Departures: the driver's own work in store() and unlocked_ioctl() besides the parse and the
 * copy is left out (it is the same work whichever way the value arrives); the kernel's checks
 * (security hooks, permission checks) are not counted separately.
 */
import type { KernelSource } from '../core/model.ts';

/** The four ways of setting a value. */
export type Way = 'sysfs-reopen' | 'sysfs-open' | 'ioctl' | 'ioctl-batch';

/** Every way, in the order the widget lists them. */
export const WAYS: readonly Way[] = ['sysfs-reopen', 'sysfs-open', 'ioctl', 'ioctl-batch'];

/** A short name for each way, as the widget and the narration write it. */
export const WAY_LABELS: Record<Way, string> = {
  'sysfs-reopen': 'sysfs: open, write, close each time',
  'sysfs-open': 'sysfs: kept open, pwrite at offset 0',
  ioctl: 'ioctl: one call per value',
  'ioctl-batch': 'ioctl: one call with all the values',
};

/** Parameters: how many values to set (`n`, an integer in 1..1,000,000) and which value (an integer in 0..2^31-1, default 128). */
export interface SyscallParams {
  way: Way;
  n: number;
  value?: number;
}

/** The kernel work one system call implies, counted. */
export interface CallCost {
  /** Bytes copied from user space into the kernel (path names, the text, ioctl arguments). */
  bytesIn: number;
  /** Text parses in the kernel (the attribute's store() reading a number). */
  parses: number;
  /** Path lookups (an open walks the path from the root). */
  lookups: number;
  /** Open files created (struct file and, for sysfs, kernfs_open_file and seq_file). */
  opens: number;
}

/** One system call as a program writes it, with what the kernel does for it. */
export interface Call extends CallCost {
  /** The call in C, e.g. `pwrite(fd, "128\n", 4, 0)`. */
  text: string;
  /** The kernel's path for it, in one line. */
  work: string;
  /** The kernel function that does the part that matters here (version 6.12). */
  source: KernelSource;
}

/** A run of calls made `repeat` times: setup (once), per value (N times), teardown (once). */
export interface CallGroup {
  phase: 'setup' | 'each' | 'teardown';
  repeat: number;
  calls: Call[];
}

/** Totals for a whole run. */
export interface Counts extends CallCost {
  syscalls: number;
  /** User -> kernel entries plus kernel -> user returns: twice the system calls. */
  crossings: number;
}

/** The plan of a run: the parameters and the calls, grouped. */
export interface Plan {
  way: Way;
  n: number;
  value: number;
  groups: CallGroup[];
}

/** The sysfs attribute and the device node of the made-up driver. */
export const SYSFS_PATH = '/sys/devices/platform/demo/level';
export const DEV_PATH = '/dev/demo';
/** sizeof the batch ioctl's request struct: __u32 count, __u32 pad, __u64 values (bytes). */
export const BATCH_STRUCT_BYTES = 16;
/** sizeof(__u32), the per-value ioctl's argument (bytes). */
export const U32_BYTES = 4;

const src = (file: string, fn: string): KernelSource => ({ file, fn, version: '6.12' });
/** Bytes of a C string literal with its NUL, as strncpy_from_user copies it. */
const pathBytes = (p: string) => p.length + 1;
/** `128` -> `"128\n"` as C writes it, and its length (the newline counts). */
function valueText(value: number): { c: string; len: number } {
  const t = String(value);
  return { c: `"${t}\\n"`, len: t.length + 1 };
}

function openCall(path: string, sysfs: boolean): Call {
  return {
    text: `fd = open("${path}", O_WRONLY)`,
    work: sysfs
      ? 'getname() copies the path in; link_path_walk() looks it up; kernfs_fop_open() allocates a kernfs_open_file and a seq_file'
      : 'getname() copies the path in; link_path_walk() looks it up; the driver\'s open() runs',
    source: sysfs ? src('fs/kernfs/file.c', 'kernfs_fop_open') : src('fs/open.c', 'do_sys_openat2'),
    bytesIn: pathBytes(path), parses: 0, lookups: 1, opens: 1,
  };
}

function closeCall(sysfs: boolean): Call {
  return {
    text: 'close(fd)',
    work: sysfs ? 'file_close_fd(), then __fput_sync() runs kernfs_fop_release() and frees the open file' : 'file_close_fd(), then __fput_sync() runs the driver\'s release() and frees the open file',
    source: src('fs/open.c', 'SYSCALL_DEFINE1(close)'),
    bytesIn: 0, parses: 0, lookups: 0, opens: 0,
  };
}

function storeCall(kind: 'write' | 'pwrite', value: number): Call {
  const t = valueText(value);
  return {
    text: kind === 'write' ? `write(fd, ${t.c}, ${t.len})` : `pwrite(fd, ${t.c}, ${t.len}, 0)`,
    work: `kernfs_fop_write_iter() kmallocs a buffer and copies the ${t.len} bytes in; sysfs_kf_write() calls store(), which parses the text (kstrtouint)`,
    source: src('fs/kernfs/file.c', 'kernfs_fop_write_iter'),
    bytesIn: t.len, parses: 1, lookups: 0, opens: 0,
  };
}

/**
 * The calls of a run, grouped by phase.
 * @throws RangeError for an unknown way, `n` not an integer in 1..1,000,000, or a `value` not an integer in 0..2^31-1.
 */
export function plan(params: SyscallParams): Plan {
  const { way, n } = params;
  const value = params.value ?? 128;
  if (!WAYS.includes(way)) throw new RangeError(`syscalls model: unknown way ${JSON.stringify(way)}; expected one of ${WAYS.join(', ')}`);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new RangeError(`syscalls model: n must be an integer in 1..1000000, got ${n}`);
  if (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) throw new RangeError(`syscalls model: value must be an integer in 0..2147483647, got ${value}`);
  let groups: CallGroup[];
  switch (way) {
    case 'sysfs-reopen':
      groups = [{ phase: 'each', repeat: n, calls: [openCall(SYSFS_PATH, true), storeCall('write', value), closeCall(true)] }];
      break;
    case 'sysfs-open':
      groups = [
        { phase: 'setup', repeat: 1, calls: [openCall(SYSFS_PATH, true)] },
        { phase: 'each', repeat: n, calls: [storeCall('pwrite', value)] },
        { phase: 'teardown', repeat: 1, calls: [closeCall(true)] },
      ];
      break;
    case 'ioctl':
      groups = [
        { phase: 'setup', repeat: 1, calls: [openCall(DEV_PATH, false)] },
        {
          phase: 'each', repeat: n, calls: [{
            text: 'ioctl(fd, DEMO_SET_LEVEL, &v)',
            work: `vfs_ioctl() calls the driver's unlocked_ioctl(), which copy_from_user()s the ${U32_BYTES}-byte __u32; no text, no parse`,
            source: src('fs/ioctl.c', 'vfs_ioctl'),
            bytesIn: U32_BYTES, parses: 0, lookups: 0, opens: 0,
          }],
        },
        { phase: 'teardown', repeat: 1, calls: [closeCall(false)] },
      ];
      break;
    case 'ioctl-batch':
      groups = [
        { phase: 'setup', repeat: 1, calls: [openCall(DEV_PATH, false)] },
        {
          phase: 'each', repeat: 1, calls: [{
            text: `ioctl(fd, DEMO_SET_LEVELS, &req) /* req.count = ${n} */`,
            work: `unlocked_ioctl() copy_from_user()s the ${BATCH_STRUCT_BYTES}-byte request, then the ${n} values (${n * U32_BYTES} bytes) it points to`,
            source: src('fs/ioctl.c', 'vfs_ioctl'),
            bytesIn: BATCH_STRUCT_BYTES + n * U32_BYTES, parses: 0, lookups: 0, opens: 0,
          }],
        },
        { phase: 'teardown', repeat: 1, calls: [closeCall(false)] },
      ];
      break;
  }
  return { way, n, value, groups };
}

/** Every call of the run in order (length = the system call count; at most a few million). */
export function expand(p: Plan): Call[] {
  return p.groups.flatMap((g) => Array.from({ length: g.repeat }, () => g.calls).flat());
}

/** The totals of a run, from its groups (the same as summing `expand(p)`, without expanding). */
export function counts(p: Plan): Counts {
  const c: Counts = { syscalls: 0, crossings: 0, bytesIn: 0, parses: 0, lookups: 0, opens: 0 };
  for (const g of p.groups) {
    for (const call of g.calls) {
      c.syscalls += g.repeat;
      c.bytesIn += g.repeat * call.bytesIn;
      c.parses += g.repeat * call.parses;
      c.lookups += g.repeat * call.lookups;
      c.opens += g.repeat * call.opens;
    }
  }
  c.crossings = 2 * c.syscalls;
  return c;
}

/** The totals of every way for the same `n` and `value`, in WAYS order. */
export function compare(n: number, value = 128): { way: Way; counts: Counts }[] {
  return WAYS.map((way) => ({ way, counts: counts(plan({ way, n, value })) }));
}

/** One sentence on a run, for a caption or a live region. */
export function summary(p: Plan): string {
  const c = counts(p);
  const v = p.n === 1 ? '1 value' : `${p.n.toLocaleString('en-US')} values`;
  const parts = [
    `${c.syscalls.toLocaleString('en-US')} system call${c.syscalls === 1 ? '' : 's'}`,
    `${c.crossings.toLocaleString('en-US')} crossings`,
    `${c.bytesIn.toLocaleString('en-US')} bytes copied in`,
    `${c.parses.toLocaleString('en-US')} text parse${c.parses === 1 ? '' : 's'}`,
    `${c.lookups.toLocaleString('en-US')} path lookup${c.lookups === 1 ? '' : 's'}`,
  ];
  return `${WAY_LABELS[p.way]}, ${v}: ${parts.join(', ')}.`;
}
