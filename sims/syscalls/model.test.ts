import { describe, expect, it } from 'vitest';
import { compare, counts, expand, plan, summary, SYSFS_PATH, DEV_PATH, WAYS, type Way } from './index.ts';

const texts = (way: Way, n: number) => expand(plan({ way, n })).map((c) => c.text);

describe('syscalls model: setting N values through sysfs and through an ioctl', () => {
  it('sysfs reopened: open, write, close for every value', () => {
    expect(texts('sysfs-reopen', 2)).toEqual([
      `fd = open("${SYSFS_PATH}", O_WRONLY)`, 'write(fd, "128\\n", 4)', 'close(fd)',
      `fd = open("${SYSFS_PATH}", O_WRONLY)`, 'write(fd, "128\\n", 4)', 'close(fd)',
    ]);
  });

  it('sysfs kept open: one open, a pwrite at offset 0 per value, one close', () => {
    expect(texts('sysfs-open', 3)).toEqual([`fd = open("${SYSFS_PATH}", O_WRONLY)`, 'pwrite(fd, "128\\n", 4, 0)', 'pwrite(fd, "128\\n", 4, 0)', 'pwrite(fd, "128\\n", 4, 0)', 'close(fd)']);
  });

  it('ioctl: one open of the device node, an ioctl per value, one close; the batch makes one ioctl', () => {
    expect(texts('ioctl', 2)).toEqual([`fd = open("${DEV_PATH}", O_WRONLY)`, 'ioctl(fd, DEMO_SET_LEVEL, &v)', 'ioctl(fd, DEMO_SET_LEVEL, &v)', 'close(fd)']);
    expect(texts('ioctl-batch', 5)).toEqual([`fd = open("${DEV_PATH}", O_WRONLY)`, 'ioctl(fd, DEMO_SET_LEVELS, &req) /* req.count = 5 */', 'close(fd)']);
  });

  it('counts for N = 1000 (value 128: "128\\n" is 4 bytes; the sysfs path is 32 characters + NUL, /dev/demo 9 + NUL)', () => {
    expect(SYSFS_PATH.length).toBe(32);
    const by = Object.fromEntries(compare(1000).map((r) => [r.way, r.counts]));
    expect(by['sysfs-reopen']).toEqual({ syscalls: 3000, crossings: 6000, bytesIn: 1000 * (33 + 4), parses: 1000, lookups: 1000, opens: 1000 });
    expect(by['sysfs-open']).toEqual({ syscalls: 1002, crossings: 2004, bytesIn: 33 + 1000 * 4, parses: 1000, lookups: 1, opens: 1 });
    expect(by['ioctl']).toEqual({ syscalls: 1002, crossings: 2004, bytesIn: 10 + 1000 * 4, parses: 0, lookups: 1, opens: 1 });
    expect(by['ioctl-batch']).toEqual({ syscalls: 3, crossings: 6, bytesIn: 10 + 16 + 1000 * 4, parses: 0, lookups: 1, opens: 1 });
  });

  it('counts() agrees with summing the expanded calls, for every way and several N and values', () => {
    for (const way of WAYS) {
      for (const n of [1, 2, 7, 100]) {
        for (const value of [0, 7, 128, 2147483647]) {
          const p = plan({ way, n, value });
          const calls = expand(p);
          const sum = (k: 'bytesIn' | 'parses' | 'lookups' | 'opens') => calls.reduce((a, c) => a + c[k], 0);
          expect(counts(p)).toEqual({ syscalls: calls.length, crossings: 2 * calls.length, bytesIn: sum('bytesIn'), parses: sum('parses'), lookups: sum('lookups'), opens: sum('opens') });
        }
      }
    }
  });

  it('the text of a longer value costs more bytes; a value of 0 is "0\\n"', () => {
    expect(expand(plan({ way: 'sysfs-open', n: 1, value: 0 }))[1]).toMatchObject({ text: 'pwrite(fd, "0\\n", 2, 0)', bytesIn: 2 });
    expect(counts(plan({ way: 'sysfs-open', n: 10, value: 65535 })).bytesIn).toBe(33 + 10 * 6);
  });

  it('every call names a 6.12 kernel source', () => {
    for (const way of WAYS) for (const c of expand(plan({ way, n: 1 }))) expect(c.source.version).toBe('6.12');
    expect(expand(plan({ way: 'sysfs-open', n: 1 }))[1].source).toEqual({ file: 'fs/kernfs/file.c', fn: 'kernfs_fop_write_iter', version: '6.12' });
  });

  it('summary sentence', () => {
    expect(summary(plan({ way: 'sysfs-reopen', n: 1000 }))).toBe('sysfs: open, write, close each time, 1,000 values: 3,000 system calls, 6,000 crossings, 37,000 bytes copied in, 1,000 text parses, 1,000 path lookups.');
    expect(summary(plan({ way: 'ioctl-batch', n: 1 }))).toBe('ioctl: one call with all the values, 1 value: 3 system calls, 6 crossings, 30 bytes copied in, 0 text parses, 1 path lookup.');
  });

  it('refuses bad parameters with a clear error', () => {
    expect(() => plan({ way: 'netlink' as Way, n: 1 })).toThrow(/unknown way "netlink"/);
    expect(() => plan({ way: 'ioctl', n: 0 })).toThrow(/n must be an integer in 1\.\.1000000, got 0/);
    expect(() => plan({ way: 'ioctl', n: 1.5 })).toThrow(RangeError);
    expect(() => plan({ way: 'ioctl', n: 1_000_001 })).toThrow(RangeError);
    expect(() => plan({ way: 'ioctl', n: 1, value: -1 })).toThrow(/value must be/);
  });
});
