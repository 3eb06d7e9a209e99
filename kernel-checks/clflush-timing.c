/*
 * clflush-timing.c: you cannot ask the CPU whether a line is cached, but you can time a load.
 * Times one load with the timestamp counter, fenced on both sides (what the kernel's
 * rdtsc_ordered() does), when the line is cached and right after clflush evicted it.
 * Lesson: Side questions, "Is there a way to see whether the cache was flushed?" (Linux 6.12
 * arch/x86/include/asm/msr.h rdtsc_ordered; arch/x86/include/asm/special_insns.h clflush).
 *
 *   cc -Wall -O2 clflush-timing.c -o clflush-timing && ./clflush-timing
 *
 * Prints the median of 2001 trials of each, in timestamp-counter ticks:
 *   RESULT clflush-timing ok|fail hit_ticks=... miss_ticks=...
 * and exits 1 unless a miss takes longer than a hit. Absolute numbers depend on the CPU.
 * x86 only: elsewhere it prints "RESULT clflush-timing skip arch=..." and exits 0.
 * Needs no privileges.
 */
#include <stdio.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <stdint.h>

#define TRIALS 2001

static volatile int target[16] __attribute__((aligned(64)));

/* lfence; rdtsc: the load before it has completed and nothing after it has started
 * (rdtsc_ordered() in the kernel uses the same barrier, or rdtscp). */
static inline uint64_t ordered_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void clflush(volatile void *p)
{
	__asm__ volatile("clflush (%0)\n\tmfence" :: "r"(p) : "memory");
}

static uint64_t time_load(void)
{
	uint64_t t0 = ordered_rdtsc();
	(void)target[0];
	uint64_t t1 = ordered_rdtsc();
	return t1 - t0;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	static uint64_t hit[TRIALS], miss[TRIALS];
	for (int i = 0; i < TRIALS; i++) {
		(void)target[0];          /* bring the line in */
		hit[i] = time_load();     /* cached */
		clflush(&target[0]);      /* evict it from every level of the hierarchy */
		miss[i] = time_load();    /* from memory */
	}
	qsort(hit, TRIALS, sizeof hit[0], cmp);
	qsort(miss, TRIALS, sizeof miss[0], cmp);
	uint64_t h = hit[TRIALS / 2], m = miss[TRIALS / 2];
	int ok = m > h;
	printf("RESULT clflush-timing %s hit_ticks=%llu miss_ticks=%llu\n", ok ? "ok" : "fail",
	       (unsigned long long)h, (unsigned long long)m);
	return ok ? 0 : 1;
}
#else
int main(void)
{
#if defined(__aarch64__)
	const char *arch = "arm64";
#elif defined(__arm__)
	const char *arch = "arm";
#elif defined(__riscv)
	const char *arch = "riscv";
#else
	const char *arch = "other";
#endif
	printf("RESULT clflush-timing skip arch=%s reason=clflush-and-rdtsc-are-x86-instructions\n", arch);
	return 0;
}
#endif
