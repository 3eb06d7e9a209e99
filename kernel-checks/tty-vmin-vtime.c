/*
 * tty-vmin-vtime.c: one read() from a raw tty returns every byte already there (at least
 * VMIN), and with VTIME it returns what came once the line goes quiet, so a reader can take
 * large blocks from a tty without a byte-at-a-time loop. Uses a pseudo-terminal, which has
 * the same line discipline (n_tty) as a serial port.
 * Lesson: Side questions, "Bypassing the tty layer for a UART with DMA" (Linux 6.12
 * drivers/tty/n_tty.c n_tty_read, VMIN/VTIME in n_tty_set_termios).
 *
 *   cc -Wall -O2 tty-vmin-vtime.c -o tty-vmin-vtime && ./tty-vmin-vtime
 *
 * Prints RESULT tty-vmin-vtime ok|fail block_read=... short_read=... waited_ms=...
 *   block_read: bytes one read(4096) returned after 3000 bytes were written (VMIN=16)
 *   short_read: bytes one read returned when 10 came and VMIN was 64 with VTIME=2 (0.2 s quiet)
 * Exits 1 unless block_read is 3000 and short_read is 10 after roughly the VTIME wait.
 * Needs no privileges.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int set_vmin_vtime(int fd, int vmin, int vtime)
{
	struct termios t;
	if (tcgetattr(fd, &t) != 0)
		return -1;
	cfmakeraw(&t);
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime; /* tenths of a second */
	return tcsetattr(fd, TCSANOW, &t);
}

int main(void)
{
	static char buf[4096], data[3000];
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0)
		return printf("RESULT tty-vmin-vtime fail reason=pty\n"), 1;
	int s = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (s < 0 || set_vmin_vtime(s, 16, 0) != 0)
		return printf("RESULT tty-vmin-vtime fail reason=termios\n"), 1;

	/* 3000 bytes arrive; one read takes them all, not just VMIN. */
	for (int i = 0; i < (int)sizeof data; i++)
		data[i] = 'a' + i % 26;
	if (write(m, data, sizeof data) != (ssize_t)sizeof data)
		return printf("RESULT tty-vmin-vtime fail reason=write\n"), 1;
	/* The pty hands bytes to the line discipline from a work item: wait (up to 5 s) until all are there. */
	for (int i = 0, n = 0; i < 500 && (ioctl(s, FIONREAD, &n) != 0 || n < (int)sizeof data); i++)
		usleep(10000);
	ssize_t block = read(s, buf, sizeof buf);

	/* 10 bytes arrive and nothing more: VMIN=64 is not reached, VTIME=2 ends the read. */
	set_vmin_vtime(s, 64, 2);
	if (write(m, data, 10) != 10)
		return printf("RESULT tty-vmin-vtime fail reason=write\n"), 1;
	double t0 = now_ms();
	ssize_t shortr = read(s, buf, sizeof buf);
	double waited = now_ms() - t0;

	int ok = block == (ssize_t)sizeof data && shortr == 10 && waited >= 100 && waited < 2000;
	printf("RESULT tty-vmin-vtime %s block_read=%zd short_read=%zd waited_ms=%.0f\n", ok ? "ok" : "fail", block, shortr, waited);
	return ok ? 0 : 1;
}
