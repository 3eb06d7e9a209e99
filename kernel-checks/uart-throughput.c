/*
 * uart-throughput.c: how many bytes a second a serial port really sends, against the ceiling
 * its framing allows (8N1: 10 bits on the wire per byte, so baud / 10 bytes a second).
 * Writes 32 KiB in one blocking write() and waits for the last bit with tcdrain().
 * Lesson: Side questions, "My UART is slower than its baud rate" (Linux 6.12
 * drivers/tty/tty_ioctl.c tty_get_frame_size; the tty lesson's "The wire: ten bits a byte").
 *
 *   cc -Wall -O2 uart-throughput.c -o uart-throughput && ./uart-throughput /dev/ttyUSB0 115200
 *
 * Needs a real serial port you may open (often: membership of the dialout group); loop TX to
 * RX or leave it unconnected (8N1, no flow control). Without a device it prints
 * "RESULT uart-throughput skip reason=no-device" and exits 0. Otherwise:
 *   RESULT uart-throughput ok|fail baud=... bytes_per_s=... ceiling=...
 * and exits 1 if the port sends faster than the ceiling (impossible) or slower than half of it.
 */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define BYTES 32768

static speed_t speed_of(long baud)
{
	switch (baud) {
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	case 230400: return B230400;
	default: return 0;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s /dev/ttyUSB0 [9600|19200|38400|57600|115200|230400]\n", argv[0]);
		printf("RESULT uart-throughput skip reason=no-device\n");
		return 0;
	}
	long baud = argc > 2 ? strtol(argv[2], NULL, 10) : 115200;
	speed_t sp = speed_of(baud);
	int fd = open(argv[1], O_RDWR | O_NOCTTY);
	struct termios t;
	if (!sp || fd < 0 || tcgetattr(fd, &t) != 0) {
		printf("RESULT uart-throughput fail reason=%s device=%s\n", sp ? "cannot-open" : "unsupported-baud", argv[1]);
		return 1;
	}
	cfmakeraw(&t);                 /* 8 data bits, no parity */
	t.c_cflag &= ~(CSTOPB | CRTSCTS); /* 1 stop bit, no hardware flow control */
	t.c_cflag |= CLOCAL | CREAD;
	t.c_iflag &= ~(IXON | IXOFF);
	cfsetospeed(&t, sp);
	cfsetispeed(&t, sp);
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		return printf("RESULT uart-throughput fail reason=termios\n"), 1;
	tcflush(fd, TCIOFLUSH);

	static char buf[BYTES];
	memset(buf, 'U', sizeof buf);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	size_t done = 0;
	while (done < sizeof buf) {    /* one write; loop only if it returns short */
		ssize_t n = write(fd, buf + done, sizeof buf - done);
		if (n <= 0)
			return printf("RESULT uart-throughput fail reason=write\n"), 1;
		done += (size_t)n;
	}
	tcdrain(fd);                   /* until the last bit has left the shift register */
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	double rate = BYTES / s, ceiling = baud / 10.0;
	int ok = rate <= ceiling * 1.02 && rate >= ceiling * 0.5;
	printf("RESULT uart-throughput %s baud=%ld bytes_per_s=%.0f ceiling=%.0f\n", ok ? "ok" : "fail", baud, rate, ceiling);
	return ok ? 0 : 1;
}
