/*
 * memcpy-bandwidth.c: how fast the CPU copies memory, for comparison with a DMA engine.
 * Copies a 16 MiB buffer with memcpy (after touching both buffers, so no page faults are
 * timed) and reports the best of 5 runs.
 * Lesson: Side questions, "Memory-to-memory DMA from user space?" (Linux 6.12
 * include/linux/dmaengine.h dmaengine_prep_dma_memcpy).
 *
 *   cc -Wall -O2 memcpy-bandwidth.c -o memcpy-bandwidth && ./memcpy-bandwidth
 *
 * Prints RESULT memcpy-bandwidth ok|fail mb_per_s=... bytes=...  (MB = 10^6 bytes)
 * and exits 1 only if the copy is wrong or implausibly slow (under 20 MB/s, which even an
 * emulated CPU beats). No privileges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BYTES (16u << 20)

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
	char *src = malloc(BYTES), *dst = malloc(BYTES);
	if (!src || !dst)
		return printf("RESULT memcpy-bandwidth fail reason=malloc\n"), 1;
	memset(src, 0x5a, BYTES);
	memset(dst, 0, BYTES);
	double best = 1e9;
	for (int run = 0; run < 5; run++) {
		src[run] = (char)run;
		double t0 = now_s();
		memcpy(dst, src, BYTES);
		double t = now_s() - t0;
		if (t < best)
			best = t;
		if (dst[run] != (char)run || dst[BYTES - 1] != 0x5a)
			return printf("RESULT memcpy-bandwidth fail reason=copy\n"), 1;
	}
	double mbps = BYTES / best / 1e6;
	int ok = mbps >= 20;
	printf("RESULT memcpy-bandwidth %s mb_per_s=%.0f bytes=%u\n", ok ? "ok" : "fail", mbps, BYTES);
	return ok ? 0 : 1;
}
