/*
 * pipe-large-interleave.c: pipe writes larger than PIPE_BUF can interleave. Two processes
 * each make ONE blocking write() of 1 MiB to the same pipe while a reader drains it; the
 * reader counts switches between the writers' bytes. pipe_write() in fs/pipe.c (Linux 6.12)
 * drops pipe->mutex while it sleeps for room, so the other writer can take it and append its
 * own bytes part-way through: more than one switch (POSIX allows this above PIPE_BUF).
 * Lesson: tty write atomicity, "A tty is not a pipe". Up to 5 trials: the claim is that it
 * CAN happen, so one trial with more than one switch is enough.
 *
 *   cc -Wall -O2 pipe-large-interleave.c -o pipe-large-interleave && ./pipe-large-interleave
 *
 * Prints RESULT pipe-large-interleave ok|FAIL size=<bytes> switches=<n per trial> and exits 1
 * when no trial shows interleaving or a write came back short. Needs no privileges.
 */
// vm: yes
// host: yes
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG (1024 * 1024)
#define MAX_TRIALS 5

static int trial(int *bad)
{
	int p[2], go[2];
	if (pipe(p) || pipe(go))
		return -1;
	for (int w = 0; w < 2; w++) {
		if (fork() == 0) {
			static char buf[BIG];
			char c;
			memset(buf, 'A' + w, sizeof buf);
			close(p[0]);
			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(2);
			_exit(write(p[1], buf, sizeof buf) == BIG ? 0 : 1);
		}
	}
	close(p[1]);
	close(go[0]);
	if (write(go[1], "xx", 2) != 2)
		return -1;
	close(go[1]);
	static char buf[4096];
	char last = 0;
	int switches = 0;
	for (;;) {
		ssize_t r = read(p[0], buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			if (last && buf[i] != last)
				switches++;
			last = buf[i];
		}
	}
	close(p[0]);
	int st;
	*bad = 0;
	while (wait(&st) > 0)
		*bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	return switches;
}

int main(void)
{
	char list[64] = "";
	int best = 0, trials = 0, bad = 0;
	while (trials < MAX_TRIALS && best < 2) {
		int b = 0, s = trial(&b);
		if (s < 0) {
			printf("RESULT pipe-large-interleave FAIL error=%s\n", strerror(errno));
			return 1;
		}
		bad += b;
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", trials ? "," : "", s);
		if (s > best)
			best = s;
		trials++;
	}
	int ok = best >= 2 && bad == 0;
	printf("RESULT pipe-large-interleave %s writers=2 size=%d trials=%d switches=%s short_writes=%d\n", ok ? "ok" : "FAIL",
	       BIG, trials, list, bad);
	return ok ? 0 : 1;
}
