/*
 * ioctl-vs-sysfs.c: what one value costs through an ioctl, through a sysfs file kept open
 * (pread at offset 0), and through a sysfs file opened, read and closed each time.
 * Lesson: Side questions, "ioctl or sysfs, which is faster?" (Linux 6.12 fs/sysfs/file.c,
 * fs/kernfs/file.c; Documentation/filesystems/sysfs.rst).
 *
 *   cc -Wall -O2 ioctl-vs-sysfs.c -o ioctl-vs-sysfs && ./ioctl-vs-sysfs [/sys/some/attribute]
 *
 * The ioctl is FIONREAD on a pipe (one small copy_to_user, like a driver's ioctl); the sysfs
 * attribute is /sys/devices/system/cpu/online unless you name another readable one.
 * Prints the median nanoseconds per call of 9 batches of 500:
 *   RESULT ioctl-vs-sysfs ok|fail ioctl_ns=... pread_ns=... open_read_close_ns=... file=...
 * and exits 1 if open+read+close is not slower than pread on an open fd (it does three system
 * calls and a path lookup instead of one). Needs no privileges.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define BATCHES 9
#define PER_BATCH 500

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v) { qsort(v, BATCHES, sizeof *v, cmp); return v[BATCHES / 2]; }

int main(int argc, char **argv)
{
	const char *file = argc > 1 ? argv[1] : "/sys/devices/system/cpu/online";
	char buf[4096];
	int p[2];
	if (pipe(p) != 0 || write(p[1], "x", 1) != 1) {
		printf("RESULT ioctl-vs-sysfs fail reason=pipe\n");
		return 1;
	}
	int fd = open(file, O_RDONLY);
	if (fd < 0 || pread(fd, buf, sizeof buf, 0) <= 0) {
		printf("RESULT ioctl-vs-sysfs fail reason=cannot-read file=%s\n", file);
		return 1;
	}
	double t_ioctl[BATCHES], t_pread[BATCHES], t_orc[BATCHES];
	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_ns();
		for (int i = 0; i < PER_BATCH; i++) {
			int n;
			if (ioctl(p[0], FIONREAD, &n) != 0 || n != 1)
				return printf("RESULT ioctl-vs-sysfs fail reason=ioctl\n"), 1;
		}
		double t1 = now_ns();
		for (int i = 0; i < PER_BATCH; i++)
			if (pread(fd, buf, sizeof buf, 0) <= 0)
				return printf("RESULT ioctl-vs-sysfs fail reason=pread\n"), 1;
		double t2 = now_ns();
		for (int i = 0; i < PER_BATCH; i++) {
			int f = open(file, O_RDONLY);
			if (f < 0 || read(f, buf, sizeof buf) <= 0)
				return printf("RESULT ioctl-vs-sysfs fail reason=open-read\n"), 1;
			close(f);
		}
		double t3 = now_ns();
		t_ioctl[b] = (t1 - t0) / PER_BATCH;
		t_pread[b] = (t2 - t1) / PER_BATCH;
		t_orc[b] = (t3 - t2) / PER_BATCH;
	}
	double ioctl_ns = median(t_ioctl), pread_ns = median(t_pread), orc_ns = median(t_orc);
	int ok = orc_ns > pread_ns;
	printf("RESULT ioctl-vs-sysfs %s ioctl_ns=%.0f pread_ns=%.0f open_read_close_ns=%.0f file=%s\n",
	       ok ? "ok" : "fail", ioctl_ns, pread_ns, orc_ns, file);
	return ok ? 0 : 1;
}
