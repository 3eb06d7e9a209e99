/*
 * pty-signal-partial.c: a blocking write() cut by a signal returns a partial count. One
 * blocking write of 1 MiB to a raw pty nobody reads fills the pty and sleeps in
 * n_tty_write(); a SIGALRM (handler installed WITH SA_RESTART) arrives; the write returns
 * the bytes accepted so far instead of restarting (n_tty_write() in drivers/tty/n_tty.c,
 * Linux 6.12: a pending signal stops it and it reports its progress; iterate_tty_write()
 * returns the total). The rest is the caller's job.
 * Lesson: tty write atomicity, "Short writes: O_NONBLOCK and signals".
 *
 *   cc -Wall -O2 pty-signal-partial.c -o pty-signal-partial && ./pty-signal-partial
 *
 * Prints RESULT pty-signal-partial ok|FAIL returned=<bytes> of=<bytes> signals=<n> and
 * exits 1 when the write does not come back short. Needs no privileges.
 */
// vm: yes
// host: yes
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <termios.h>
#include <unistd.h>

#define BIG (1024 * 1024)

static volatile sig_atomic_t signals;
static void on_alarm(int sig)
{
	(void)sig;
	signals++;
}

int main(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		printf("RESULT pty-signal-partial FAIL error=%s\n", strerror(errno));
		return 1;
	}
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	struct termios t;
	if (slave < 0 || tcgetattr(slave, &t)) {
		printf("RESULT pty-signal-partial FAIL error=%s\n", strerror(errno));
		return 1;
	}
	cfmakeraw(&t);
	tcsetattr(slave, TCSANOW, &t);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	/* 200 ms, then every 200 ms, in case the first one lands before the write sleeps. */
	struct itimerval it = { { 0, 200000 }, { 0, 200000 } };
	setitimer(ITIMER_REAL, &it, NULL);

	static char big[BIG];
	memset(big, 'A', sizeof big);
	ssize_t n = write(slave, big, sizeof big);
	int err = errno;
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);

	int ok = n > 0 && n < BIG && signals > 0;
	printf("RESULT pty-signal-partial %s returned=%zd of=%d signals=%d%s%s\n", ok ? "ok" : "FAIL", n, BIG, (int)signals,
	       n < 0 ? " errno=" : "", n < 0 ? strerror(err) : "");
	return ok ? 0 : 1;
}
