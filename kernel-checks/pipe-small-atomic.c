/*
 * pipe-small-atomic.c: pipe writes of at most PIPE_BUF bytes are never interleaved. Four
 * processes each write 64 messages of exactly PIPE_BUF (4096) bytes, all filled with their
 * own letter, into one pipe; the reader checks that every 4096-byte message arrived whole
 * (pipe_write() in fs/pipe.c, Linux 6.12: a write of at most PIPE_BUF bytes waits until it
 * fits and is copied under pipe->mutex in one go; POSIX requires this for pipes and FIFOs).
 * Lesson: tty write atomicity, "A tty is not a pipe".
 *
 *   cc -Wall -O2 pipe-small-atomic.c -o pipe-small-atomic && ./pipe-small-atomic
 *
 * Prints RESULT pipe-small-atomic ok|FAIL writers=4 messages=<n> size=4096 torn=<n> and exits
 * 1 when any message was torn. Needs no privileges.
 */
// vm: yes
// host: yes
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITERS 4
#define MESSAGES 64

int main(void)
{
	int p[2];
	if (pipe(p)) {
		printf("RESULT pipe-small-atomic FAIL error=%s\n", strerror(errno));
		return 1;
	}
	for (int w = 0; w < WRITERS; w++) {
		if (fork() == 0) {
			char msg[PIPE_BUF];
			memset(msg, 'A' + w, sizeof msg);
			close(p[0]);
			for (int i = 0; i < MESSAGES; i++)
				if (write(p[1], msg, sizeof msg) != (ssize_t)sizeof msg)
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	/* Read in odd-sized pieces so message boundaries never line up with reads. */
	static char all[WRITERS * MESSAGES * PIPE_BUF];
	long got = 0;
	for (;;) {
		size_t want = sizeof all - got < 1000 ? sizeof all - got : 1000;
		ssize_t r = want ? read(p[0], all + got, want) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	int torn = 0, bad_exit = 0, st;
	while (wait(&st) > 0)
		bad_exit += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	for (long m = 0; m + PIPE_BUF <= got; m += PIPE_BUF)
		for (long i = m + 1; i < m + PIPE_BUF; i++)
			if (all[i] != all[m]) {
				torn++;
				break;
			}
	int ok = got == (long)sizeof all && torn == 0 && bad_exit == 0;
	printf("RESULT pipe-small-atomic %s writers=%d messages=%ld size=%d torn=%d\n", ok ? "ok" : "FAIL", WRITERS,
	       got / PIPE_BUF, PIPE_BUF, torn);
	return ok ? 0 : 1;
}
