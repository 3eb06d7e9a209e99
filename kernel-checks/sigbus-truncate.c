/*
 * sigbus-truncate.c: a mapping whose pages are taken away under it. Shrinking a shared file
 * zaps the PTEs past the new end (unmap_mapping_range, the call a driver uses to revoke an
 * mmap), and the next touch there faults; the fault handler finds no page and the process
 * gets SIGBUS. The page that is still in the file stays usable.
 * Lesson: Side questions, "Revoking an mmap of device memory" (Linux 6.12 mm/shmem.c
 * shmem_setattr calls unmap_mapping_range; shmem_fault past the end of the file returns
 * VM_FAULT_SIGBUS through vmf_error(-EINVAL)).
 *
 *   cc -Wall -O2 sigbus-truncate.c -o sigbus-truncate && ./sigbus-truncate
 *
 * Prints RESULT sigbus-truncate ok|fail before=... kept_page=... revoked_page=... si_code=...
 * and exits 1 unless the revoked page gives SIGBUS (BUS_ADRERR) and the kept page does not.
 * Uses memfd_create (Linux 3.17+), so it needs no file system and no privileges.
 */
// vm: yes
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile sig_atomic_t code;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	(void)sig; (void)ctx;
	code = si->si_code;
	siglongjmp(env, 1);
}

/* Writes one byte at p; returns "ok", or "SIGBUS" when the write faulted with SIGBUS. */
static const char *try_write(volatile char *p)
{
	if (sigsetjmp(env, 1) == 0) {
		*p = 42;
		return "ok";
	}
	return "SIGBUS";
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = memfd_create("revoke-demo", 0);
	if (fd < 0 || ftruncate(fd, 2 * page) != 0)
		return printf("RESULT sigbus-truncate fail reason=memfd\n"), 1;
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return printf("RESULT sigbus-truncate fail reason=mmap\n"), 1;

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);

	const char *before = try_write(p + page);   /* both pages are in the file: fine */
	if (ftruncate(fd, page) != 0)               /* "revoke" the second page */
		return printf("RESULT sigbus-truncate fail reason=truncate\n"), 1;
	const char *kept = try_write(p);
	code = 0;
	const char *revoked = try_write(p + page);

	int ok = strcmp(before, "ok") == 0 && strcmp(kept, "ok") == 0 && strcmp(revoked, "SIGBUS") == 0 && code == BUS_ADRERR;
	printf("RESULT sigbus-truncate %s before=%s kept_page=%s revoked_page=%s si_code=%s\n", ok ? "ok" : "fail",
	       before, kept, revoked, code == BUS_ADRERR ? "BUS_ADRERR" : code ? "other" : "none");
	return ok ? 0 : 1;
}
