/*
 * /init (PID 1) of the in-page Linux 6.12 image: mounts what the checks need, runs the
 * programs in /checks, then powers off (v86 has no ACPI here, so the kernel halts; the page
 * detects the end from the "DPL done" line on the serial console).
 *
 * Kernel command line (read from /proc/cmdline):
 *   dpl.checks=pty-blocking-writers,pipe-small-atomic   run only these, in this order
 *   (absent)                                            run every program in /checks, sorted
 *
 * Lines it prints (the page and the tests parse them; programs print their own RESULT line):
 *   DPL init <kernel release>
 *   DPL run <name>
 *   DPL exit <name> <status>        status: exit code, or "signal N", or "missing"
 *   DPL done ran=<n> failed=<n>
 *
 * Built static for i386 with musl by scripts/kernel-image/build.sh.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHECKS 64
/* A program that runs longer than this (emulated seconds) is killed and counted as failed. */
#define CHECK_TIMEOUT_S 60

static void mnt(const char *src, const char *dst, const char *type, const char *opts)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, 0, opts) != 0)
		printf("DPL warn mount %s on %s: %s\n", type, dst, strerror(errno));
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fills names[] with the programs to run; returns how many. */
static int choose(char **names)
{
	static char cmdline[4096];
	int n = 0;
	int fd = open("/proc/cmdline", O_RDONLY);
	if (fd >= 0) {
		ssize_t r = read(fd, cmdline, sizeof cmdline - 1);
		cmdline[r > 0 ? r : 0] = 0;
		close(fd);
	}
	char *p = strstr(cmdline, "dpl.checks=");
	if (p) {
		p += strlen("dpl.checks=");
		p[strcspn(p, " \n")] = 0;
		for (char *tok = strtok(p, ","); tok && n < MAX_CHECKS; tok = strtok(NULL, ","))
			names[n++] = tok;
		return n;
	}
	DIR *d = opendir("/checks");
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < MAX_CHECKS)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	return n;
}

int main(void)
{
	mnt("devtmpfs", "/dev", "devtmpfs", NULL);
	mnt("devpts", "/dev/pts", "devpts", "ptmxmode=0666");
	mnt("proc", "/proc", "proc", NULL);
	mnt("sysfs", "/sys", "sysfs", NULL);
	mnt("tmpfs", "/tmp", "tmpfs", NULL);
	setvbuf(stdout, NULL, _IONBF, 0);

	struct utsname u;
	uname(&u);
	printf("DPL init %s\n", u.release);

	char *names[MAX_CHECKS];
	int n = choose(names), failed = 0;
	for (int i = 0; i < n; i++) {
		char path[300];
		if (strchr(names[i], '/') || snprintf(path, sizeof path, "/checks/%s", names[i]) >= (int)sizeof path ||
		    access(path, X_OK) != 0) {
			printf("DPL exit %s missing\n", names[i]);
			failed++;
			continue;
		}
		printf("DPL run %s\n", names[i]);
		pid_t pid = fork();
		if (pid == 0) {
			alarm(CHECK_TIMEOUT_S); /* survives exec: a hung check is killed by SIGALRM */
			chdir("/tmp");
			execl(path, names[i], (char *)NULL);
			_exit(127);
		}
		int st = 0;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(st)) {
			printf("DPL exit %s %d\n", names[i], WEXITSTATUS(st));
			failed += WEXITSTATUS(st) != 0;
		} else {
			printf("DPL exit %s signal %d\n", names[i], WTERMSIG(st));
			failed++;
		}
	}
	printf("DPL done ran=%d failed=%d\n", n, failed);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
