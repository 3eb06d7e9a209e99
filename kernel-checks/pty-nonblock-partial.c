/*
 * pty-nonblock-partial.c: a short write lets another writer in. On a raw pty with nobody
 * reading, one non-blocking write() of 1 MiB returns a partial count, and writing on returns
 * -1 with EAGAIN once the pty is full (n_tty_write() in drivers/tty/n_tty.c, Linux 6.12,
 * returns what the pty took instead of sleeping). Then, after the reader drains the pty, a second writer's bytes
 * go in before the first writer's retry of the rest: its one logical write arrives in two
 * pieces with the other writer's bytes in between (2 switches).
 * Lesson: tty write atomicity, "Short writes: O_NONBLOCK and signals".
 *
 *   cc -Wall -O2 pty-nonblock-partial.c -o pty-nonblock-partial && ./pty-nonblock-partial
 *
 * Prints RESULT pty-nonblock-partial ok|FAIL first=<bytes> then=<errno name> switches=<n>
 * and exits 1 when the kernel disagrees. Needs no privileges.
 */
// vm: yes
// host: yes
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define BIG (1024 * 1024)

static int open_raw_pty(int *master, int *slave)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (*master < 0 || grantpt(*master) || unlockpt(*master))
		return -1;
	*slave = open(ptsname(*master), O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (*slave < 0)
		return -1;
	struct termios t;
	if (tcgetattr(*slave, &t))
		return -1;
	cfmakeraw(&t);
	return tcsetattr(*slave, TCSANOW, &t);
}

static char big[BIG], in[BIG + 4096];

/*
 * Reads from the master side until in[] holds `want` bytes. A byte written to the slave
 * reaches the master's reader through the pty's flip buffer and a work item
 * (flush_to_ldisc() in drivers/tty/tty_buffer.c), so it may not be readable yet when write()
 * returns: wait for it (poll), rather than take "nothing to read now" for "all read".
 * Returns 0, or -1 when the bytes do not arrive within 10 s (a bound, not a pace).
 */
static int drain(int master, long *len, long want)
{
	while (*len < want) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		if (poll(&p, 1, 10000) <= 0)
			return -1;
		ssize_t r = read(master, in + *len, sizeof in - *len);
		if (r < 0 && errno != EAGAIN)
			return -1;
		if (r > 0)
			*len += r;
	}
	return 0;
}

int main(void)
{
	int master, slave;
	if (open_raw_pty(&master, &slave)) {
		printf("RESULT pty-nonblock-partial FAIL error=%s\n", strerror(errno));
		return 1;
	}
	memset(big, 'A', sizeof big);
	/* Writer A (this fd, non-blocking): one 1 MiB write, then more of the rest until the
	 * pty is full. The pty may move bytes on to the master side between two writes (a work
	 * item), so a write after the first may still take some; the claim is that A never
	 * sleeps: it gets short counts, then EAGAIN. */
	ssize_t first = write(slave, big, BIG);
	long a_wrote = first > 0 ? first : 0;
	ssize_t second = first > 0 ? 0 : -1;
	int second_errno = first > 0 ? 0 : errno;
	while (first > 0 && a_wrote < BIG) {
		second = write(slave, big + a_wrote, BIG - a_wrote);
		if (second <= 0) {
			second_errno = errno;
			break;
		}
		a_wrote += second;
	}

	/* The reader drains all of A's bytes; writer B (another open file of the same pty)
	 * writes 100 bytes; then A writes (part of) the rest of its 1 MiB. */
	long len = 0;
	int drained = drain(master, &len, a_wrote) == 0;
	int slave_b = open(ptsname(master), O_RDWR | O_NOCTTY | O_NONBLOCK);
	char b[100];
	memset(b, 'B', sizeof b);
	ssize_t wb = slave_b >= 0 ? write(slave_b, b, sizeof b) : -1;
	ssize_t rest = first > 0 && a_wrote < BIG ? write(slave, big + a_wrote, BIG - a_wrote) : -1;
	drained = drained && drain(master, &len, a_wrote + (wb > 0 ? wb : 0) + (rest > 0 ? rest : 0)) == 0;

	int switches = 0;
	for (long i = 1; i < len; i++)
		switches += in[i] != in[i - 1];

	int ok = drained && first > 0 && first < BIG && second < 0 && second_errno == EAGAIN && wb == (ssize_t)sizeof b &&
		 rest > 0 && switches == 2;
	printf("RESULT pty-nonblock-partial %s size=%d first=%zd then=%s b_wrote=%zd rest=%zd switches=%d\n",
	       ok ? "ok" : "FAIL", BIG, first, second < 0 ? (second_errno == EAGAIN ? "EAGAIN" : strerror(second_errno)) : "bytes",
	       wb, rest, switches);
	return ok ? 0 : 1;
}
