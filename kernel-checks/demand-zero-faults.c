/*
 * demand-zero-faults.c: fresh anonymous memory costs one page fault per page on first touch,
 * none when the buffer is reused, and none in the loop when MAP_POPULATE filled it in mmap().
 * Lesson: Side questions, "Why would a device driver cause page faults?" (Linux 6.12
 * mm/memory.c do_anonymous_page, mm_account_fault; mm/gup.c populate_vma_page_range).
 *
 *   cc -Wall -O2 demand-zero-faults.c -o demand-zero-faults && ./demand-zero-faults
 *
 * Counts minor faults with getrusage(RUSAGE_SELF) around each step, over PAGES pages
 * (MADV_NOHUGEPAGE keeps transparent huge pages out, so one fault maps one page):
 *   RESULT demand-zero-faults ok|fail pages=N first_touch=... second_touch=... populate_mmap=... populate_touch=...
 * Exits 1 unless the first touch takes about one fault per page (at least 90%) and the
 * second touch and the touch after MAP_POPULATE take almost none (at most 10%). No privileges.
 */
// vm: yes
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define PAGES 1024

static long minflt(void)
{
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	return r.ru_minflt;
}

/* Writes one byte in every page; returns the minor faults it took. */
static long touch(volatile char *p, long page)
{
	long before = minflt();
	for (long i = 0; i < PAGES; i++)
		p[i * page] = 1;
	return minflt() - before;
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)PAGES * page;

	char *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return printf("RESULT demand-zero-faults fail reason=mmap\n"), 1;
	madvise(a, len, MADV_NOHUGEPAGE);
	long first = touch(a, page);   /* demand-zero faults: one per page */
	long second = touch(a, page);  /* the same buffer again: already mapped */

	long before = minflt();
	char *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	long populate_mmap = minflt() - before; /* taken inside mmap(), counted all the same */
	if (b == MAP_FAILED)
		return printf("RESULT demand-zero-faults fail reason=mmap-populate\n"), 1;
	long populate_touch = touch(b, page);

	int ok = first >= PAGES * 9 / 10 && second <= PAGES / 10 && populate_touch <= PAGES / 10;
	printf("RESULT demand-zero-faults %s pages=%d page_size=%ld first_touch=%ld second_touch=%ld populate_mmap=%ld populate_touch=%ld\n",
	       ok ? "ok" : "fail", PAGES, page, first, second, populate_mmap, populate_touch);
	return ok ? 0 : 1;
}
