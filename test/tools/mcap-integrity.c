// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-integrity - check every byte of "Tagged Lines" frames on all
 *                  multicap channels streaming at once
 *
 * Usage: mcap-integrity [-i mmap|userptr|dmabuf] [-f FOURCC|all] [-p PAD]
 *                       [-n FRAMES] [-b NBUFS] [-e DMABUF_SRC] [-C] [node...]
 *
 *   -i  memory type (default mmap)
 *   -f  format: YUYV UYVY RGB3|RGB24 BGR3|BGR24 GREY XR24|XBGR32 NV12 NV16,
 *       or "all" for every format enumerated by ENUM_FMT (default YUYV)
 *   -p  bytes of padding per line: bytesperline = packed + PAD (default 0)
 *   -n  frames to check per node and format (default 30)
 *   -b  buffers to request per node (default 4)
 *   -e  DMABUF source: a /dev/dma_heap/<heap> or a V4L2 capture node to
 *       VIDIOC_EXPBUF from (default /dev/dma_heap/system if present, else
 *       an idle multicap node, else vivid)
 *   -C  do not check the padding and the slack after sizeimage: with bounce
 *       buffers (swiotlb) the DMA API copies the whole mapping back to the
 *       buffer, so bytes the card never wrote are undefined
 *   node...  nodes to test (default: every /dev/videoN whose driver is
 *       multicap)
 *
 * For every node: sets the test pattern "Tagged Lines", S_FMT (G_FMT must
 * report the requested bytesperline and the spec's sizeimage), streams all
 * nodes together (single thread, poll()) and checks for every buffer:
 * MONOTONIC timestamps, strictly increasing timestamp and sequence (gaps
 * are counted as dropped frames), field NONE, bytesused == sizeimage, and
 * for every line (NV12/NV16: luma lines then chroma lines numbered on
 * from height) the tag "MCAP", channel (sysfs index), frame == sequence
 * (less an offset that may change only at a sequence gap where the card's
 * frame counter restarted lower: a watchdog reset of a hung engine),
 * line index, every payload byte, and that line padding and any slack
 * after sizeimage still hold the canary 0xA5 written before QBUF.
 * Buffers flagged ERROR are counted and requeued without content checks.
 * Fails on any mismatch or if fewer than FRAMES good frames arrive within
 * 10 s + FRAMES * 0.5 s. Exit 0 pass, 1 fail, 77 skip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "common.h"

struct run {
	struct mc_node *n;
	struct mc_queue q;
	struct mc_check chk;
	char label[64];
	unsigned long frames, errflag, dropped, restarts;
	__u32 last_seq, base, last_tag;
	long long last_ts;
	int have_last, ready, done;
};

static struct mc_node nodes[MC_MAX_NODES];
static struct run runs[MC_MAX_NODES];
static int nnodes;
static struct mc_dmabuf_src dsrc = { .heap_fd = -1, .exp_fd = -1 };

static __u32 memory = V4L2_MEMORY_MMAP;
static unsigned int pad, nframes = 30, nbufs = 4;
static int unsupported, setup_err, no_canary;

static unsigned long t_frames, t_lines, t_dropped, t_errflag, t_errors;

static void usage(void)
{
	fprintf(stderr, "usage: mcap-integrity [-i mmap|userptr|dmabuf] "
		"[-f FOURCC|all] [-p PAD] [-n FRAMES] [-b NBUFS] "
		"[-e DMABUF_SRC] [-C] [node...]\n");
	exit(MC_EXIT_FAIL);
}

/* 0: requeued, 1: node has enough frames, -1: error */
static int handle_buf(struct run *r, struct v4l2_buffer *b)
{
	struct mc_check *c = &r->chk;
	struct mc_buf *mb = &r->q.buf[b->index];
	long long ts = mc_tv_us(&b->timestamp), now = mc_now_us();
	__u32 seq = b->sequence, gap = 0, tag;

	if ((b->flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) !=
	    V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC)
		mc_fail(c, "seq %u: timestamp type not MONOTONIC (flags 0x%x)",
			seq, b->flags);
	if (ts > now)
		mc_fail(c, "seq %u: timestamp %lld us is in the future (now "
			"%lld)", seq, ts, now);
	if (r->have_last) {
		if (seq <= r->last_seq)
			mc_fail(c, "seq %u: not above previous seq %u", seq,
				r->last_seq);
		else
			gap = seq - r->last_seq - 1;
		r->dropped += gap;
		if (ts <= r->last_ts)
			mc_fail(c, "seq %u: timestamp %lld us not above "
				"previous %lld us", seq, ts, r->last_ts);
	}
	r->have_last = 1;
	r->last_seq = seq;
	r->last_ts = ts;

	if (b->flags & V4L2_BUF_FLAG_ERROR) {
		r->errflag++;
	} else {
		if (b->field != V4L2_FIELD_NONE)
			mc_fail(c, "seq %u: field %u, expected NONE", seq,
				b->field);
		if (b->bytesused != r->q.pix.sizeimage)
			mc_fail(c, "seq %u: bytesused %u, expected %u", seq,
				b->bytesused, r->q.pix.sizeimage);
		mc_buf_cpu(&r->q, b->index, 1);
		memcpy(&tag, mb->mem + 8, sizeof(tag));
		/* Only a lost frame can hide a restart of the card's counter. */
		if (gap && r->frames && tag < r->last_tag) {
			r->base = seq - tag;
			r->restarts++;
		}
		r->last_tag = seq - r->base;
		mc_check_frame(c, mb->mem, mb->len, &r->q.pix, r->q.f,
			       r->n->channel, seq - r->base,
			       no_canary ? -1 : MC_CANARY);
		mc_buf_cpu(&r->q, b->index, 0);
		r->frames++;
	}
	if (r->frames >= nframes)
		return 1;
	return mc_queue_buf(&r->q, b->index, MC_CANARY) ? -1 : 0;
}

static void setup(struct run *r, const struct mc_fmt *f)
{
	struct v4l2_pix_format pix;
	unsigned int i;
	int err;

	if (mc_set_format(r->n->fd, r->label, f, pad, &pix)) {
		mc_fail(&r->chk, "format setup failed");
		return;
	}
	err = mc_queue_init(&r->q, r->n->fd, memory, nbufs, &pix, f, &dsrc);
	if (err == -2) {
		printf("%s: memory type not supported by the driver\n",
		       r->label);
		unsupported = 1;
		return;
	}
	if (err) {
		mc_fail(&r->chk, "buffer setup failed");
		return;
	}
	for (i = 0; i < r->q.count; i++) {
		if (mc_queue_buf(&r->q, i, MC_CANARY)) {
			mc_fail(&r->chk, "initial QBUF failed");
			mc_queue_free(&r->q);
			return;
		}
	}
	r->ready = 1;
}

static void stream_all(long long deadline)
{
	struct pollfd pfd[MC_MAX_NODES];
	struct v4l2_buffer b;
	int idx[MC_MAX_NODES], i, k, np, ret = 0;
	long long left;

	for (;;) {
		for (np = 0, i = 0; i < nnodes; i++) {
			if (!runs[i].ready || runs[i].done)
				continue;
			pfd[np].fd = runs[i].n->fd;
			pfd[np].events = POLLIN;
			pfd[np].revents = 0;
			idx[np++] = i;
		}
		left = (deadline - mc_now_us()) / 1000;
		if (!np || left <= 0)
			return;
		if (poll(pfd, np, left > 1000 ? 1000 : (int)left) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return;
		}
		for (k = 0; k < np; k++) {
			struct run *r = &runs[idx[k]];

			if (!pfd[k].revents)
				continue;
			if (!(pfd[k].revents & POLLIN)) {
				mc_fail(&r->chk, "poll revents 0x%x",
					pfd[k].revents);
				r->done = 1;
				continue;
			}
			while (!r->done &&
			       !(ret = mc_dequeue_buf(&r->q, &b))) {
				ret = handle_buf(r, &b);
				if (ret < 0)
					mc_fail(&r->chk, "requeue failed");
				if (ret) {
					r->done = 1;
					mc_stream(r->n->fd, 0);
				}
			}
			if (ret < 0 && !r->done) {
				mc_fail(&r->chk, "DQBUF failed");
				r->done = 1;
			}
		}
	}
}

static void run_format(const struct mc_fmt *f)
{
	long long tmo = 10000000LL + nframes * 500000LL;
	int i;

	for (i = 0; i < nnodes; i++) {
		struct run *r = &runs[i];

		memset(r, 0, sizeof(*r));
		r->n = &nodes[i];
		r->chk.label = r->label;
		r->chk.max_report = 5;
		snprintf(r->label, sizeof(r->label), "%s/ch%d/%s",
			 r->n->name, r->n->channel, f->name);
		setup(r, f);
	}
	for (i = 0; i < nnodes && !unsupported; i++) {
		if (runs[i].ready && mc_stream(runs[i].n->fd, 1)) {
			mc_fail(&runs[i].chk, "STREAMON: %s", strerror(errno));
			runs[i].done = 1;
		}
	}
	if (!unsupported)
		stream_all(mc_now_us() + tmo);
	for (i = 0; i < nnodes; i++) {
		struct run *r = &runs[i];

		if (r->ready) {
			mc_stream(r->n->fd, 0);
			mc_queue_free(&r->q);
		}
		if (unsupported)
			continue;
		if (r->ready && r->frames < nframes)
			mc_fail(&r->chk, "only %lu of %u frames within %lld s",
				r->frames, nframes, tmo / 1000000);
		printf("%s: frames %lu, lines %lu, dropped %lu, "
		       "error-flagged %lu, errors %lu, card restarts %lu\n",
		       r->label, r->frames, r->chk.lines, r->dropped, r->errflag,
		       r->chk.errors, r->restarts);
		t_frames += r->frames;
		t_lines += r->chk.lines;
		t_dropped += r->dropped;
		t_errflag += r->errflag;
		t_errors += r->chk.errors;
	}
	mc_dmabuf_src_reset(&dsrc);
}

/* formats enumerated by @n that are in the spec table; counts deviations */
static unsigned int enum_formats(struct mc_node *n, const struct mc_fmt **l)
{
	struct v4l2_fmtdesc fd;
	const struct mc_fmt *f;
	unsigned int i, cnt = 0, seen = 0;
	char s[5];

	for (i = 0;; i++) {
		memset(&fd, 0, sizeof(fd));
		fd.index = i;
		fd.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		if (ioctl(n->fd, VIDIOC_ENUM_FMT, &fd))
			break;
		f = mc_fmt_by_fourcc(fd.pixelformat);
		if (!f) {
			printf("%s: ENUM_FMT: %s is not in the spec\n",
			       n->name, mc_fourcc_str(fd.pixelformat, s));
			t_errors++;
		} else if (!(seen & 1u << (f - mc_formats))) {
			seen |= 1u << (f - mc_formats);
			l[cnt++] = f;
		}
	}
	for (i = 0; i < mc_nformats; i++) {
		if (!(seen & 1u << i)) {
			printf("%s: ENUM_FMT: %s missing\n", n->name,
			       mc_formats[i].name);
			t_errors++;
		}
	}
	return cnt;
}

int main(int argc, char **argv)
{
	const struct mc_fmt *fmts[32], *list[32];
	const char *fmtarg = "YUYV", *src = NULL, *mem = "mmap";
	unsigned int nfmts = 1, ran = 0, i;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "i:f:p:n:b:e:Ch")) != -1) {
		switch (opt) {
		case 'C':
			no_canary = 1;
			break;
		case 'i':
			mem = optarg;
			if (!strcmp(mem, "mmap"))
				memory = V4L2_MEMORY_MMAP;
			else if (!strcmp(mem, "userptr"))
				memory = V4L2_MEMORY_USERPTR;
			else if (!strcmp(mem, "dmabuf"))
				memory = V4L2_MEMORY_DMABUF;
			else
				usage();
			break;
		case 'f': fmtarg = optarg; break;
		case 'p': pad = strtoul(optarg, NULL, 0); break;
		case 'n': nframes = strtoul(optarg, NULL, 0); break;
		case 'b': nbufs = strtoul(optarg, NULL, 0); break;
		case 'e': src = optarg; break;
		default: usage();
		}
	}
	if (!nframes || nbufs < 2 || nbufs > MC_MAX_BUFS)
		usage();
	if (strcasecmp(fmtarg, "all") && !(fmts[0] = mc_fmt_parse(fmtarg)))
		usage();

	nnodes = mc_nodes_find(nodes, MC_MAX_NODES, argv + optind,
			       argc - optind);
	if (nnodes < 0)
		return MC_EXIT_FAIL;
	if (!nnodes) {
		printf("mcap-integrity: SKIP: no multicap capture nodes\n");
		return MC_EXIT_SKIP;
	}
	for (i = 0; i < (unsigned int)nnodes; i++) {
		if (mc_set_menu_ctrl(nodes[i].fd, V4L2_CID_TEST_PATTERN,
				     MC_PATTERN) < 0) {
			printf("%s: cannot set test pattern \"%s\"\n",
			       nodes[i].path, MC_PATTERN);
			t_errors++;
			setup_err = 1;
		}
		if (!strcasecmp(fmtarg, "all")) {
			unsigned int n = enum_formats(&nodes[i], list);

			if (!i) {
				memcpy(fmts, list, n * sizeof(*list));
				nfmts = n;
			}
		}
	}
	if (memory == V4L2_MEMORY_DMABUF) {
		if (mc_dmabuf_src_open(&dsrc, src, nodes, nnodes)) {
			printf("mcap-integrity: SKIP: no DMABUF source (no "
			       "dma-heap, no idle multicap/vivid node)\n");
			return MC_EXIT_SKIP;
		}
		printf("DMABUF source: %s\n", dsrc.path);
	}
	for (i = 0; i < nfmts && !setup_err && !unsupported; i++, ran++)
		run_format(fmts[i]);
	mc_dmabuf_src_close(&dsrc);
	for (i = 0; i < (unsigned int)nnodes; i++)
		mc_node_close(&nodes[i]);
	if (unsupported && !t_errors) {
		printf("mcap-integrity: SKIP: memory %s not supported\n", mem);
		return MC_EXIT_SKIP;
	}
	printf("mcap-integrity: %s: nodes %d, formats %u, memory %s, pad %u, "
	       "frames %lu, lines %lu, dropped %lu, error-flagged %lu, "
	       "errors %lu\n", t_errors ? "FAIL" : "PASS", nnodes, ran, mem,
	       pad, t_frames, t_lines, t_dropped, t_errflag, t_errors);
	return t_errors ? MC_EXIT_FAIL : MC_EXIT_PASS;
}
