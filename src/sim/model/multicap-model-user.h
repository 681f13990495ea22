/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicap-model-user.h - the kernel API subset of the card model, in C
 *
 * For hosts outside the kernel (the QEMU device). Every call into the model
 * is serialised by the host (QEMU's big lock), so spinlocks are empty and
 * the DMA write barrier is a compiler barrier plus a release fence; the
 * host's bus accessors order themselves.
 */
#ifndef MULTICAP_MODEL_USER_H
#define MULTICAP_MODEL_USER_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
#ifdef __linux__
/* __le32, __le64: the C library's headers (QEMU's osdep.h) pull these in */
#include <linux/types.h>
#else
typedef uint32_t __le32;
typedef uint64_t __le64;
#endif

#ifndef BIT
#define BIT(nr)			(1UL << (nr))
#endif
#ifndef GENMASK
#define GENMASK(h, l)		(((~0UL) << (l)) & (~0UL >> (63 - (h))))
#endif
#define FIELD_PREP(mask, val)	((((u64)(val)) << __builtin_ctzll(mask)) & (mask))
#define FIELD_MAX(mask)		((mask) >> __builtin_ctzll(mask))
#define FIELD_GET(mask, reg)	((((u64)(reg)) & (mask)) >> __builtin_ctzll(mask))
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef DIV_ROUND_UP
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#endif
/* Each argument once, as the kernel's: callers pass side effects (++) */
#define min(a, b) ({							\
	typeof(a) __multicap_a = (a);					\
	typeof(b) __multicap_b = (b);					\
	__multicap_a < __multicap_b ? __multicap_a : __multicap_b; })
#define max(a, b) ({							\
	typeof(a) __multicap_a = (a);					\
	typeof(b) __multicap_b = (b);					\
	__multicap_a > __multicap_b ? __multicap_a : __multicap_b; })
#define min_t(t, a, b)		min((t)(a), (t)(b))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))
#define upper_32_bits(n)	((u32)((u64)(n) >> 32))
#define NSEC_PER_SEC		1000000000ULL
#define NSEC_PER_USEC		1000ULL
#define USEC_PER_SEC		1000000UL
#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))
#define dma_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)

#ifndef cpu_to_le32
#define cpu_to_le32(v)		htole32(v)
#define le32_to_cpu(v)		le32toh(v)
#define cpu_to_le64(v)		htole64(v)
#define le64_to_cpu(v)		le64toh(v)
#endif

typedef struct {
	int unused;
} spinlock_t;
#define spin_lock_init(l)			((void)(l))
#define spin_lock(l)				((void)(l))
#define spin_unlock(l)				((void)(l))
#define spin_lock_irqsave(l, flags)		((void)(l), (flags) = 0)
#define spin_unlock_irqrestore(l, flags)	((void)(l), (void)(flags))

#define multicap_model_zalloc(size)	calloc(1, size)
#define multicap_model_free(ptr)		free(ptr)

static inline u64 div_u64(u64 n, u32 d)
{
	return n / d;
}

static inline u64 div_u64_rem(u64 n, u32 d, u32 *rem)
{
	*rem = n % d;
	return n / d;
}

/* Truncates toward zero, as the kernel's div_s64() */
static inline s64 div_s64(s64 n, s32 d)
{
	return n / d;
}

static inline u64 div64_u64_rem(u64 n, u64 d, u64 *rem)
{
	*rem = n % d;
	return n / d;
}

/* Renamed: QEMU's qemu/host-utils.h, included first, has an is_power_of_2(). */
#define is_power_of_2(n)	multicap_model_is_power_of_2(n)
static inline bool multicap_model_is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

#define scnprintf(buf, size, ...) ({					\
	int __n = snprintf(buf, size, __VA_ARGS__);			\
	__n < 0 ? 0 : ((size_t)__n >= (size) ? (int)(size) - 1 : __n); })

#endif /* MULTICAP_MODEL_USER_H */
