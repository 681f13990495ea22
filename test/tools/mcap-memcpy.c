// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-memcpy.c - raw memcpy bandwidth of frame-sized copies
 *
 * Usage: mcap-memcpy -S BYTES [-d SECONDS] [-t THREADS] [-j FILE]
 *
 * Each thread copies a BYTES-sized source frame into four destination
 * frames in turn (so the destination is not cache-hot, as for a capture
 * buffer) for SECONDS (default 3) and the aggregate rate is printed in
 * MB/s (10^6 bytes). It is the reference the capture benchmark divides the
 * delivered rate by: the simulated card's fill is a copy of this kind.
 * With -j the result is also written to FILE as JSON.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define NDST	4

struct worker {
	pthread_t tid;
	size_t size;
	long long until;
	unsigned long long copies;
	double secs;
};

static void *run(void *arg)
{
	struct worker *w = arg;
	unsigned char *src = malloc(w->size), *dst[NDST];
	long long t0;
	int i;

	if (!src)
		return NULL;
	memset(src, 0x5a, w->size);
	for (i = 0; i < NDST; i++) {
		dst[i] = malloc(w->size);
		if (!dst[i])
			return NULL;
		memset(dst[i], 0, w->size);
	}
	t0 = mc_now_us();
	while (mc_now_us() < w->until) {
		for (i = 0; i < NDST; i++)
			memcpy(dst[i], src, w->size);
		/* keep the copies observable */
		src[w->copies % w->size] ^= dst[NDST - 1][0];
		w->copies += NDST;
	}
	w->secs = (mc_now_us() - t0) / 1e6;
	for (i = 0; i < NDST; i++)
		free(dst[i]);
	free(src);
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker w[64];
	unsigned long long size = 0, bytes = 0;
	double dur = 3, secs = 0, mbs;
	const char *json = NULL;
	int opt, n = 1, i;
	long long until;

	while ((opt = getopt(argc, argv, "S:d:t:j:")) != -1) {
		switch (opt) {
		case 'S':
			size = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			dur = atof(optarg);
			break;
		case 't':
			n = atoi(optarg);
			break;
		case 'j':
			json = optarg;
			break;
		default:
			fprintf(stderr, "Usage: %s -S BYTES [-d SECONDS] [-t THREADS] [-j FILE]\n",
				argv[0]);
			return MC_EXIT_FAIL;
		}
	}
	if (!size || dur <= 0 || n < 1 || n > 64) {
		fprintf(stderr, "%s: need -S BYTES > 0, -d > 0, 1 <= -t <= 64\n", argv[0]);
		return MC_EXIT_FAIL;
	}
	until = mc_now_us() + (long long)(dur * 1e6);
	for (i = 0; i < n; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].size = size;
		w[i].until = until;
		if (pthread_create(&w[i].tid, NULL, run, &w[i])) {
			perror("pthread_create");
			return MC_EXIT_FAIL;
		}
	}
	for (i = 0; i < n; i++) {
		pthread_join(w[i].tid, NULL);
		if (!w[i].copies) {
			fprintf(stderr, "thread %d: no copy done (out of memory?)\n", i);
			return MC_EXIT_FAIL;
		}
		bytes += w[i].copies * size;
		if (w[i].secs > secs)
			secs = w[i].secs;
	}
	mbs = bytes / secs / 1e6;
	printf("memcpy %llu bytes x %d thread(s): %.1f MB/s (%.1f us per frame per thread)\n",
	       size, n, mbs, secs * 1e6 * n * size / bytes);
	if (json) {
		FILE *f = fopen(json, "w");

		if (!f) {
			perror(json);
			return MC_EXIT_FAIL;
		}
		fprintf(f, "{\"label\": \"memcpy\", \"bytes\": %llu, \"threads\": %d, \"seconds\": %.3f, \"mb_per_s\": %.3f}\n",
			size, n, secs, mbs);
		fclose(f);
	}
	return 0;
}
