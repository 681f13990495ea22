// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-fuzz-rand.c - mcap-fuzz's PRNG and the values every call draws from
 *
 * splitmix64, seeded once per run (-s): the same seed, nodes, kernel and
 * count replay the same calls. Besides the plain draws: boundary values,
 * buffer types, memory types and indexes that are mostly right, and
 * pointers a structure cannot be read or written at.
 */
#define _GNU_SOURCE
#include <stdint.h>

#include "mcap-fuzz.h"

/* ---- PRNG: splitmix64 ------------------------------------------------- */

static uint64_t rng_state;

void rnd_seed(uint64_t seed)
{
	rng_state = seed;
}

uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t rnd(uint32_t n)	/* 0 .. n-1 */
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

int chance(uint32_t n)	/* 1 in n */
{
	return rnd(n) == 0;
}

/* a boundary or random 32-bit value */
uint32_t bval(void)
{
	static const uint32_t b[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 255, 256,
		4095, 4096, 4097, 65535, 65536, 65537, 0x7fffffff, 0x80000000,
		0xfffffffe, 0xffffffff, 0x10000000, 0xfffff000,
	};

	switch (rnd(4)) {
	case 0:
		return (uint32_t)rnd64();
	case 1:
		return rnd(64);
	default:
		return b[rnd(sizeof(b) / sizeof(b[0]))];
	}
}

void rndfill(void *p, size_t len)
{
	unsigned char *c = p;

	while (len--)
		*c++ = rnd64();
}

/* ---- arguments -------------------------------------------------------- */

__u32 rnd_type(void)
{
	static const __u32 t[] = {
		V4L2_BUF_TYPE_VIDEO_OUTPUT, V4L2_BUF_TYPE_VIDEO_OVERLAY,
		V4L2_BUF_TYPE_VBI_CAPTURE, V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
		V4L2_BUF_TYPE_META_CAPTURE, 0, 15, 0x80, 0xffffffff,
	};

	if (rnd(8))
		return CAP;
	return chance(4) ? bval() : t[rnd(sizeof(t) / sizeof(t[0]))];
}

__u32 rnd_memory(const struct fz_node *n)
{
	switch (rnd(8)) {
	case 0: return V4L2_MEMORY_USERPTR;
	case 1: return V4L2_MEMORY_DMABUF;
	case 2: return V4L2_MEMORY_MMAP;
	case 3: return rnd(2) ? V4L2_MEMORY_OVERLAY : bval();
	default: return n->memory ? n->memory : V4L2_MEMORY_MMAP;
	}
}

__u32 rnd_index(const struct fz_node *n)
{
	if (rnd(4))
		return rnd(n->nbufs + 2);
	return bval();
}

/* a pointer a structure of @size bytes cannot be read or written at */
void *bad_ptr(size_t size)
{
	switch (rnd(5)) {
	case 0: return NULL;
	case 1: return (void *)1;
	case 2: return (void *)0xffff888000000000UL;	/* kernel */
	case 3: return (void *)0x7ffffffff000UL;	/* unmapped top */
	default:
		/*
		 * starts in the guard's first page, runs into the PROT_NONE
		 * one; never lower, where the fuzzer's own memory lies (a
		 * read() there once overwrote libc's TLS stack canary)
		 */
		return guard + pagesz - (size < 2 ? 1 : size / 2 < (size_t)pagesz ?
					 size / 2 : (size_t)pagesz);
	}
}
