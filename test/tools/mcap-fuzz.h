/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcap-fuzz.h - what the pieces of mcap-fuzz share: nodes, calls, counters
 *
 * The program and its pieces are described at the top of mcap-fuzz.c.
 * Every call of the table is a function void op_x(node, &fd), in
 * mcap-fuzz-ioctl.c, mcap-fuzz-queue.c or mcap-fuzz-bad.c; it draws its
 * arguments from mcap-fuzz-rand.c and makes the call through xioctl() or
 * note() and rec() of mcap-fuzz-check.c, which count and check the result.
 */
#ifndef MCAP_FUZZ_H
#define MCAP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

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

/* mcap-fuzz.c */
extern struct fz_node nodes[MC_MAX_NODES];
extern int nnodes, nfds;
extern int evfd;			/* an eventfd: not a dma-buf */
extern unsigned char *arena;		/* USERPTR memory + guard page */
extern unsigned char *rdonly;		/* read-only page */
extern unsigned char *guard;		/* 2 pages, the second PROT_NONE */
extern unsigned char *scratch;		/* random ioctl arguments */
extern unsigned char *readbuf;
extern struct v4l2_ext_control *ctrls;
extern long pagesz;
extern int node_broken;
int node_open(struct fz_node *n);

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

struct fz_op {
	const char *name;
	unsigned int weight;
	int impl;		/* the node implements it: ENOTTY is a bug */
	void (*fn)(struct fz_node *n, int *fd);
	unsigned int warned;
};

extern struct fz_op ops[OP_NUM];	/* mcap-fuzz.c */

/* ---- mcap-fuzz-rand.c: the PRNG and the values it draws --------------- */

void rnd_seed(uint64_t seed);
uint64_t rnd64(void);
uint32_t rnd(uint32_t n);		/* 0 .. n-1 */
int chance(uint32_t n);			/* 1 in n */
uint32_t bval(void);			/* a boundary or random 32-bit value */
void rndfill(void *p, size_t len);
__u32 rnd_type(void);			/* mostly VIDEO_CAPTURE */
__u32 rnd_memory(const struct fz_node *n);
__u32 rnd_index(const struct fz_node *n);
/* a pointer a structure of @size bytes cannot be read or written at */
void *bad_ptr(size_t size);

/* ---- mcap-fuzz-check.c: results --------------------------------------- */

extern struct fz_shared *sh;
extern int verbose;			/* -v: every warning */

__attribute__((format(printf, 3, 4)))
void fz_warn(const struct fz_node *n, int op, const char *fmt, ...);
/* count one call's result (@ret < 0: errno) and check the errno class */
int rec(const struct fz_node *n, int op, int ret);
/* remember a call before making it, for the watchdog */
void note(const struct fz_node *n, int op, unsigned long cmd,
	  const void *arg, size_t len);
/* note(), ioctl(), rec() */
int xioctl(const struct fz_node *n, int fd, int op, unsigned long req,
	   void *arg);
/* must fail: warn if it did not */
void must_fail(const struct fz_node *n, int op, int ret, const char *why);
void report(void);			/* the histogram */
void print_last(void);			/* the call note() remembered */

/* ---- mcap-fuzz-ioctl.c: the ioctls multicap implements ---------------- */

void refresh_fmt(struct fz_node *n, int fd);	/* G_FMT into n->pix */
/* a format to try or set: mostly the node's size, any bytesperline */
void fill_pix(struct fz_node *n, struct v4l2_pix_format *pix);

void op_querycap(struct fz_node *n, int *fd);
void op_enum_fmt(struct fz_node *n, int *fd);
void op_g_fmt(struct fz_node *n, int *fd);
void op_s_fmt(struct fz_node *n, int *fd);
void op_try_fmt(struct fz_node *n, int *fd);
void op_g_parm(struct fz_node *n, int *fd);
void op_s_parm(struct fz_node *n, int *fd);
void op_enum_framesizes(struct fz_node *n, int *fd);
void op_enum_frameintervals(struct fz_node *n, int *fd);
void op_enuminput(struct fz_node *n, int *fd);
void op_g_input(struct fz_node *n, int *fd);
void op_s_input(struct fz_node *n, int *fd);
void op_g_dv_timings(struct fz_node *n, int *fd);
void op_s_dv_timings(struct fz_node *n, int *fd);
void op_query_dv_timings(struct fz_node *n, int *fd);
void op_enum_dv_timings(struct fz_node *n, int *fd);
void op_dv_timings_cap(struct fz_node *n, int *fd);
void op_g_ext_ctrls(struct fz_node *n, int *fd);
void op_s_ext_ctrls(struct fz_node *n, int *fd);
void op_try_ext_ctrls(struct fz_node *n, int *fd);
void op_queryctrl(struct fz_node *n, int *fd);
void op_query_ext_ctrl(struct fz_node *n, int *fd);
void op_querymenu(struct fz_node *n, int *fd);
void op_g_ctrl(struct fz_node *n, int *fd);
void op_s_ctrl(struct fz_node *n, int *fd);
void op_subscribe(struct fz_node *n, int *fd);
void op_unsubscribe(struct fz_node *n, int *fd);
void op_dqevent(struct fz_node *n, int *fd);
void op_g_priority(struct fz_node *n, int *fd);
void op_s_priority(struct fz_node *n, int *fd);
void op_log_status(struct fz_node *n, int *fd);

/* ---- mcap-fuzz-queue.c: buffers, streaming, read, poll, mmap ---------- */

void keep_init(void);
void keep_release(void);		/* the mappings and dma-bufs kept */

void op_reqbufs(struct fz_node *n, int *fd);
void op_create_bufs(struct fz_node *n, int *fd);
void op_querybuf(struct fz_node *n, int *fd);
void op_prepare_buf(struct fz_node *n, int *fd);
void op_qbuf(struct fz_node *n, int *fd);
void op_dqbuf(struct fz_node *n, int *fd);
void op_expbuf(struct fz_node *n, int *fd);
void op_streamon(struct fz_node *n, int *fd);
void op_streamoff(struct fz_node *n, int *fd);
void op_read(struct fz_node *n, int *fd);
void op_poll(struct fz_node *n, int *fd);
void op_mmap(struct fz_node *n, int *fd);
void op_munmap(struct fz_node *n, int *fd);
void op_reopen(struct fz_node *n, int *fd);
void op_stream(struct fz_node *n, int *fd);

/* ---- mcap-fuzz-bad.c: calls that must not succeed --------------------- */

void op_g_selection(struct fz_node *n, int *fd);
void op_s_selection(struct fz_node *n, int *fd);
void op_dbg_g_register(struct fz_node *n, int *fd);
void op_dbg_s_register(struct fz_node *n, int *fd);
void op_dbg_g_chip_info(struct fz_node *n, int *fd);
void op_unimpl(struct fz_node *n, int *fd);
void op_random(struct fz_node *n, int *fd);
void op_badptr(struct fz_node *n, int *fd);

#endif /* MCAP_FUZZ_H */
