// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-fuzz.c - throw random and boundary arguments at every multicap ioctl
 *
 * Usage: mcap-fuzz [-s SEED] [-n COUNT] [-f FDS] [-W] [-v] [node...]
 *
 *   -s SEED   PRNG seed (default: time ^ pid); printed first, pass it back
 *             to replay a run (same nodes, same kernel, same count)
 *   -n COUNT  number of fuzzed calls (ioctl, read, poll, mmap, open ...),
 *             default 100000; env MCAP_FUZZ_COUNT when -n is not given
 *   -f FDS    file handles per node, default 3 (priority and ownership)
 *   -W        warnings are fatal (exit 1); the test suite always uses it
 *   -v        print every warning, not only the first 10 of each call
 *   -w SECS   watchdog: fail when no call returned for SECS (default 60)
 *   -x CALL   leave CALL (a name from the summary, e.g. S_PARM) out; to look
 *             past a known bug, never in the test suite
 *
 * Nodes: the ones given, else every multicap capture node.
 *
 * Every call of a node's V4L2 API is made with a mix of well-formed,
 * boundary (0, 1, max, -1, huge, misaligned) and random arguments, on
 * several non-blocking file handles per node that are closed and reopened
 * now and then; buffers are really allocated, queued, mapped, exported and
 * imported, and some streaming happens. Structures live in valid memory,
 * except for the "bad pointer" calls (NULL, kernel and unmapped addresses,
 * a structure that runs into a PROT_NONE page) which must fail with EFAULT
 * (or, when the part the V4L2 core copies in is readable, with an expected
 * errno of the handler's own: see core_copy_in()).
 * Ioctls the driver does not implement (selection, DBG_*, standards ...)
 * are tried too and must not succeed.
 *
 * Memory: MMAP buffers are capped at MMAP_BUDGET bytes per REQBUFS and
 * CREATE_BUFS (the count is clamped), so the fuzzer stresses the driver, not
 * the VM's page allocator; USERPTR and DMABUF queues allocate nothing and
 * take any size. The OOM killer is no part of the test.
 *
 * DBG_S_REGISTER: only ever writes back the value DBG_G_REGISTER just read
 * at the same address (plus calls that must fail: bad match types, another
 * chip), so a driver that implements it is exercised without changing the
 * card behind the later checks. (Debian's kernels lack VIDEO_ADV_DEBUG, so
 * today both are ENOTTY.)
 *
 * The calls are made by a child process; the parent is a watchdog: when the
 * child dies by a signal, or no call returns for the watchdog time (the
 * task oopsed in the kernel holding the node's lock and cannot exit), it
 * prints the last call with its argument bytes, the histogram so far, and
 * fails without touching the nodes again.
 *
 * At the end every queue is stopped and freed, every handle closed, and
 * each node is put back to the DV timings, format, frame interval and
 * controls it had at the start, through the API, which must work.
 *
 * Output: one "warning:" line per unexpected result (ENOTTY from an ioctl
 * the node implements, success where an error is required, an errno
 * outside the expected set, a TRY_FMT result the driver could not
 * deliver), then per call the number of calls and the result histogram.
 * Every warning is a wrong answer to the fuzzer's input, never noise: the
 * expected errnos include what the V4L2 core and vb2 answer for the
 * driver (EPIPE after vb2's "last buffer dequeued", see fz_node.vb2_last;
 * errors from a handler that ran on a partly readable bad pointer).
 * Exit: 0 done (1 with -W and warnings), 1 a node broke, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/v4l2-dv-timings.h>

#include "common.h"

#define CAP		V4L2_BUF_TYPE_VIDEO_CAPTURE
#define MAX_FDS		8
#define MAX_MAPS	16
#define MAX_DMABUFS	8
#define MAX_KEEP	(2 << 20)	/* keep mappings/dmabufs up to this size */
#define MMAP_BUDGET	(32u << 20)	/* bytes per REQBUFS/CREATE_BUFS (MMAP) */
#define READ_MAX	(8u << 20)	/* read() only below this sizeimage */
#define STREAM_MAX	(1u << 20)	/* stream op only below this sizeimage */
#define ARENA_SIZE	(16u << 20)	/* USERPTR memory */
#define SCRATCH_SIZE	(32u << 10)
#define NCTRLS		1100		/* > 1024, the core's V4L2_CID_MAX_CTRLS */
#define NERR		134		/* errno 0..133, the rest counted in NERR */
#define WARN_SHOW	10

/* ---- PRNG: splitmix64 ------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)	/* 0 .. n-1 */
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static int chance(uint32_t n)	/* 1 in n */
{
	return rnd(n) == 0;
}

/* a boundary or random 32-bit value */
static uint32_t bval(void)
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

static void rndfill(void *p, size_t len)
{
	unsigned char *c = p;

	while (len--)
		*c++ = rnd64();
}

/* ---- state ------------------------------------------------------------ */

struct fz_node {
	char path[64];
	int fd[MAX_FDS];
	/* cached view of the node, refreshed as calls succeed */
	struct v4l2_pix_format pix;
	unsigned int nbufs;
	__u32 memory;
	__u32 offsets[VIDEO_MAX_FRAME];
	__u32 lengths[VIDEO_MAX_FRAME];
	/* what to restore at the end */
	struct v4l2_dv_timings home;
	struct v4l2_pix_format home_pix;
	struct v4l2_fract home_tpf;
	__s32 home_tpg, home_range;
	/*
	 * A DQBUF was given flags DONE | LAST. When the call fails, vb2's
	 * vb2_dqbuf() still reads those flags from the caller's struct and
	 * sets the queue's "last buffer dequeued" state: from then on DQBUF
	 * and read() fail with EPIPE until the next STREAMOFF (vb2, not the
	 * driver). EPIPE is only accepted once this was set; it is never
	 * cleared (conservative).
	 */
	int vb2_last;
};

static struct fz_node nodes[MC_MAX_NODES];
static int nnodes, nfds = 3;

static struct { void *addr; size_t len; } maps[MAX_MAPS];
static int dmabufs[MAX_DMABUFS];
static int evfd = -1;

static unsigned char *arena;		/* USERPTR memory + guard page */
static unsigned char *rdonly;		/* read-only page */
static unsigned char *guard;		/* 2 pages, the second PROT_NONE */
static unsigned char *scratch;		/* random ioctl arguments */
static unsigned char *readbuf;
static struct v4l2_ext_control *ctrls;
static long pagesz;

static int verbose, node_broken;

/* ---- calls and their results ------------------------------------------ */

enum {
	OP_QUERYCAP, OP_ENUM_FMT, OP_G_FMT, OP_S_FMT, OP_TRY_FMT, OP_REQBUFS,
	OP_CREATE_BUFS, OP_QUERYBUF, OP_PREPARE_BUF, OP_QBUF, OP_DQBUF,
	OP_EXPBUF, OP_STREAMON, OP_STREAMOFF, OP_G_PARM, OP_S_PARM,
	OP_ENUM_FRAMESIZES, OP_ENUM_FRAMEINTERVALS, OP_ENUMINPUT, OP_G_INPUT,
	OP_S_INPUT, OP_G_DV_TIMINGS, OP_S_DV_TIMINGS, OP_QUERY_DV_TIMINGS,
	OP_ENUM_DV_TIMINGS, OP_DV_TIMINGS_CAP, OP_G_EXT_CTRLS, OP_S_EXT_CTRLS,
	OP_TRY_EXT_CTRLS, OP_QUERYCTRL, OP_QUERY_EXT_CTRL, OP_QUERYMENU,
	OP_G_CTRL, OP_S_CTRL, OP_SUBSCRIBE_EVENT, OP_UNSUBSCRIBE_EVENT,
	OP_DQEVENT, OP_G_PRIORITY, OP_S_PRIORITY, OP_LOG_STATUS,
	OP_G_SELECTION, OP_S_SELECTION, OP_DBG_G_REGISTER, OP_DBG_S_REGISTER,
	OP_DBG_G_CHIP_INFO, OP_UNIMPL, OP_RANDOM, OP_BADPTR, OP_READ,
	OP_POLL, OP_MMAP, OP_MUNMAP, OP_REOPEN, OP_STREAM, OP_NUM
};

/*
 * Shared with the watchdog parent: the counters, the histogram and the
 * last call, so that a call that never returns (the task died in the
 * kernel holding a lock) is still reported, with its arguments.
 */
#define LAST_ARG	256
struct fz_shared {
	unsigned long long calls, warnings;
	unsigned long long hist[OP_NUM][NERR + 1];
	int last_op, last_node;
	unsigned long last_cmd;
	unsigned int last_len;
	unsigned char last_arg[LAST_ARG];
};

static struct fz_shared *sh;
static unsigned long long target;

struct fz_op {
	const char *name;
	unsigned int weight;
	int impl;		/* the node implements it: ENOTTY is a bug */
	void (*fn)(struct fz_node *n, int *fd);
	unsigned int warned;
};

static struct fz_op ops[OP_NUM];

__attribute__((format(printf, 3, 4)))
static void warn(const struct fz_node *n, int op, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	sh->warnings++;
	if (ops[op].warned++ >= WARN_SHOW && !verbose) {
		if (ops[op].warned == WARN_SHOW + 1)
			printf("warning: %s: further warnings not shown\n",
			       ops[op].name);
		return;
	}
	printf("warning: call %llu %s %s: ", sh->calls, n ? n->path : "-",
	       ops[op].name);
	va_start(ap, fmt);
	errno = saved;
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int expected_errno(int e)
{
	switch (e) {
	case EINVAL: case EBUSY: case EFAULT: case ENOTTY: case EAGAIN:
	case ENOENT: case ENOMEM: case EPERM: case EACCES: case ENODATA:
	case ENOLINK: case ENOLCK: case ERANGE: case E2BIG: case ENOSPC:
	case EBADF: case EBADR: case EOVERFLOW: case ENOBUFS:
		return 1;
	}
	return 0;
}

/* count one call's result (@ret < 0: errno) and check the errno class */
static int rec(const struct fz_node *n, int op, int ret)
{
	int e = ret < 0 ? errno : 0;

	sh->calls++;
	sh->hist[op][e < NERR ? e : NERR]++;
	if (e == ENOTTY && ops[op].impl)
		warn(n, op, "ENOTTY from an ioctl the node implements");
	else if (e == EPIPE && (op == OP_DQBUF || op == OP_READ) && n &&
		 n->vb2_last)
		;	/* vb2's "last buffer dequeued", see fz_node.vb2_last */
	else if (e && !expected_errno(e))
		warn(n, op, "unexpected errno %s (%d)", strerrorname_np(e) ?: "?", e);
	errno = e;
	return ret;
}

/* remember a call before making it, for the watchdog */
static void note(const struct fz_node *n, int op, unsigned long cmd,
		 const void *arg, size_t len)
{
	sh->last_op = op;
	sh->last_node = n - nodes;
	sh->last_cmd = cmd;
	if (len > LAST_ARG)
		len = LAST_ARG;
	/* bad pointers are not read; the call itself tells what they were */
	if (!arg || (uintptr_t)arg < 4096 || (uintptr_t)arg >= 0x7ffffffff000UL ||
	    ((uintptr_t)arg >= (uintptr_t)guard &&
	     (uintptr_t)arg < (uintptr_t)guard + 2 * pagesz))
		len = 0;
	memcpy(sh->last_arg, arg, len);
	sh->last_len = len;
}

static int xioctl(const struct fz_node *n, int fd, int op, unsigned long req,
		  void *arg)
{
	note(n, op, req, arg, _IOC_SIZE(req));
	return rec(n, op, ioctl(fd, req, arg));
}

/* must fail: warn if it did not */
static void must_fail(const struct fz_node *n, int op, int ret, const char *why)
{
	if (ret == 0)
		warn(n, op, "succeeded with %s", why);
}

/* ---- helpers ---------------------------------------------------------- */

static __u32 rnd_type(void)
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

static __u32 rnd_memory(const struct fz_node *n)
{
	switch (rnd(8)) {
	case 0: return V4L2_MEMORY_USERPTR;
	case 1: return V4L2_MEMORY_DMABUF;
	case 2: return V4L2_MEMORY_MMAP;
	case 3: return rnd(2) ? V4L2_MEMORY_OVERLAY : bval();
	default: return n->memory ? n->memory : V4L2_MEMORY_MMAP;
	}
}

static __u32 rnd_index(const struct fz_node *n)
{
	if (rnd(4))
		return rnd(n->nbufs + 2);
	return bval();
}

static void refresh_fmt(struct fz_node *n, int fd)
{
	struct v4l2_format f = { .type = CAP };

	if (!ioctl(fd, VIDIOC_G_FMT, &f))
		n->pix = f.fmt.pix;
}

/* keep a mapping (and so its buffer) alive for a while, if small */
static void keep_map(void *addr, size_t len, size_t buflen)
{
	int i = rnd(MAX_MAPS);

	if (buflen > MAX_KEEP || chance(3)) {
		munmap(addr, len);
		return;
	}
	if (maps[i].addr)
		munmap(maps[i].addr, maps[i].len);
	maps[i].addr = addr;
	maps[i].len = len;
}

static void keep_dmabuf(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);	/* a dma-buf's size */
	int i = rnd(MAX_DMABUFS);

	if (len < 0 || len > MAX_KEEP) {
		close(fd);
		return;
	}
	if (dmabufs[i] >= 0)
		close(dmabufs[i]);
	dmabufs[i] = fd;
}

static int any_dmabuf(void)
{
	int i, j = rnd(MAX_DMABUFS);

	for (i = 0; i < MAX_DMABUFS; i++)
		if (dmabufs[(i + j) % MAX_DMABUFS] >= 0)
			return dmabufs[(i + j) % MAX_DMABUFS];
	return -1;
}

/* a pointer a structure of @size bytes cannot be read or written at */
static void *bad_ptr(size_t size)
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

/* ---- formats ---------------------------------------------------------- */

static void fill_pix(struct fz_node *n, struct v4l2_pix_format *pix)
{
	const struct mc_fmt *f = &mc_formats[rnd(mc_nformats)];
	unsigned int packed;

	rndfill(pix, sizeof(*pix));
	switch (rnd(10)) {
	case 0: pix->pixelformat = bval(); break;
	case 1: pix->pixelformat = V4L2_PIX_FMT_MJPEG; break;
	default: pix->pixelformat = f->fourcc; break;
	}
	pix->width = rnd(2) ? n->pix.width : bval();
	pix->height = rnd(2) ? n->pix.height : bval();
	packed = n->pix.width * f->bpp;
	switch (rnd(10)) {
	case 0: case 1: case 2: pix->bytesperline = 0; break;
	case 3: pix->bytesperline = packed; break;
	case 4: pix->bytesperline = packed + rnd(256); break;
	case 5: pix->bytesperline = packed - 1; break;
	case 6: pix->bytesperline = 65536 + rnd(2); break;
	case 7: pix->bytesperline = packed + 1; break;
	default: pix->bytesperline = bval(); break;
	}
	if (rnd(2))
		pix->field = rnd(2) ? V4L2_FIELD_NONE : V4L2_FIELD_ANY;
	if (rnd(2))
		pix->priv = rnd(2) ? 0 : V4L2_PIX_FMT_PRIV_MAGIC;
}

static void check_pix(struct fz_node *n, int op, const struct v4l2_pix_format *p)
{
	const struct mc_fmt *f = mc_fmt_by_fourcc(p->pixelformat);
	unsigned int packed;

	if (!f) {
		warn(n, op, "returned unsupported pixelformat 0x%08x",
		     p->pixelformat);
		return;
	}
	packed = p->width * f->bpp;
	if (!p->width || !p->height || p->field != V4L2_FIELD_NONE ||
	    p->bytesperline < packed ||
	    p->bytesperline > (packed > 65536 ? packed : 65536) ||
	    p->sizeimage != mc_fmt_sizeimage(f, p->bytesperline, p->height))
		warn(n, op, "returned impossible format %ux%u field %u bpl %u size %u",
		     p->width, p->height, p->field, p->bytesperline,
		     p->sizeimage);
}

static void op_enum_fmt(struct fz_node *n, int *fd)
{
	struct v4l2_fmtdesc d;
	int r;

	rndfill(&d, sizeof(d));
	d.index = rnd(2) ? rnd(10) : bval();
	d.type = rnd_type();
	if (rnd(2))
		d.mbus_code = 0;
	r = xioctl(n, *fd, OP_ENUM_FMT, VIDIOC_ENUM_FMT, &d);
	if (d.type == CAP && d.index < mc_nformats && r)
		warn(n, OP_ENUM_FMT, "index %u failed: %m", d.index);
	if (d.index >= mc_nformats)
		must_fail(n, OP_ENUM_FMT, r, "index out of range");
}

static void op_g_fmt(struct fz_node *n, int *fd)
{
	struct v4l2_format f;
	int r;

	rndfill(&f, sizeof(f));
	f.type = rnd_type();
	r = xioctl(n, *fd, OP_G_FMT, VIDIOC_G_FMT, &f);
	if (f.type == CAP) {
		if (r)
			warn(n, OP_G_FMT, "failed: %m");
		else
			n->pix = f.fmt.pix;
	} else {
		must_fail(n, OP_G_FMT, r, "a foreign buffer type");
	}
}

static void op_s_try_fmt(struct fz_node *n, int *fd, int op)
{
	struct v4l2_format f;
	int r;

	rndfill(&f, sizeof(f));
	f.type = rnd_type();
	fill_pix(n, &f.fmt.pix);
	r = xioctl(n, *fd, op, op == OP_S_FMT ? VIDIOC_S_FMT : VIDIOC_TRY_FMT, &f);
	if (f.type != CAP) {
		must_fail(n, op, r, "a foreign buffer type");
		return;
	}
	if (r) {
		if (op == OP_TRY_FMT)
			warn(n, op, "failed: %m");
		return;
	}
	check_pix(n, op, &f.fmt.pix);
	if (op == OP_S_FMT)
		n->pix = f.fmt.pix;
}

static void op_s_fmt(struct fz_node *n, int *fd) { op_s_try_fmt(n, fd, OP_S_FMT); }
static void op_try_fmt(struct fz_node *n, int *fd) { op_s_try_fmt(n, fd, OP_TRY_FMT); }

/* ---- buffers ---------------------------------------------------------- */

static __u32 mmap_clamp(struct fz_node *n, int fd, __u32 count, __u32 size)
{
	refresh_fmt(n, fd);
	if (size < n->pix.sizeimage)
		size = n->pix.sizeimage;
	size = (size + pagesz - 1) & ~(pagesz - 1);
	if (!size)
		return count;
	if ((uint64_t)count * size > MMAP_BUDGET)
		count = MMAP_BUDGET / size;
	return count;
}

static void op_reqbufs(struct fz_node *n, int *fd)
{
	static const __u32 counts[] = { 0, 1, 2, 3, 4, 8, 31, 32, 33, 64, 0xffffffff };
	struct v4l2_requestbuffers rb;
	int r;

	rndfill(&rb, sizeof(rb));
	rb.count = rnd(4) ? counts[rnd(sizeof(counts) / sizeof(counts[0]))] : bval();
	rb.type = rnd_type();
	rb.memory = rnd_memory(n);
	if (rnd(2))
		memset(rb.reserved, 0, sizeof(rb.reserved));
	if (rb.memory == V4L2_MEMORY_MMAP)
		rb.count = mmap_clamp(n, *fd, rb.count, 0);
	r = xioctl(n, *fd, OP_REQBUFS, VIDIOC_REQBUFS, &rb);
	if (!r) {
		n->nbufs = rb.count;
		n->memory = rb.memory;
		if (rb.count > VIDEO_MAX_FRAME)
			warn(n, OP_REQBUFS, "granted %u buffers", rb.count);
	}
	if (rb.type != CAP)
		must_fail(n, OP_REQBUFS, r, "a foreign buffer type");
}

static void op_create_bufs(struct fz_node *n, int *fd)
{
	struct v4l2_create_buffers cb;
	int r;

	rndfill(&cb, sizeof(cb));
	cb.count = rnd(2) ? rnd(6) : bval();
	cb.memory = rnd_memory(n);
	cb.format.type = rnd_type();
	fill_pix(n, &cb.format.fmt.pix);
	switch (rnd(6)) {
	case 0: cb.format.fmt.pix.sizeimage = 0; break;
	case 1: cb.format.fmt.pix.sizeimage = n->pix.sizeimage - 1; break;
	case 2: cb.format.fmt.pix.sizeimage = bval(); break;
	default: cb.format.fmt.pix.sizeimage = n->pix.sizeimage + rnd(2) * rnd(65536); break;
	}
	if (cb.memory == V4L2_MEMORY_MMAP) {
		/* a huge MMAP plane would only feed the OOM killer */
		if (cb.format.fmt.pix.sizeimage > MMAP_BUDGET)
			cb.format.fmt.pix.sizeimage = n->pix.sizeimage;
		cb.count = mmap_clamp(n, *fd, cb.count, cb.format.fmt.pix.sizeimage);
	}
	r = xioctl(n, *fd, OP_CREATE_BUFS, VIDIOC_CREATE_BUFS, &cb);
	if (!r && cb.count) {
		n->nbufs = cb.index + cb.count;
		n->memory = cb.memory;
	}
	if (cb.format.type != CAP)
		must_fail(n, OP_CREATE_BUFS, r, "a foreign buffer type");
}

static void fill_buf(struct fz_node *n, struct v4l2_buffer *b)
{
	size_t size = n->pix.sizeimage;
	int i;

	rndfill(b, sizeof(*b));
	b->index = rnd_index(n);
	b->type = rnd_type();
	b->memory = rnd_memory(n);
	b->flags = rnd(3) ? 0 : bval();
	b->field = rnd(3) ? V4L2_FIELD_NONE : bval();
	b->reserved2 = 0;
	if (rnd(3))
		b->request_fd = 0;
	switch (rnd(8)) {
	case 0: b->length = 0; break;
	case 1: b->length = bval(); break;
	case 2: b->length = size - 1; break;
	case 3: b->length = size + rnd(pagesz); break;
	default: b->length = size; break;
	}
	b->bytesused = rnd(2) ? 0 : bval();
	if (b->memory == V4L2_MEMORY_USERPTR) {
		switch (rnd(12)) {
		case 0: b->m.userptr = 0; break;
		case 1: b->m.userptr = (unsigned long)bad_ptr(size); break;
		case 2: b->m.userptr = (unsigned long)rdonly; break;
		case 3: b->m.userptr = (unsigned long)(arena + rnd(ARENA_SIZE)); break;
		case 4:	/* another node's mapped buffer */
			i = rnd(MAX_MAPS);
			b->m.userptr = (unsigned long)maps[i].addr;
			if (maps[i].addr && rnd(2))
				b->length = maps[i].len;
			break;
		case 5: /* ends in the guard page after the arena */
			b->m.userptr = (unsigned long)(arena + ARENA_SIZE - pagesz);
			break;
		default:
			b->m.userptr = (unsigned long)(arena + (rnd(2) ? 0 : rnd(64) * pagesz +
					(rnd(4) ? 0 : rnd(64))));
			if (b->length > ARENA_SIZE / 2)
				b->length = rnd(ARENA_SIZE / 2);
			break;
		}
	} else if (b->memory == V4L2_MEMORY_DMABUF) {
		switch (rnd(8)) {
		case 0: b->m.fd = -1; break;
		case 1: b->m.fd = n->fd[0]; break;	/* not a dma-buf */
		case 2: b->m.fd = evfd; break;
		case 3: b->m.fd = bval(); break;
		default: b->m.fd = any_dmabuf(); break;
		}
	} else if (rnd(2)) {
		b->m.offset = bval();
	}
}

static void op_querybuf(struct fz_node *n, int *fd)
{
	struct v4l2_buffer b;
	int r;

	fill_buf(n, &b);
	r = xioctl(n, *fd, OP_QUERYBUF, VIDIOC_QUERYBUF, &b);
	if (!r && b.index < VIDEO_MAX_FRAME && b.memory == V4L2_MEMORY_MMAP) {
		n->offsets[b.index] = b.m.offset;
		n->lengths[b.index] = b.length;
	}
	if (b.index >= VIDEO_MAX_FRAME)
		must_fail(n, OP_QUERYBUF, r, "index out of range");
}

static void op_qbuf_op(struct fz_node *n, int *fd, int op)
{
	struct v4l2_buffer b;
	int r;

	fill_buf(n, &b);
	r = xioctl(n, *fd, op, op == OP_QBUF ? VIDIOC_QBUF : VIDIOC_PREPARE_BUF, &b);
	if (b.index >= VIDEO_MAX_FRAME)
		must_fail(n, op, r, "index out of range");
	if (b.memory == V4L2_MEMORY_USERPTR && b.length < n->pix.sizeimage &&
	    b.type == CAP && b.memory == n->memory)
		must_fail(n, op, r, "a USERPTR plane smaller than sizeimage");
}

static void op_qbuf(struct fz_node *n, int *fd) { op_qbuf_op(n, fd, OP_QBUF); }
static void op_prepare_buf(struct fz_node *n, int *fd) { op_qbuf_op(n, fd, OP_PREPARE_BUF); }

static void op_dqbuf(struct fz_node *n, int *fd)
{
	struct v4l2_buffer b;
	const __u32 last = V4L2_BUF_FLAG_DONE | V4L2_BUF_FLAG_LAST;

	fill_buf(n, &b);
	if ((b.flags & last) == last)
		n->vb2_last = 1;
	xioctl(n, *fd, OP_DQBUF, VIDIOC_DQBUF, &b);
}

static void op_expbuf(struct fz_node *n, int *fd)
{
	struct v4l2_exportbuffer e;
	int r;

	rndfill(&e, sizeof(e));
	e.type = rnd_type();
	e.index = rnd_index(n);
	e.plane = rnd(4) ? 0 : bval();
	e.flags = rnd(4) ? (O_CLOEXEC | (rnd(2) ? O_RDWR : O_RDONLY)) : bval();
	if (rnd(2))
		memset(e.reserved, 0, sizeof(e.reserved));
	e.fd = -1;
	r = xioctl(n, *fd, OP_EXPBUF, VIDIOC_EXPBUF, &e);
	if (!r) {
		if (e.fd < 0)
			warn(n, OP_EXPBUF, "success without an fd");
		else
			keep_dmabuf(e.fd);
		if (e.plane)
			warn(n, OP_EXPBUF, "exported plane %u", e.plane);
	}
}

static void op_streamon(struct fz_node *n, int *fd)
{
	int type = rnd_type();
	int r = xioctl(n, *fd, OP_STREAMON, VIDIOC_STREAMON, &type);

	if (type != CAP)
		must_fail(n, OP_STREAMON, r, "a foreign buffer type");
}

static void op_streamoff(struct fz_node *n, int *fd)
{
	int type = rnd_type();
	int r = xioctl(n, *fd, OP_STREAMOFF, VIDIOC_STREAMOFF, &type);

	if (type != CAP)
		must_fail(n, OP_STREAMOFF, r, "a foreign buffer type");
}

/* some real streaming: MMAP buffers, QBUF all, STREAMON, DQBUF/QBUF */
static void op_stream(struct fz_node *n, int *fd)
{
	struct v4l2_requestbuffers rb = { .type = CAP, .memory = V4L2_MEMORY_MMAP };
	struct pollfd pfd = { .fd = *fd, .events = POLLIN };
	struct v4l2_buffer b;
	unsigned int i;
	int type = CAP, got = 0;

	refresh_fmt(n, *fd);
	if (n->pix.sizeimage > STREAM_MAX)
		return;
	rb.count = 2 + rnd(3);
	if (xioctl(n, *fd, OP_REQBUFS, VIDIOC_REQBUFS, &rb) || !rb.count)
		return;
	n->nbufs = rb.count;
	n->memory = V4L2_MEMORY_MMAP;
	for (i = 0; i < rb.count; i++) {
		memset(&b, 0, sizeof(b));
		b.type = CAP;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = i;
		if (xioctl(n, *fd, OP_QBUF, VIDIOC_QBUF, &b))
			warn(n, OP_STREAM, "QBUF %u of %u fresh buffers: %m", i,
			     rb.count);
	}
	if (xioctl(n, *fd, OP_STREAMON, VIDIOC_STREAMON, &type)) {
		warn(n, OP_STREAM, "STREAMON after REQBUFS: %m");
		return;
	}
	for (i = 0; i < 3 && got < 2; i++) {
		note(n, OP_POLL, POLLIN, NULL, 0);
		if (rec(n, OP_POLL, poll(&pfd, 1, 50)) <= 0)
			continue;
		memset(&b, 0, sizeof(b));
		b.type = CAP;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(n, *fd, OP_DQBUF, VIDIOC_DQBUF, &b))
			continue;
		got++;
		if (b.index >= rb.count || b.bytesused != n->pix.sizeimage)
			warn(n, OP_STREAM, "DQBUF index %u bytesused %u", b.index,
			     b.bytesused);
		if (rnd(4))
			xioctl(n, *fd, OP_QBUF, VIDIOC_QBUF, &b);
	}
	sh->calls++;
	sh->hist[OP_STREAM][got ? 0 : EAGAIN]++;
	if (rnd(2))
		xioctl(n, *fd, OP_STREAMOFF, VIDIOC_STREAMOFF, &type);
}

/* ---- parm, enum, input ------------------------------------------------- */

static void op_g_parm(struct fz_node *n, int *fd)
{
	struct v4l2_streamparm p;
	int r;

	rndfill(&p, sizeof(p));
	p.type = rnd_type();
	r = xioctl(n, *fd, OP_G_PARM, VIDIOC_G_PARM, &p);
	if (p.type == CAP && r)
		warn(n, OP_G_PARM, "failed: %m");
}

static void op_s_parm(struct fz_node *n, int *fd)
{
	struct v4l2_streamparm p;
	int r;

	rndfill(&p, sizeof(p));
	p.type = rnd_type();
	switch (rnd(4)) {
	case 0:
		break;
	case 1:
		p.parm.capture.timeperframe.numerator = bval();
		p.parm.capture.timeperframe.denominator = bval();
		break;
	default:
		p.parm.capture.timeperframe.numerator = 1 + rnd(4);
		p.parm.capture.timeperframe.denominator = 1 + rnd(120);
		break;
	}
	r = xioctl(n, *fd, OP_S_PARM, VIDIOC_S_PARM, &p);
	if (p.type != CAP)
		must_fail(n, OP_S_PARM, r, "a foreign buffer type");
	else if (!r && (!p.parm.capture.timeperframe.numerator ||
			!p.parm.capture.timeperframe.denominator))
		warn(n, OP_S_PARM, "returned timeperframe %u/%u",
		     p.parm.capture.timeperframe.numerator,
		     p.parm.capture.timeperframe.denominator);
}

static void op_enum_framesizes(struct fz_node *n, int *fd)
{
	struct v4l2_frmsizeenum s;
	int r;

	rndfill(&s, sizeof(s));
	s.index = rnd(2) ? rnd(3) : bval();
	s.pixel_format = rnd(4) ? mc_formats[rnd(mc_nformats)].fourcc : bval();
	r = xioctl(n, *fd, OP_ENUM_FRAMESIZES, VIDIOC_ENUM_FRAMESIZES, &s);
	if (s.index)
		must_fail(n, OP_ENUM_FRAMESIZES, r, "index > 0");
}

static void op_enum_frameintervals(struct fz_node *n, int *fd)
{
	struct v4l2_frmivalenum f;
	int r;

	rndfill(&f, sizeof(f));
	f.index = rnd(2) ? rnd(20) : bval();
	f.pixel_format = rnd(4) ? mc_formats[rnd(mc_nformats)].fourcc : bval();
	f.width = rnd(4) ? n->pix.width : bval();
	f.height = rnd(4) ? n->pix.height : bval();
	r = xioctl(n, *fd, OP_ENUM_FRAMEINTERVALS, VIDIOC_ENUM_FRAMEINTERVALS, &f);
	if (!r && (f.type != V4L2_FRMIVAL_TYPE_DISCRETE ||
		   !f.discrete.numerator || !f.discrete.denominator))
		warn(n, OP_ENUM_FRAMEINTERVALS, "type %u interval %u/%u", f.type,
		     f.discrete.numerator, f.discrete.denominator);
}

static void op_enuminput(struct fz_node *n, int *fd)
{
	struct v4l2_input in;
	int r;

	rndfill(&in, sizeof(in));
	in.index = rnd(2) ? rnd(3) : bval();
	r = xioctl(n, *fd, OP_ENUMINPUT, VIDIOC_ENUMINPUT, &in);
	if (in.index)
		must_fail(n, OP_ENUMINPUT, r, "index > 0");
	else if (r)
		warn(n, OP_ENUMINPUT, "input 0: %m");
}

static void op_g_input(struct fz_node *n, int *fd)
{
	int i = bval();

	if (xioctl(n, *fd, OP_G_INPUT, VIDIOC_G_INPUT, &i) || i)
		warn(n, OP_G_INPUT, "input %d: %m", i);
}

static void op_s_input(struct fz_node *n, int *fd)
{
	int i = rnd(2) ? 0 : bval();

	if (!xioctl(n, *fd, OP_S_INPUT, VIDIOC_S_INPUT, &i) && i)
		warn(n, OP_S_INPUT, "input %d accepted", i);
}

/* ---- DV timings ------------------------------------------------------- */

static void op_g_dv_timings(struct fz_node *n, int *fd)
{
	struct v4l2_dv_timings t;

	rndfill(&t, sizeof(t));
	if (xioctl(n, *fd, OP_G_DV_TIMINGS, VIDIOC_G_DV_TIMINGS, &t))
		warn(n, OP_G_DV_TIMINGS, "failed: %m");
}

static void op_query_dv_timings(struct fz_node *n, int *fd)
{
	struct v4l2_dv_timings t;

	rndfill(&t, sizeof(t));
	xioctl(n, *fd, OP_QUERY_DV_TIMINGS, VIDIOC_QUERY_DV_TIMINGS, &t);
}

static void op_s_dv_timings(struct fz_node *n, int *fd)
{
	struct v4l2_enum_dv_timings e = { .index = rnd(64) };
	struct v4l2_dv_timings t = n->home;
	int r, odd = 0;

	switch (rnd(10)) {
	case 0: case 1: case 2: case 3:
		break;			/* home: usually a no-op */
	case 4:				/* a standard mode (may be large) */
		if (rnd(4) || ioctl(*fd, VIDIOC_ENUM_DV_TIMINGS, &e))
			break;
		t = e.timings;
		break;
	case 5:				/* home, slightly off */
		t.bt.width += rnd(2) ? 2 : 1;
		t.bt.height += rnd(2) ? 2 : 1;
		break;
	case 6:
		t.bt.pixelclock = rnd(2) ? rnd64() : t.bt.pixelclock / 2;
		t.bt.interlaced = rnd(2);
		t.bt.polarities = bval();
		t.bt.flags = bval();
		break;
	case 7:
		t.type = bval();
		break;
	default:
		rndfill(&t, sizeof(t));
		if (rnd(2)) {
			t.type = V4L2_DV_BT_656_1120;
			t.bt.width = bval() & 0x1fff;
			t.bt.height = bval() & 0xfff;
		}
		break;
	}
	odd = (t.bt.width & 1) || (t.bt.height & 1);
	r = xioctl(n, *fd, OP_S_DV_TIMINGS, VIDIOC_S_DV_TIMINGS, &t);
	if (odd)
		must_fail(n, OP_S_DV_TIMINGS, r, "an odd size");
	if (t.type != V4L2_DV_BT_656_1120)
		must_fail(n, OP_S_DV_TIMINGS, r, "an unknown type");
	if (!r)
		refresh_fmt(n, *fd);
}

static void op_enum_dv_timings(struct fz_node *n, int *fd)
{
	struct v4l2_enum_dv_timings e;
	int r;

	rndfill(&e, sizeof(e));
	e.index = rnd(2) ? rnd(80) : bval();
	e.pad = rnd(4) ? 0 : bval();
	if (rnd(2))
		memset(e.reserved, 0, sizeof(e.reserved));
	r = xioctl(n, *fd, OP_ENUM_DV_TIMINGS, VIDIOC_ENUM_DV_TIMINGS, &e);
	if (!r && (e.timings.bt.width > 4096 || e.timings.bt.height > 2160))
		warn(n, OP_ENUM_DV_TIMINGS, "%ux%u beyond DV_TIMINGS_CAP",
		     e.timings.bt.width, e.timings.bt.height);
}

static void op_dv_timings_cap(struct fz_node *n, int *fd)
{
	struct v4l2_dv_timings_cap c;

	rndfill(&c, sizeof(c));
	c.pad = rnd(4) ? 0 : bval();
	xioctl(n, *fd, OP_DV_TIMINGS_CAP, VIDIOC_DV_TIMINGS_CAP, &c);
}

/* ---- controls --------------------------------------------------------- */

static __u32 rnd_cid(void)
{
	static const __u32 ids[] = {
		V4L2_CID_DV_RX_POWER_PRESENT, V4L2_CID_DV_RX_RGB_RANGE,
		V4L2_CID_TEST_PATTERN, V4L2_CID_BRIGHTNESS, V4L2_CID_USER_CLASS,
		V4L2_CID_DV_CLASS, V4L2_CID_IMAGE_PROC_CLASS, V4L2_CID_BASE,
		V4L2_CID_PRIVATE_BASE, V4L2_CID_DV_RX_IT_CONTENT_TYPE, 0,
		0xffffffff,
	};
	__u32 id = ids[rnd(sizeof(ids) / sizeof(ids[0]))];

	if (chance(8))
		id = bval();
	if (chance(4))
		id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	if (chance(8))
		id |= V4L2_CTRL_FLAG_NEXT_COMPOUND;
	return id;
}

static __s32 rnd_ctrl_val(void)
{
	return rnd(2) ? (__s32)rnd(4) - 1 : (__s32)bval();
}

static void op_ext_ctrls(struct fz_node *n, int *fd, int op)
{
	static const __u32 which[] = {
		V4L2_CTRL_WHICH_CUR_VAL, V4L2_CTRL_WHICH_DEF_VAL,
		V4L2_CTRL_WHICH_REQUEST_VAL, V4L2_CTRL_CLASS_DV,
		V4L2_CTRL_CLASS_IMAGE_PROC, V4L2_CTRL_CLASS_USER,
		V4L2_CTRL_CLASS_CAMERA,
	};
	static const unsigned long req[] = {
		[OP_G_EXT_CTRLS] = VIDIOC_G_EXT_CTRLS,
		[OP_S_EXT_CTRLS] = VIDIOC_S_EXT_CTRLS,
		[OP_TRY_EXT_CTRLS] = VIDIOC_TRY_EXT_CTRLS,
	};
	struct v4l2_ext_controls c;
	__u32 i, fill;

	rndfill(&c, sizeof(c));
	c.which = rnd(8) ? which[rnd(sizeof(which) / sizeof(which[0]))] : bval();
	switch (rnd(8)) {
	case 0: c.count = 0; break;
	case 1: c.count = rnd(2) ? 1024 + rnd(2) : NCTRLS; break;
	case 2: c.count = bval(); break;
	default: c.count = 1 + rnd(4); break;
	}
	if (c.which != V4L2_CTRL_WHICH_REQUEST_VAL || rnd(2))
		c.request_fd = rnd(4) ? 0 : bval();
	memset(c.reserved, 0, sizeof(c.reserved));
	fill = c.count < NCTRLS ? c.count : NCTRLS;
	for (i = 0; i < fill; i++) {
		memset(&ctrls[i], 0, sizeof(ctrls[i]));
		ctrls[i].id = rnd_cid() & ~(V4L2_CTRL_FLAG_NEXT_CTRL |
					    (rnd(8) ? V4L2_CTRL_FLAG_NEXT_COMPOUND : 0));
		ctrls[i].value = rnd_ctrl_val();
		if (chance(8))
			ctrls[i].size = bval();
		if (chance(16))
			ctrls[i].reserved2[0] = bval();
	}
	c.controls = chance(20) && c.count ? bad_ptr(sizeof(ctrls[0]) * c.count) :
		     ctrls;
	xioctl(n, *fd, op, req[op], &c);
}

static void op_g_ext_ctrls(struct fz_node *n, int *fd) { op_ext_ctrls(n, fd, OP_G_EXT_CTRLS); }
static void op_s_ext_ctrls(struct fz_node *n, int *fd) { op_ext_ctrls(n, fd, OP_S_EXT_CTRLS); }
static void op_try_ext_ctrls(struct fz_node *n, int *fd) { op_ext_ctrls(n, fd, OP_TRY_EXT_CTRLS); }

static void op_queryctrl(struct fz_node *n, int *fd)
{
	struct v4l2_queryctrl q;

	rndfill(&q, sizeof(q));
	q.id = rnd_cid();
	xioctl(n, *fd, OP_QUERYCTRL, VIDIOC_QUERYCTRL, &q);
}

static void op_query_ext_ctrl(struct fz_node *n, int *fd)
{
	struct v4l2_query_ext_ctrl q;

	rndfill(&q, sizeof(q));
	q.id = rnd_cid();
	if (rnd(2))
		memset(q.reserved, 0, sizeof(q.reserved));
	xioctl(n, *fd, OP_QUERY_EXT_CTRL, VIDIOC_QUERY_EXT_CTRL, &q);
}

static void op_querymenu(struct fz_node *n, int *fd)
{
	struct v4l2_querymenu q;

	rndfill(&q, sizeof(q));
	q.id = rnd_cid() & ~V4L2_CTRL_FLAG_NEXT_CTRL;
	q.index = rnd(2) ? rnd(5) : bval();
	xioctl(n, *fd, OP_QUERYMENU, VIDIOC_QUERYMENU, &q);
}

static void op_g_ctrl(struct fz_node *n, int *fd)
{
	struct v4l2_control c = { .id = rnd_cid(), .value = bval() };

	xioctl(n, *fd, OP_G_CTRL, VIDIOC_G_CTRL, &c);
}

static void op_s_ctrl(struct fz_node *n, int *fd)
{
	struct v4l2_control c = { .id = rnd_cid(), .value = rnd_ctrl_val() };
	int r = xioctl(n, *fd, OP_S_CTRL, VIDIOC_S_CTRL, &c);

	if (c.id == V4L2_CID_DV_RX_POWER_PRESENT)
		must_fail(n, OP_S_CTRL, r, "a read-only control");
	if (c.id == V4L2_CID_TEST_PATTERN && (c.value < 0 || c.value > 2))
		must_fail(n, OP_S_CTRL, r, "a test pattern out of range");
}

/* ---- events, priority, log -------------------------------------------- */

static void fill_sub(struct v4l2_event_subscription *s)
{
	static const __u32 types[] = {
		V4L2_EVENT_ALL, V4L2_EVENT_VSYNC, V4L2_EVENT_EOS,
		V4L2_EVENT_CTRL, V4L2_EVENT_FRAME_SYNC,
		V4L2_EVENT_SOURCE_CHANGE, V4L2_EVENT_MOTION_DET,
		V4L2_EVENT_PRIVATE_START,
	};

	rndfill(s, sizeof(*s));
	s->type = rnd(8) ? types[rnd(sizeof(types) / sizeof(types[0]))] : bval();
	s->id = rnd(2) ? rnd_cid() & ~(V4L2_CTRL_FLAG_NEXT_CTRL |
				       V4L2_CTRL_FLAG_NEXT_COMPOUND) : rnd(2);
	s->flags = rnd(2) ? rnd(4) : bval();
	if (rnd(2))
		memset(s->reserved, 0, sizeof(s->reserved));
}

static void op_subscribe(struct fz_node *n, int *fd)
{
	struct v4l2_event_subscription s;

	fill_sub(&s);
	xioctl(n, *fd, OP_SUBSCRIBE_EVENT, VIDIOC_SUBSCRIBE_EVENT, &s);
}

static void op_unsubscribe(struct fz_node *n, int *fd)
{
	struct v4l2_event_subscription s;

	fill_sub(&s);
	xioctl(n, *fd, OP_UNSUBSCRIBE_EVENT, VIDIOC_UNSUBSCRIBE_EVENT, &s);
}

static void op_dqevent(struct fz_node *n, int *fd)
{
	struct v4l2_event e;

	rndfill(&e, sizeof(e));
	xioctl(n, *fd, OP_DQEVENT, VIDIOC_DQEVENT, &e);
}

static void op_g_priority(struct fz_node *n, int *fd)
{
	enum v4l2_priority p = bval();

	if (xioctl(n, *fd, OP_G_PRIORITY, VIDIOC_G_PRIORITY, &p) ||
	    p < V4L2_PRIORITY_BACKGROUND || p > V4L2_PRIORITY_RECORD)
		warn(n, OP_G_PRIORITY, "priority %u: %m", p);
}

static void op_s_priority(struct fz_node *n, int *fd)
{
	enum v4l2_priority p = rnd(4) ? rnd(5) : bval();
	int r = xioctl(n, *fd, OP_S_PRIORITY, VIDIOC_S_PRIORITY, &p);

	if (p < V4L2_PRIORITY_BACKGROUND || p > V4L2_PRIORITY_RECORD)
		must_fail(n, OP_S_PRIORITY, r, "an invalid priority");
}

static void op_log_status(struct fz_node *n, int *fd)
{
	xioctl(n, *fd, OP_LOG_STATUS, VIDIOC_LOG_STATUS, NULL);
}

/* ---- not implemented by multicap: must not succeed -------------------- */

static void op_selection(struct fz_node *n, int *fd, int op)
{
	struct v4l2_selection s;
	int r;

	rndfill(&s, sizeof(s));
	s.type = rnd_type();
	s.target = rnd(2) ? rnd(0x104) : bval();
	r = xioctl(n, *fd, op, op == OP_G_SELECTION ? VIDIOC_G_SELECTION :
		   VIDIOC_S_SELECTION, &s);
	must_fail(n, op, r, "selection the driver does not implement");
}

static void op_g_selection(struct fz_node *n, int *fd) { op_selection(n, fd, OP_G_SELECTION); }
static void op_s_selection(struct fz_node *n, int *fd) { op_selection(n, fd, OP_S_SELECTION); }

static void fill_match(struct v4l2_dbg_match *m)
{
	m->type = rnd(2) ? V4L2_CHIP_MATCH_BRIDGE :
		  rnd(2) ? V4L2_CHIP_MATCH_SUBDEV : bval();
	m->addr = rnd(2) ? 0 : bval();
}

static void op_dbg_g_register(struct fz_node *n, int *fd)
{
	struct v4l2_dbg_register r;

	rndfill(&r, sizeof(r));
	fill_match(&r.match);
	r.reg = rnd(2) ? rnd(0x400) & ~3 : bval();
	xioctl(n, *fd, OP_DBG_G_REGISTER, VIDIOC_DBG_G_REGISTER, &r);
}

/* write back what was just read, or a call that must fail; see the top */
static void op_dbg_s_register(struct fz_node *n, int *fd)
{
	struct v4l2_dbg_register r;
	int ret;

	rndfill(&r, sizeof(r));
	r.match.type = V4L2_CHIP_MATCH_BRIDGE;
	r.match.addr = 0;
	r.reg = rnd(0x400) & ~3;
	if (rnd(2)) {
		/* a chip that does not exist: must fail */
		r.match.type = rnd(2) ? V4L2_CHIP_MATCH_SUBDEV : 0x7f;
		r.match.addr = 100 + rnd(100);
		ret = xioctl(n, *fd, OP_DBG_S_REGISTER, VIDIOC_DBG_S_REGISTER, &r);
		must_fail(n, OP_DBG_S_REGISTER, ret, "a chip that does not exist");
		return;
	}
	if (ioctl(*fd, VIDIOC_DBG_G_REGISTER, &r)) {
		/* nothing readable: the write must fail too */
		ret = xioctl(n, *fd, OP_DBG_S_REGISTER, VIDIOC_DBG_S_REGISTER, &r);
		must_fail(n, OP_DBG_S_REGISTER, ret, "a register G_REGISTER refused");
		return;
	}
	xioctl(n, *fd, OP_DBG_S_REGISTER, VIDIOC_DBG_S_REGISTER, &r);
}

static void op_dbg_g_chip_info(struct fz_node *n, int *fd)
{
	struct v4l2_dbg_chip_info c;

	rndfill(&c, sizeof(c));
	fill_match(&c.match);
	xioctl(n, *fd, OP_DBG_G_CHIP_INFO, VIDIOC_DBG_G_CHIP_INFO, &c);
}

static const unsigned long unimpl[] = {
	VIDIOC_G_STD, VIDIOC_S_STD, VIDIOC_QUERYSTD, VIDIOC_ENUMSTD,
	VIDIOC_G_TUNER, VIDIOC_S_TUNER, VIDIOC_G_AUDIO, VIDIOC_S_AUDIO,
	VIDIOC_ENUMAUDIO, VIDIOC_G_FBUF, VIDIOC_S_FBUF, VIDIOC_OVERLAY,
	VIDIOC_G_CROP, VIDIOC_S_CROP, VIDIOC_CROPCAP, VIDIOC_G_JPEGCOMP,
	VIDIOC_G_ENC_INDEX, VIDIOC_ENCODER_CMD, VIDIOC_DECODER_CMD,
	VIDIOC_G_EDID, VIDIOC_S_EDID, VIDIOC_G_FREQUENCY, VIDIOC_S_FREQUENCY,
	VIDIOC_G_MODULATOR, VIDIOC_ENUMOUTPUT, VIDIOC_G_OUTPUT,
	VIDIOC_S_OUTPUT, VIDIOC_G_SLICED_VBI_CAP, VIDIOC_S_HW_FREQ_SEEK,
	VIDIOC_ENUM_FREQ_BANDS,
};

static void op_unimpl(struct fz_node *n, int *fd)
{
	unsigned int i = rnd(sizeof(unimpl) / sizeof(unimpl[0]));
	int r;

	rndfill(scratch, 4096);
	if (unimpl[i] == VIDIOC_G_EDID || unimpl[i] == VIDIOC_S_EDID) {
		struct v4l2_edid *e = (struct v4l2_edid *)scratch;

		e->edid = scratch + 1024;
		e->blocks = rnd(4);
	}
	r = xioctl(n, *fd, OP_UNIMPL, unimpl[i], scratch);
	if (!r)
		warn(n, OP_UNIMPL, "ioctl 0x%08lx the driver lacks succeeded",
		     unimpl[i]);
}

/* ---- random ioctl numbers and bad pointers ---------------------------- */

static const unsigned long known[] = {
	VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT, VIDIOC_G_FMT, VIDIOC_S_FMT,
	VIDIOC_TRY_FMT, VIDIOC_REQBUFS, VIDIOC_CREATE_BUFS, VIDIOC_QUERYBUF,
	VIDIOC_PREPARE_BUF, VIDIOC_QBUF, VIDIOC_DQBUF, VIDIOC_EXPBUF,
	VIDIOC_STREAMON, VIDIOC_STREAMOFF, VIDIOC_G_PARM, VIDIOC_S_PARM,
	VIDIOC_ENUM_FRAMESIZES, VIDIOC_ENUM_FRAMEINTERVALS, VIDIOC_ENUMINPUT,
	VIDIOC_G_INPUT, VIDIOC_S_INPUT, VIDIOC_G_DV_TIMINGS,
	VIDIOC_S_DV_TIMINGS, VIDIOC_QUERY_DV_TIMINGS, VIDIOC_ENUM_DV_TIMINGS,
	VIDIOC_DV_TIMINGS_CAP, VIDIOC_G_EXT_CTRLS, VIDIOC_S_EXT_CTRLS,
	VIDIOC_TRY_EXT_CTRLS, VIDIOC_QUERYCTRL, VIDIOC_QUERY_EXT_CTRL,
	VIDIOC_QUERYMENU, VIDIOC_G_CTRL, VIDIOC_S_CTRL,
	VIDIOC_SUBSCRIBE_EVENT, VIDIOC_UNSUBSCRIBE_EVENT, VIDIOC_DQEVENT,
	VIDIOC_G_PRIORITY, VIDIOC_S_PRIORITY, VIDIOC_G_SELECTION,
	VIDIOC_S_SELECTION, VIDIOC_DBG_G_REGISTER, VIDIOC_DBG_S_REGISTER,
	VIDIOC_DBG_G_CHIP_INFO,
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

static int is_known(unsigned long cmd)
{
	unsigned int i;

	for (i = 0; i < NKNOWN; i++)
		if (known[i] == cmd)
			return 1;
	for (i = 0; i < sizeof(unimpl) / sizeof(unimpl[0]); i++)
		if (unimpl[i] == cmd)
			return 1;
	return cmd == VIDIOC_LOG_STATUS;
}

/*
 * Whether a 'V' command has the number of one we know: the core also takes
 * other sizes of some of them (the 32-bit time_t layouts of QUERYBUF, QBUF,
 * DQBUF, PREPARE_BUF and DQEVENT), so their success is no finding.
 */
static int known_nr(unsigned long cmd)
{
	unsigned int i;

	if (_IOC_TYPE(cmd) != 'V')
		return 0;
	for (i = 0; i < NKNOWN; i++)
		if (_IOC_NR(known[i]) == _IOC_NR(cmd))
			return 1;
	return 0;
}

/*
 * A number no table above knows: random 'V' commands, known ones with
 * another direction or size, or other types. The generic file ioctls of
 * the VFS (types 0, 'T' with FIONBIO/FIOASYNC, 'f', 'X' with FIFREEZE,
 * 0x94) are left out: they act on the file or the filesystem, not on the
 * driver, and FIONBIO would make the handle blocking.
 */
static unsigned long rnd_cmd(void)
{
	unsigned long cmd;
	unsigned int type;

	do {
		switch (rnd(3)) {
		case 0:
			cmd = _IOC(rnd(4), 'V', rnd(256), rnd(2) ? rnd(512) : rnd(SCRATCH_SIZE / 2));
			break;
		case 1:
			cmd = known[rnd(NKNOWN)];
			cmd = _IOC(rnd(4), 'V', _IOC_NR(cmd),
				   _IOC_SIZE(cmd) + (rnd(2) ? -4 : 4) * (1 + rnd(4)));
			break;
		default:
			cmd = (__u32)rnd64() & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT);
			cmd |= (unsigned long)rnd(SCRATCH_SIZE / 2) << _IOC_SIZESHIFT;
			break;
		}
		type = _IOC_TYPE(cmd);
	} while (is_known(cmd) || type == 0 || type == 'T' || type == 'f' ||
		 type == 'X' || type == 0x94);
	return cmd;
}

static void op_random(struct fz_node *n, int *fd)
{
	unsigned long cmd = rnd_cmd();
	int r;

	rndfill(scratch, SCRATCH_SIZE);
	note(n, OP_RANDOM, cmd, scratch, _IOC_SIZE(cmd));
	r = rec(n, OP_RANDOM, ioctl(*fd, cmd, scratch));
	if (!r && !known_nr(cmd))
		warn(n, OP_RANDOM, "unknown ioctl 0x%08lx succeeded", cmd);
}

/*
 * Bytes of an ioctl's argument the V4L2 core copies in before the handler
 * runs: for the ioctls flagged INFO_FL_CLEAR(struct, field) in
 * v4l2-ioctl.c (6.1) only up to the end of that field, the rest is zeroed.
 */
#define COPY_TO(type, field) \
	(offsetof(struct type, field) + sizeof(((struct type *)0)->field))

static size_t core_copy_in(unsigned long cmd)
{
	switch (cmd) {
	case VIDIOC_QUERYBUF: return COPY_TO(v4l2_buffer, length);
	case VIDIOC_EXPBUF: return COPY_TO(v4l2_exportbuffer, flags);
	case VIDIOC_G_PARM: return COPY_TO(v4l2_streamparm, type);
	case VIDIOC_ENUMINPUT: return COPY_TO(v4l2_input, index);
	case VIDIOC_G_CTRL: return COPY_TO(v4l2_control, id);
	case VIDIOC_QUERYCTRL: return COPY_TO(v4l2_queryctrl, id);
	case VIDIOC_QUERYMENU: return COPY_TO(v4l2_querymenu, index);
	case VIDIOC_ENUM_FRAMESIZES:
		return COPY_TO(v4l2_frmsizeenum, pixel_format);
	case VIDIOC_ENUM_FRAMEINTERVALS: return COPY_TO(v4l2_frmivalenum, height);
	case VIDIOC_S_DV_TIMINGS: return COPY_TO(v4l2_dv_timings, bt.flags);
	case VIDIOC_ENUM_DV_TIMINGS: return COPY_TO(v4l2_enum_dv_timings, pad);
	case VIDIOC_DV_TIMINGS_CAP: return COPY_TO(v4l2_dv_timings_cap, pad);
	case VIDIOC_G_SELECTION:
	case VIDIOC_S_SELECTION: return COPY_TO(v4l2_selection, r);
	case VIDIOC_DBG_G_CHIP_INFO: return COPY_TO(v4l2_dbg_chip_info, match);
	case VIDIOC_QUERY_EXT_CTRL: return COPY_TO(v4l2_query_ext_ctrl, id);
	}
	return _IOC_SIZE(cmd);
}

/* bytes readable at @p, a pointer from bad_ptr() */
static size_t readable_at(const void *p)
{
	uintptr_t a = (uintptr_t)p, g = (uintptr_t)guard;

	return a >= g && a < g + pagesz ? g + pagesz - a : 0;
}

static void op_badptr(struct fz_node *n, int *fd)
{
	unsigned long cmd = known[rnd(NKNOWN)];
	void *p = bad_ptr(_IOC_SIZE(cmd));
	size_t in = core_copy_in(cmd), ok = readable_at(p);
	int r;

	note(n, OP_BADPTR, cmd, p, 0);
	r = rec(n, OP_BADPTR, ioctl(*fd, cmd, p));
	/*
	 * What the kernel reads must fault first. A result is only copied
	 * out after success, so a read-only ioctl may fail its own way, and
	 * so may one whose input part (core_copy_in()) lies in the readable
	 * page before the guard: the handler ran on it.
	 */
	if (!r)
		warn(n, OP_BADPTR, "ioctl 0x%08lx succeeded on a bad pointer", cmd);
	else if (errno != EFAULT && errno != ENOTTY &&
		 (_IOC_DIR(cmd) & _IOC_WRITE) && in > ok)
		warn(n, OP_BADPTR, "ioctl 0x%08lx on a bad pointer (%zu of the "
		     "%zu bytes read in readable): %m", cmd, ok, in);
}

/* ---- read, poll, mmap, reopen ----------------------------------------- */

static void op_read(struct fz_node *n, int *fd)
{
	size_t size = n->pix.sizeimage, len;
	void *buf = readbuf;

	if (size > READ_MAX)
		return;
	switch (rnd(8)) {
	case 0: len = 0; break;
	case 1: len = 1; break;
	case 2: len = size - 1; break;
	case 3: len = size + 1; break;
	case 4: len = rnd(READ_MAX); break;
	default: len = size; break;
	}
	if (len > READ_MAX)
		len = READ_MAX;
	if (chance(16))
		buf = bad_ptr(len);
	note(n, OP_READ, len, NULL, 0);
	rec(n, OP_READ, read(*fd, buf, len) < 0 ? -1 : 0);
}

static void op_poll(struct fz_node *n, int *fd)
{
	static const short ev[] = {
		POLLIN, POLLPRI, POLLOUT, POLLIN | POLLPRI, 0, POLLIN | POLLRDNORM,
		(short)0xffff,
	};
	struct pollfd p = { .fd = *fd, .events = ev[rnd(sizeof(ev) / sizeof(ev[0]))] };

	note(n, OP_POLL, p.events, NULL, 0);
	rec(n, OP_POLL, poll(&p, 1, rnd(4) ? 0 : rnd(20)) < 0 ? -1 : 0);
}

static void op_mmap(struct fz_node *n, int *fd)
{
	unsigned int i = rnd(n->nbufs ? n->nbufs : 1) % VIDEO_MAX_FRAME;
	off_t off = n->offsets[i];
	size_t len = n->lengths[i] ? n->lengths[i] : n->pix.sizeimage;
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED;
	void *p;

	switch (rnd(10)) {
	case 0: off += pagesz; break;
	case 1: off = (off_t)rnd(1 << 18) * pagesz; break;
	case 2: off += 1 + rnd(pagesz - 1); break;
	case 3: len += pagesz; break;
	case 4: len = rnd(2) ? 0 : len / 2; break;
	case 5: len = (size_t)1 << 40; break;
	case 6: prot = rnd(2) ? PROT_READ : rnd(2) ? PROT_WRITE : PROT_NONE; break;
	case 7: flags = MAP_PRIVATE; break;
	default: break;
	}
	note(n, OP_MMAP, off, NULL, 0);
	p = mmap(NULL, len, prot, flags, *fd, off);
	if (rec(n, OP_MMAP, p == MAP_FAILED ? -1 : 0))
		return;
	if (prot & PROT_READ)
		(void)*(volatile unsigned char *)p;
	if (prot & PROT_WRITE)
		*(volatile unsigned char *)((unsigned char *)p + len - 1) = 0;
	keep_map(p, len, n->lengths[i] > n->pix.sizeimage ? n->lengths[i] :
		 n->pix.sizeimage);
}

static void op_munmap(struct fz_node *n, int *fd)
{
	int i = rnd(MAX_MAPS);

	(void)fd;
	if (!maps[i].addr)
		return;
	rec(n, OP_MUNMAP, munmap(maps[i].addr, maps[i].len));
	maps[i].addr = NULL;
}

static int node_open(struct fz_node *n)
{
	return open(n->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

static void op_reopen(struct fz_node *n, int *fd)
{
	note(n, OP_REOPEN, 0, NULL, 0);
	close(*fd);
	*fd = node_open(n);
	if (rec(n, OP_REOPEN, *fd < 0 ? -1 : 0)) {
		printf("FAIL: %s: reopen: %m\n", n->path);
		node_broken = 1;
	}
}

static void op_querycap(struct fz_node *n, int *fd)
{
	struct v4l2_capability c;
	__u32 need = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING |
		     V4L2_CAP_READWRITE;

	rndfill(&c, sizeof(c));
	if (xioctl(n, *fd, OP_QUERYCAP, VIDIOC_QUERYCAP, &c))
		warn(n, OP_QUERYCAP, "failed: %m");
	else if ((c.device_caps & need) != need || strcmp((char *)c.driver, MC_DRIVER))
		warn(n, OP_QUERYCAP, "driver %.16s device_caps 0x%08x",
		     (char *)c.driver, c.device_caps);
}

/* ---- table ------------------------------------------------------------ */

#define OP(id, w, i, f) [id] = { .name = #id + 3, .weight = w, .impl = i, .fn = f }

static struct fz_op ops[OP_NUM] = {
	OP(OP_QUERYCAP, 10, 1, op_querycap),
	OP(OP_ENUM_FMT, 20, 1, op_enum_fmt),
	OP(OP_G_FMT, 20, 1, op_g_fmt),
	OP(OP_S_FMT, 40, 1, op_s_fmt),
	OP(OP_TRY_FMT, 40, 1, op_try_fmt),
	OP(OP_REQBUFS, 40, 1, op_reqbufs),
	OP(OP_CREATE_BUFS, 30, 1, op_create_bufs),
	OP(OP_QUERYBUF, 40, 1, op_querybuf),
	OP(OP_PREPARE_BUF, 30, 1, op_prepare_buf),
	OP(OP_QBUF, 60, 1, op_qbuf),
	OP(OP_DQBUF, 40, 1, op_dqbuf),
	OP(OP_EXPBUF, 25, 1, op_expbuf),
	OP(OP_STREAMON, 25, 1, op_streamon),
	OP(OP_STREAMOFF, 20, 1, op_streamoff),
	OP(OP_G_PARM, 15, 1, op_g_parm),
	OP(OP_S_PARM, 25, 1, op_s_parm),
	OP(OP_ENUM_FRAMESIZES, 15, 1, op_enum_framesizes),
	OP(OP_ENUM_FRAMEINTERVALS, 20, 1, op_enum_frameintervals),
	OP(OP_ENUMINPUT, 15, 1, op_enuminput),
	OP(OP_G_INPUT, 10, 1, op_g_input),
	OP(OP_S_INPUT, 15, 1, op_s_input),
	OP(OP_G_DV_TIMINGS, 15, 1, op_g_dv_timings),
	OP(OP_S_DV_TIMINGS, 25, 1, op_s_dv_timings),
	OP(OP_QUERY_DV_TIMINGS, 15, 1, op_query_dv_timings),
	OP(OP_ENUM_DV_TIMINGS, 20, 1, op_enum_dv_timings),
	OP(OP_DV_TIMINGS_CAP, 10, 1, op_dv_timings_cap),
	OP(OP_G_EXT_CTRLS, 30, 1, op_g_ext_ctrls),
	OP(OP_S_EXT_CTRLS, 30, 1, op_s_ext_ctrls),
	OP(OP_TRY_EXT_CTRLS, 30, 1, op_try_ext_ctrls),
	OP(OP_QUERYCTRL, 25, 1, op_queryctrl),
	OP(OP_QUERY_EXT_CTRL, 25, 1, op_query_ext_ctrl),
	OP(OP_QUERYMENU, 20, 1, op_querymenu),
	OP(OP_G_CTRL, 20, 1, op_g_ctrl),
	OP(OP_S_CTRL, 25, 1, op_s_ctrl),
	OP(OP_SUBSCRIBE_EVENT, 25, 1, op_subscribe),
	OP(OP_UNSUBSCRIBE_EVENT, 20, 1, op_unsubscribe),
	OP(OP_DQEVENT, 25, 1, op_dqevent),
	OP(OP_G_PRIORITY, 10, 1, op_g_priority),
	OP(OP_S_PRIORITY, 20, 1, op_s_priority),
	OP(OP_LOG_STATUS, 1, 1, op_log_status),
	OP(OP_G_SELECTION, 5, 0, op_g_selection),
	OP(OP_S_SELECTION, 5, 0, op_s_selection),
	OP(OP_DBG_G_REGISTER, 3, 0, op_dbg_g_register),
	OP(OP_DBG_S_REGISTER, 3, 0, op_dbg_s_register),
	OP(OP_DBG_G_CHIP_INFO, 3, 0, op_dbg_g_chip_info),
	OP(OP_UNIMPL, 10, 0, op_unimpl),
	OP(OP_RANDOM, 20, 0, op_random),
	OP(OP_BADPTR, 15, 0, op_badptr),
	OP(OP_READ, 15, 0, op_read),
	OP(OP_POLL, 20, 0, op_poll),
	OP(OP_MMAP, 25, 0, op_mmap),
	OP(OP_MUNMAP, 8, 0, op_munmap),
	OP(OP_REOPEN, 4, 0, op_reopen),
	OP(OP_STREAM, 2, 0, op_stream),
};

/* ---- setup, restore, report ------------------------------------------- */

static int node_setup(struct fz_node *n, int fd)
{
	struct v4l2_streamparm p = { .type = CAP };
	struct v4l2_control c = { .id = V4L2_CID_TEST_PATTERN };
	struct v4l2_control r = { .id = V4L2_CID_DV_RX_RGB_RANGE };
	int i;

	refresh_fmt(n, fd);
	n->home_pix = n->pix;
	if (ioctl(fd, VIDIOC_G_DV_TIMINGS, &n->home) ||
	    ioctl(fd, VIDIOC_G_PARM, &p) || ioctl(fd, VIDIOC_G_CTRL, &c) ||
	    ioctl(fd, VIDIOC_G_CTRL, &r)) {
		printf("FAIL: %s: reading the initial state: %m\n", n->path);
		return -1;
	}
	n->home_tpf = p.parm.capture.timeperframe;
	n->home_tpg = c.value;
	n->home_range = r.value;
	for (i = 0; i < nfds; i++) {
		n->fd[i] = node_open(n);
		if (n->fd[i] < 0) {
			printf("FAIL: %s: open: %m\n", n->path);
			return -1;
		}
	}
	return 0;
}

/* stop and free every queue, close every handle, restore the node */
static int node_restore(struct fz_node *n)
{
	struct v4l2_requestbuffers rb = { .type = CAP };
	struct v4l2_streamparm p = { .type = CAP };
	struct v4l2_control c = { .id = V4L2_CID_TEST_PATTERN };
	struct v4l2_control r = { .id = V4L2_CID_DV_RX_RGB_RANGE };
	struct v4l2_format f = { .type = CAP };
	struct v4l2_dv_timings t = n->home;
	int type = CAP, fd, i, ret = 0;

	for (i = 0; i < nfds; i++) {
		ioctl(n->fd[i], VIDIOC_STREAMOFF, &type);
		for (rb.memory = V4L2_MEMORY_MMAP; rb.memory <= V4L2_MEMORY_DMABUF; rb.memory++) {
			rb.count = 0;
			ioctl(n->fd[i], VIDIOC_REQBUFS, &rb);
		}
		close(n->fd[i]);
	}
	fd = node_open(n);
	if (fd < 0) {
		printf("FAIL: %s: open after fuzzing: %m\n", n->path);
		return -1;
	}
	f.fmt.pix = n->home_pix;
	p.parm.capture.timeperframe = n->home_tpf;
	c.value = n->home_tpg;
	r.value = n->home_range;
	if (ioctl(fd, VIDIOC_S_DV_TIMINGS, &t) || ioctl(fd, VIDIOC_S_FMT, &f) ||
	    ioctl(fd, VIDIOC_S_PARM, &p) || ioctl(fd, VIDIOC_S_CTRL, &c) ||
	    ioctl(fd, VIDIOC_S_CTRL, &r)) {
		printf("FAIL: %s: restoring the initial state: %m\n", n->path);
		ret = -1;
	}
	refresh_fmt(n, fd);
	memset(&p.parm, 0, sizeof(p.parm));
	if (!ret && (ioctl(fd, VIDIOC_G_PARM, &p) ||
		     memcmp(&n->pix, &n->home_pix, sizeof(n->pix)) ||
		     p.parm.capture.timeperframe.numerator != n->home_tpf.numerator ||
		     p.parm.capture.timeperframe.denominator != n->home_tpf.denominator)) {
		printf("FAIL: %s: state after restore differs: %ux%u %.4s bpl %u, %u/%u\n",
		       n->path, n->pix.width, n->pix.height, (char *)&n->pix.pixelformat,
		       n->pix.bytesperline, p.parm.capture.timeperframe.numerator,
		       p.parm.capture.timeperframe.denominator);
		ret = -1;
	}
	close(fd);
	return ret;
}

static void report(void)
{
	unsigned long long tot;
	int op, e;

	printf("results per call (ok = success, else errno: count):\n");
	for (op = 0; op < OP_NUM; op++) {
		for (tot = 0, e = 0; e <= NERR; e++)
			tot += sh->hist[op][e];
		if (!tot)
			continue;
		printf("  %-20s %8llu:", ops[op].name, tot);
		for (e = 0; e <= NERR; e++) {
			if (!sh->hist[op][e])
				continue;
			if (!e)
				printf(" ok %llu", sh->hist[op][e]);
			else if (e == NERR)
				printf(" other %llu", sh->hist[op][e]);
			else
				printf(" %s %llu", strerrorname_np(e) ?: "?",
				       sh->hist[op][e]);
		}
		putchar('\n');
	}
}

static void *map_or_die(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(MC_EXIT_FAIL);
	}
	return p;
}

/*
 * A page nothing can reach, not even the kernel pinning USERPTR memory: up
 * to 6.1, get_vaddr_frames() pins with FOLL_FORCE, which goes through a
 * private PROT_NONE page (copy-on-write) and on into the next mapping, so
 * a USERPTR buffer running off the arena once let the card write frames
 * into the counters shared with the watchdog. FOLL_FORCE cannot write a
 * shared mapping without PROT_WRITE.
 */
static void guard_page(void *addr)
{
	if (mmap(addr, pagesz, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) == MAP_FAILED) {
		perror("mmap guard");
		exit(MC_EXIT_FAIL);
	}
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-s SEED] [-n COUNT] [-f FDS] [-W] [-v] "
		"[-w SECS] [-x CALL]... [node...]\n", argv0);
	exit(2);
}

static void print_last(void)
{
	unsigned int i;

	printf("last call: %s on %s, cmd/arg 0x%08lx", ops[sh->last_op].name,
	       nodes[sh->last_node].path, sh->last_cmd);
	if (sh->last_len)
		printf(", %u bytes:", sh->last_len);
	for (i = 0; i < sh->last_len; i++)
		printf("%s%02x", i % 32 ? " " : "\n  ", sh->last_arg[i]);
	printf("\n");
}

static int fuzz(unsigned long long seed, int werror)
{
	unsigned long long step, next;
	unsigned int total_w = 0, w;
	int i, op, ret = MC_EXIT_PASS;
	long long t0;

	for (op = 0; op < OP_NUM; op++)
		total_w += ops[op].weight;
	rng_state = seed;
	t0 = mc_now_us();
	step = target / 10 ? target / 10 : 1;
	next = step;
	while (sh->calls < target && !node_broken) {
		struct fz_node *n = &nodes[rnd(nnodes)];
		int *fd = &n->fd[rnd(nfds)];

		w = rnd(total_w);
		for (op = 0; w >= ops[op].weight; op++)
			w -= ops[op].weight;
		ops[op].fn(n, fd);
		if (sh->calls >= next) {
			printf("  %llu calls, %.1f s\n", sh->calls,
			       (mc_now_us() - t0) / 1e6);
			next += step;
		}
	}
	printf("mcap-fuzz: %llu calls in %.1f s, %llu warnings\n", sh->calls,
	       (mc_now_us() - t0) / 1e6, sh->warnings);
	report();

	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].addr)
			munmap(maps[i].addr, maps[i].len);
	for (i = 0; i < MAX_DMABUFS; i++)
		if (dmabufs[i] >= 0)
			close(dmabufs[i]);
	for (i = 0; i < nnodes; i++)
		if (node_restore(&nodes[i]))
			node_broken = 1;
	if (node_broken)
		ret = MC_EXIT_FAIL;
	else if (werror && sh->warnings) {
		printf("FAIL: %llu warnings with -W: results the driver must "
		       "not give (the warning lines above)\n", sh->warnings);
		ret = MC_EXIT_FAIL;
	}
	printf("mcap-fuzz: %s\n", ret ? "FAIL" : "done, every node restored");
	return ret;
}

/*
 * The fuzzing runs in a child. A task that dies in the kernel (oops) while
 * holding the node's lock never finishes exiting; the parent notices that
 * the calls stopped, reports the last one and exits, so the test goes on.
 */
static int watch(pid_t pid, unsigned int timeout)
{
	unsigned long long last = ~0ULL;
	unsigned int still = 0;
	int st, i, j;

	for (i = 0; i < nnodes; i++)
		for (j = 0; j < nfds; j++)
			close(nodes[i].fd[j]);
	for (;;) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		usleep(200000);
		if (sh->calls != last) {
			last = sh->calls;
			still = 0;
			continue;
		}
		if (++still < timeout * 5)
			continue;
		printf("FAIL: no call returned for %u s after %llu calls: "
		       "the fuzzer is stuck in the kernel (see the kernel log)\n",
		       timeout, sh->calls);
		print_last();
		report();
		return MC_EXIT_FAIL;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	printf("FAIL: fuzzer killed by signal %d after %llu calls\n",
	       WTERMSIG(st), sh->calls);
	print_last();
	report();
	return MC_EXIT_FAIL;
}

int main(int argc, char **argv)
{
	struct mc_node found[MC_MAX_NODES];
	unsigned long long seed;
	unsigned int timeout = 60;
	int opt, i, op, werror = 0;
	pid_t pid;
	char *env;

	seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	target = 100000;
	env = getenv("MCAP_FUZZ_COUNT");
	if (env && *env)
		target = strtoull(env, NULL, 0);
	while ((opt = getopt(argc, argv, "s:n:f:Wvw:x:")) != -1) {
		switch (opt) {
		case 'w': timeout = atoi(optarg); break;
		case 'x':
			for (op = 0; op < OP_NUM; op++)
				if (!strcasecmp(optarg, ops[op].name))
					break;
			if (op == OP_NUM)
				usage(argv[0]);
			ops[op].weight = 0;
			break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': target = strtoull(optarg, NULL, 0); break;
		case 'f': nfds = atoi(optarg); break;
		case 'W': werror = 1; break;
		case 'v': verbose = 1; break;
		default: usage(argv[0]);
		}
	}
	if (nfds < 1 || nfds > MAX_FDS || !timeout)
		usage(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	nnodes = mc_nodes_find(found, MC_MAX_NODES, argv + optind, argc - optind);
	if (nnodes <= 0) {
		printf("SKIP: no multicap nodes\n");
		return nnodes < 0 ? MC_EXIT_FAIL : MC_EXIT_SKIP;
	}
	pagesz = sysconf(_SC_PAGESIZE);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return MC_EXIT_FAIL;
	}
	arena = map_or_die(ARENA_SIZE + pagesz, PROT_READ | PROT_WRITE);
	guard_page(arena + ARENA_SIZE);
	rdonly = map_or_die(pagesz * 5, PROT_READ);
	guard_page(rdonly + pagesz * 4);
	guard = map_or_die(pagesz * 2, PROT_READ | PROT_WRITE);
	guard_page(guard + pagesz);
	scratch = map_or_die(SCRATCH_SIZE, PROT_READ | PROT_WRITE);
	readbuf = map_or_die(READ_MAX, PROT_READ | PROT_WRITE);
	ctrls = map_or_die(NCTRLS * sizeof(*ctrls), PROT_READ | PROT_WRITE);
	evfd = eventfd(0, EFD_CLOEXEC);
	for (i = 0; i < MAX_DMABUFS; i++)
		dmabufs[i] = -1;

	for (i = 0; i < nnodes; i++) {
		memcpy(nodes[i].path, found[i].path, sizeof(nodes[i].path));
		if (node_setup(&nodes[i], found[i].fd))
			return MC_EXIT_FAIL;
		mc_node_close(&found[i]);
	}
	printf("mcap-fuzz: seed 0x%llx, %llu calls, %d nodes, %d handles each\n",
	       seed, target, nnodes, nfds);
	printf("replay: mcap-fuzz -s 0x%llx -n %llu -f %d", seed, target, nfds);
	for (i = 0; i < nnodes; i++)
		printf(" %s", nodes[i].path);
	printf("\n");
	for (op = 0; op < OP_NUM; op++)
		if (!ops[op].weight)
			printf("left out: %s\n", ops[op].name);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return MC_EXIT_FAIL;
	}
	if (!pid)
		_exit(fuzz(seed, werror));
	return watch(pid, timeout);
}
