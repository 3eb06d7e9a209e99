/*
 * fd-table.c: runs sequences of open/close/dup/dup2/fcntl(F_DUPFD) with the real system calls,
 * each in a fresh child process whose only open fds are 0, 1 and 2, under a given RLIMIT_NOFILE,
 * and prints what the kernel returned (the fd, 0, or -errno). These are the sequences of the
 * fd-table exercise; its expected answers are compared with the kernel's.
 * Lesson: Side questions, "Are file descriptors always increasing?" (Linux 6.12 fs/file.c,
 * alloc_fd, ksys_dup3, dup2; fs/fcntl.c F_DUPFD).
 *
 *   cc -Wall -O2 fd-table.c -o fd-table && ./fd-table < fd-table.cases
 *   ./fd-table            (no input: runs a few built-in sequences)
 *
 * Input, one sequence per line:  <limit> <expected|-> <op> <op> ...
 *   ops: open  close:FD  dup:FD  dup2:FD:NEWFD  dupfd:FD:MIN ; expected: comma-separated results
 * Output: "CASE <n> <results>" per line (with " MISMATCH expected=..." when they differ), then
 *   RESULT fd-table ok|fail cases=N mismatches=M
 * Exits 1 on any mismatch. Needs no privileges (only lowers its own soft RLIMIT_NOFILE).
 */
// vm: yes
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_OPS 64

enum kind { OPEN, CLOSE, DUP, DUP2, DUPFD };
struct op { enum kind kind; long a, b; };

static const char *builtin[] = {
	"1024 3,4,5,0,4,6 open open open close:4 open open",
	"1024 3,10,4,0,-9 open dup2:3:10 open close:10 close:10",
	"1024 3,3,0,-9 open dup2:3:3 close:3 dup2:3:3",
	"1024 10,11,3 dupfd:0:10 dupfd:0:10 dupfd:0:0",
	"16 -22,-9,15,-24 dupfd:0:16 dupfd:9:99 dupfd:0:15 dupfd:0:15",
	"5 3,4,-24,4 open open open dup2:0:4",
	NULL,
};

static int parse_op(const char *tok, struct op *o)
{
	if (strcmp(tok, "open") == 0) { o->kind = OPEN; return 0; }
	if (sscanf(tok, "close:%ld", &o->a) == 1) { o->kind = CLOSE; return 0; }
	if (sscanf(tok, "dup2:%ld:%ld", &o->a, &o->b) == 2) { o->kind = DUP2; return 0; }
	if (sscanf(tok, "dupfd:%ld:%ld", &o->a, &o->b) == 2) { o->kind = DUPFD; return 0; }
	if (sscanf(tok, "dup:%ld", &o->a) == 1) { o->kind = DUP; return 0; }
	return -1;
}

static long ret(long r) { return r < 0 ? -errno : r; }

/* In the child: 0, 1 and 2 open, nothing else; soft RLIMIT_NOFILE = limit; run; store results. */
static void child(long limit, const struct op *ops, int n, long *out)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			_exit(3);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
#endif
		for (int fd = 3; fd < 65536; fd++)
			close(fd);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = (rlim_t)limit;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		_exit(4);
	for (int i = 0; i < n; i++) {
		const struct op *o = &ops[i];
		switch (o->kind) {
		case OPEN: out[i] = ret(open("/dev/null", O_RDONLY)); break;
		case CLOSE: out[i] = ret(close((int)o->a)); break;
		case DUP: out[i] = ret(dup((int)o->a)); break;
		case DUP2: out[i] = ret(dup2((int)o->a, (int)o->b)); break;
		case DUPFD: out[i] = ret(fcntl((int)o->a, F_DUPFD, (int)o->b)); break;
		}
	}
	_exit(0);
}

/* Runs one input line; returns 0 if it matched (or had no expectation), 1 if not, 2 on error. */
static int run_line(int caseno, char *line)
{
	struct op ops[MAX_OPS];
	int n = 0;
	char *save = NULL, *tok = strtok_r(line, " \t\n", &save);
	if (!tok)
		return -1; /* blank line */
	long limit = strtol(tok, NULL, 10);
	char *expected = strtok_r(NULL, " \t\n", &save);
	while ((tok = strtok_r(NULL, " \t\n", &save)) && n < MAX_OPS)
		if (parse_op(tok, &ops[n++]) != 0) {
			printf("CASE %d ERROR bad-op=%s\n", caseno, tok);
			return 2;
		}
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (limit < 3 || (rl.rlim_max != RLIM_INFINITY && (rlim_t)limit > rl.rlim_max)) {
		printf("CASE %d ERROR limit=%ld hard-limit=%llu\n", caseno, limit, (unsigned long long)rl.rlim_max);
		return 2;
	}
	long *out = mmap(NULL, MAX_OPS * sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (out == MAP_FAILED)
		return 2;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		child(limit, ops, n, out);
	int status = 0;
	waitpid(pid, &status, 0);
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("CASE %d ERROR child-status=%d\n", caseno, status);
		munmap(out, MAX_OPS * sizeof(long));
		return 2;
	}
	char got[MAX_OPS * 8] = "";
	for (int i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), i ? ",%ld" : "%ld", out[i]);
	munmap(out, MAX_OPS * sizeof(long));
	int bad = expected && strcmp(expected, "-") != 0 && strcmp(expected, got) != 0;
	printf("CASE %d %s%s%s\n", caseno, got, bad ? " MISMATCH expected=" : "", bad ? expected : "");
	return bad;
}

int main(void)
{
	int cases = 0, mismatches = 0, errors = 0;
	char line[4096];
	/* Sequences come from standard input; with none (a terminal, or empty input), the built-in ones. */
	int from_stdin = !isatty(0);
	for (int i = 0;; i++) {
		if (from_stdin) {
			if (!fgets(line, sizeof line, stdin)) {
				if (cases > 0)
					break;
				from_stdin = 0;
				i = -1;
				continue;
			}
		} else {
			if (!builtin[i])
				break;
			snprintf(line, sizeof line, "%s", builtin[i]);
		}
		int r = run_line(cases, line);
		if (r < 0)
			continue;
		cases++;
		mismatches += r == 1;
		errors += r == 2;
	}
	int ok = cases > 0 && mismatches == 0 && errors == 0;
	printf("RESULT fd-table %s cases=%d mismatches=%d errors=%d\n", ok ? "ok" : "fail", cases, mismatches, errors);
	return ok ? 0 : 1;
}
