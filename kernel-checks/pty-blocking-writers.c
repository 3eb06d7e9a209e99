/*
 * pty-blocking-writers.c: two processes each make ONE blocking write() of 64 KiB to the
 * same raw pty; the reader on the master side counts how often the byte stream switches
 * from one writer to the other. The lesson (tty write atomicity, "Blocking writers do not
 * interleave") says exactly 1 switch: iterate_tty_write() in drivers/tty/tty_io.c (Linux
 * 6.12) holds tty->atomic_write_lock for the whole write, also while n_tty_write() sleeps
 * for room.
 *
 *   cc -Wall -O2 pty-blocking-writers.c -o pty-blocking-writers && ./pty-blocking-writers
 *
 * Prints one line, RESULT pty-blocking-writers ok|FAIL key=value ..., and exits 1 when any
 * trial shows more than one switch or a short write. Needs no privileges.
 */
// vm: yes
// host: yes
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define WRITE_SIZE (64 * 1024)
#define TRIALS 3

/* Opens a pty pair with the slave in raw mode (no echo, no output processing). */
static int open_raw_pty(int *master, int *slave)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master < 0 || grantpt(*master) || unlockpt(*master))
		return -1;
	*slave = open(ptsname(*master), O_RDWR | O_NOCTTY);
	if (*slave < 0)
		return -1;
	struct termios t;
	if (tcgetattr(*slave, &t))
		return -1;
	cfmakeraw(&t);
	return tcsetattr(*slave, TCSANOW, &t);
}

/* One trial: returns the number of switches, or -1 on error; *short_writes counts writes
 * that did not return WRITE_SIZE. */
static int trial(int *short_writes)
{
	int master, slave, go[2], done[2];
	if (open_raw_pty(&master, &slave) || pipe(go) || pipe(done))
		return -1;
	for (int w = 0; w < 2; w++) {
		if (fork() == 0) {
			static char buf[WRITE_SIZE];
			memset(buf, 'A' + w, sizeof buf);
			char c;
			close(go[1]);
			if (read(go[0], &c, 1) != 1) /* both start together */
				_exit(2);
			ssize_t n = write(slave, buf, sizeof buf);
			if (write(done[1], &n, sizeof n) != sizeof n)
				_exit(2);
			_exit(0);
		}
	}
	close(go[0]);
	if (write(go[1], "xx", 2) != 2)
		return -1;
	close(go[1]);

	long got = 0;
	int switches = 0;
	char last = 0;
	static char buf[4096];
	while (got < 2L * WRITE_SIZE) {
		ssize_t r = read(master, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		for (ssize_t i = 0; i < r; i++) {
			if (last && buf[i] != last)
				switches++;
			last = buf[i];
		}
		got += r;
	}
	*short_writes = 0;
	for (int w = 0; w < 2; w++) {
		ssize_t n;
		if (read(done[0], &n, sizeof n) != sizeof n)
			return -1;
		if (n != WRITE_SIZE)
			++*short_writes;
	}
	while (wait(NULL) > 0)
		;
	close(master);
	close(slave);
	close(done[0]);
	close(done[1]);
	return switches;
}

int main(void)
{
	int switches[TRIALS], shorts = 0, ok = 1;
	for (int t = 0; t < TRIALS; t++) {
		int s = 0;
		switches[t] = trial(&s);
		if (switches[t] < 0) {
			printf("RESULT pty-blocking-writers FAIL error=%s\n", strerror(errno));
			return 1;
		}
		shorts += s;
		ok = ok && switches[t] == 1 && s == 0;
	}
	printf("RESULT pty-blocking-writers %s writers=2 size=%d trials=%d switches=%d,%d,%d short_writes=%d\n",
	       ok ? "ok" : "FAIL", WRITE_SIZE, TRIALS, switches[0], switches[1], switches[2], shorts);
	return ok ? 0 : 1;
}
