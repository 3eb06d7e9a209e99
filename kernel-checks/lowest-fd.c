/*
 * lowest-fd.c: does open() return the lowest free file descriptor, even after a close()?
 * Lesson: Side questions, "Are file descriptors always increasing?" (Linux 6.12 fs/file.c alloc_fd).
 *
 *   cc -Wall -O2 lowest-fd.c -o lowest-fd && ./lowest-fd
 *
 * Prints one line: RESULT lowest-fd ok|fail key=value ... and exits 1 if the kernel
 * does not give back the lowest free fd. Needs no privileges.
 */
// vm: yes
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int open_null(void) { return open("/dev/null", O_RDONLY); }

int main(void)
{
	/* Start from a table where 0, 1 and 2 are the only fds below 10 that are open. */
	for (int fd = 3; fd < 10; fd++)
		close(fd);

	int a = open_null(), b = open_null(), c = open_null(); /* 3, 4, 5 */
	close(b);
	int after_close_middle = open_null();          /* 4 again, not 6 */
	close(c);
	close(a);
	int after_close_two = open_null();             /* 3: the lowest, not 5 (closed last) */
	int next = open_null();                        /* then 5 */

	int ok = a == 3 && b == 4 && c == 5 && after_close_middle == 4 && after_close_two == 3 && next == 5;
	printf("RESULT lowest-fd %s first=%d,%d,%d after_close_4=%d after_close_5_then_3=%d then=%d\n",
	       ok ? "ok" : "fail", a, b, c, after_close_middle, after_close_two, next);
	return ok ? 0 : 1;
}
