// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-stress.c - lifetime and concurrency stress for a capture node
 *
 * Usage: mcap-stress cycle [-n CYCLES] NODE
 *        mcap-stress opens [-n THREADS] [-r ROUNDS] NODE...
 *        mcap-stress ctrls [-t SECONDS] NODE
 *        mcap-stress short NODE EXPORTER
 *        mcap-stress reg NODE
 *
 * cycle: CYCLES STREAMON/STREAMOFF cycles on one file handle, leaving the
 *   buffers in every state at STREAMOFF: some never queued, some queued,
 *   some filled but not dequeued, some dequeued and held; every 16th cycle
 *   also frees and reallocates the buffers (REQBUFS 0, then a new count).
 *   After each STREAMOFF, QUERYBUF must show no buffer still QUEUED or
 *   DONE, and frames must keep arriving (at least one every few cycles).
 * opens: THREADS threads at once, each ROUNDS times: open a random node
 *   (O_NONBLOCK), QUERYCAP, G_FMT, G_PRIORITY, one control read, close.
 *   Every call must succeed.
 * ctrls: for SECONDS, enumerate and read every control, toggle the test
 *   pattern through its menu, read the DV timings, the input and the
 *   format: what other applications do while one streams. Every call
 *   must succeed, except S_CTRL with EBUSY.
 * short: USERPTR and DMABUF buffers shorter than the format's sizeimage
 *   must be refused at QBUF (the DMABUF comes from EXPORTER, another
 *   capture node, set to GREY for a half-size buffer); full-size ones must
 *   be accepted, so the refusal is about the size.
 * reg: VIDIOC_DBG_G_REGISTER and VIDIOC_DBG_S_REGISTER (writing back the
 *   ID register, which is read-only) must fail: run it without
 *   CAP_SYS_ADMIN. Prints the errors.
 * Exit: 0 pass, 1 fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "common.h"

#define NBUFS_MAX	8

static unsigned long failures;

#define FAILF(...) do {						\
		fprintf(stderr, "FAIL: " __VA_ARGS__);		\
		__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED); \
	} while (0)

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int r;

	do {
		r = ioctl(fd, req, arg);
	} while (r && errno == EINTR);
	if (r)
		FAILF("%s: %s\n", what, strerror(errno));
	return r;
}

/* ---- cycle ------------------------------------------------------------ */

struct cyc {
	int fd;
	unsigned int count;
	void *mem[NBUFS_MAX];
	size_t len[NBUFS_MAX];
};

static int cyc_alloc(struct cyc *c, unsigned int count)
{
	struct v4l2_requestbuffers rb = {
		.count = count, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	unsigned int i;

	for (i = 0; i < c->count; i++)
		munmap(c->mem[i], c->len[i]);
	c->count = 0;
	if (xioctl(c->fd, VIDIOC_REQBUFS, &rb, "REQBUFS"))
		return -1;
	if (rb.count > NBUFS_MAX) {
		FAILF("REQBUFS gave %u buffers\n", rb.count);
		return -1;
	}
	for (i = 0; i < rb.count; i++) {
		struct v4l2_buffer b = {
			.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};

		if (xioctl(c->fd, VIDIOC_QUERYBUF, &b, "QUERYBUF"))
			return -1;
		c->len[i] = b.length;
		c->mem[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
				 MAP_SHARED, c->fd, b.m.offset);
		if (c->mem[i] == MAP_FAILED) {
			FAILF("mmap: %s\n", strerror(errno));
			return -1;
		}
		c->count = i + 1;
	}
	return 0;
}

static int cyc_qbuf(struct cyc *c, unsigned int i)
{
	struct v4l2_buffer b = {
		.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};

	return xioctl(c->fd, VIDIOC_QBUF, &b, "QBUF");
}

/* Wait up to @ms for a frame; dequeue it. 1 got one, 0 none, -1 error. */
static int cyc_dqbuf(struct cyc *c, int ms)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP,
	};
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	if (poll(&p, 1, ms) <= 0)
		return 0;
	if (ioctl(c->fd, VIDIOC_DQBUF, &b)) {
		if (errno == EAGAIN)
			return 0;
		FAILF("DQBUF: %s\n", strerror(errno));
		return -1;
	}
	return 1;
}

static int cycle(const char *path, unsigned long n)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	unsigned long k, frames = 0, since = 0;
	struct cyc c = { 0 };
	unsigned int i, nq;

	c.fd = open(path, O_RDWR | O_NONBLOCK);
	if (c.fd < 0) {
		perror(path);
		return MC_EXIT_FAIL;
	}
	if (cyc_alloc(&c, 4))
		return MC_EXIT_FAIL;
	srand(1);
	for (k = 0; k < n && !failures; k++) {
		if (k && !(k % 16) && cyc_alloc(&c, 2 + rand() % (NBUFS_MAX - 1)))
			break;
		/* buffers [0, nq) queued, the rest never queued */
		nq = 1 + rand() % c.count;
		for (i = 0; i < nq; i++)
			cyc_qbuf(&c, i);
		if (xioctl(c.fd, VIDIOC_STREAMON, &type, "STREAMON"))
			break;
		/* some cycles wait for frames: dequeue some, leave some done */
		switch (rand() % 4) {
		case 0:
			break;	/* stop at once: everything still queued */
		case 1:
			usleep(rand() % 50000);	/* maybe mid-frame */
			break;
		default:
			for (i = 0; i < 1 + (unsigned int)rand() % 2; i++) {
				int r = cyc_dqbuf(&c, 500);

				if (r < 0)
					break;
				frames += r;
				since = r ? 0 : since;
			}
			usleep(rand() % 80000);	/* more frames may complete */
			break;
		}
		if (xioctl(c.fd, VIDIOC_STREAMOFF, &type, "STREAMOFF"))
			break;
		for (i = 0; i < c.count; i++) {
			struct v4l2_buffer b = {
				.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
				.memory = V4L2_MEMORY_MMAP,
			};

			if (xioctl(c.fd, VIDIOC_QUERYBUF, &b, "QUERYBUF"))
				break;
			if (b.flags & (V4L2_BUF_FLAG_QUEUED | V4L2_BUF_FLAG_DONE))
				FAILF("cycle %lu: buffer %u flags 0x%x after STREAMOFF\n",
				      k, i, b.flags);
		}
		if (++since > 64)
			FAILF("no frame in 64 cycles (cycle %lu)\n", k);
	}
	printf("cycle %s: %lu STREAMON/STREAMOFF cycles, %lu frames dequeued, %lu failures\n",
	       path, k, frames, failures);
	close(c.fd);
	return failures || k < n || !frames ? MC_EXIT_FAIL : MC_EXIT_PASS;
}

/* ---- opens ------------------------------------------------------------ */

static char **open_paths;
static int open_npaths;
static unsigned int open_rounds = 10;
static unsigned long open_calls;

static void *opener(void *arg)
{
	unsigned int seed = (unsigned int)(unsigned long)arg, r;

	for (r = 0; r < open_rounds; r++) {
		const char *p = open_paths[rand_r(&seed) % open_npaths];
		struct v4l2_capability cap;
		struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
		struct v4l2_control ctl = { .id = V4L2_CID_TEST_PATTERN };
		enum v4l2_priority prio;
		int fd = open(p, O_RDWR | O_NONBLOCK);

		if (fd < 0) {
			FAILF("open %s: %s\n", p, strerror(errno));
			continue;
		}
		xioctl(fd, VIDIOC_QUERYCAP, &cap, "QUERYCAP");
		xioctl(fd, VIDIOC_G_FMT, &f, "G_FMT");
		xioctl(fd, VIDIOC_G_PRIORITY, &prio, "G_PRIORITY");
		xioctl(fd, VIDIOC_G_CTRL, &ctl, "G_CTRL");
		close(fd);
		__atomic_add_fetch(&open_calls, 5, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int opens(char **paths, int npaths, unsigned int nthreads)
{
	pthread_t *t = calloc(nthreads, sizeof(*t));
	unsigned int i;

	open_paths = paths;
	open_npaths = npaths;
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, opener, (void *)(unsigned long)(i + 1))) {
			FAILF("pthread_create\n");
			nthreads = i;
			break;
		}
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	free(t);
	printf("opens: %u threads x %u rounds on %d nodes, %lu calls, %lu failures\n",
	       nthreads, open_rounds, npaths, open_calls, failures);
	return failures ? MC_EXIT_FAIL : MC_EXIT_PASS;
}

/* ---- ctrls ------------------------------------------------------------ */

static int ctrls(const char *path, unsigned int secs)
{
	long long end = mc_now_us() + secs * 1000000LL;
	unsigned long calls = 0, busy = 0;
	int fd = open(path, O_RDWR | O_NONBLOCK);
	unsigned int item = 0;

	if (fd < 0) {
		perror(path);
		return MC_EXIT_FAIL;
	}
	while (mc_now_us() < end && !failures) {
		struct v4l2_query_ext_ctrl q = {
			.id = V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND,
		};
		struct v4l2_control tp = { .id = V4L2_CID_TEST_PATTERN };
		struct v4l2_dv_timings t;
		struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
		struct v4l2_input in = { .index = 0 };

		while (!ioctl(fd, VIDIOC_QUERY_EXT_CTRL, &q)) {
			struct v4l2_ext_control c = { .id = q.id };
			struct v4l2_ext_controls cs = {
				.which = V4L2_CTRL_WHICH_CUR_VAL, .count = 1,
				.controls = &c,
			};

			calls += 2;
			if (!(q.flags & V4L2_CTRL_FLAG_WRITE_ONLY) &&
			    q.type != V4L2_CTRL_TYPE_CTRL_CLASS)
				xioctl(fd, VIDIOC_G_EXT_CTRLS, &cs, "G_EXT_CTRLS");
			q.id |= V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND;
		}
		/* Disabled <-> Color Bars, never Tagged Lines: a checker may run */
		tp.value = item++ % 2;
		if (ioctl(fd, VIDIOC_S_CTRL, &tp)) {
			if (errno == EBUSY)
				busy++;
			else
				FAILF("S_CTRL test pattern: %s\n", strerror(errno));
		}
		if (ioctl(fd, VIDIOC_G_DV_TIMINGS, &t))
			FAILF("G_DV_TIMINGS: %s\n", strerror(errno));
		/* no link is fine (ENOLINK/ENOLCK/ERANGE), anything else is not */
		if (ioctl(fd, VIDIOC_QUERY_DV_TIMINGS, &t) && errno != ENOLINK &&
		    errno != ENOLCK && errno != ERANGE)
			FAILF("QUERY_DV_TIMINGS: %s\n", strerror(errno));
		xioctl(fd, VIDIOC_ENUMINPUT, &in, "ENUMINPUT");
		xioctl(fd, VIDIOC_G_FMT, &f, "G_FMT");
		xioctl(fd, VIDIOC_TRY_FMT, &f, "TRY_FMT");
		calls += 7;
	}
	printf("ctrls %s: %lu calls in %u s, %lu EBUSY, %lu failures\n", path,
	       calls, secs, busy, failures);
	close(fd);
	return failures ? MC_EXIT_FAIL : MC_EXIT_PASS;
}

/* ---- short ------------------------------------------------------------ */

/* REQBUFS @memory and QBUF buffer 0 of @len bytes; returns QBUF's errno. */
static int qbuf_len(int fd, __u32 memory, void *ptr, int dmafd, size_t len)
{
	struct v4l2_requestbuffers rb = {
		.count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = memory,
	};
	struct v4l2_buffer b = {
		.index = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = memory,
		.length = len,
	};
	int err = 0;

	if (xioctl(fd, VIDIOC_REQBUFS, &rb, "REQBUFS"))
		return -1;
	if (memory == V4L2_MEMORY_USERPTR)
		b.m.userptr = (unsigned long)ptr;
	else
		b.m.fd = dmafd;
	if (ioctl(fd, VIDIOC_QBUF, &b))
		err = errno;
	rb.count = 0;
	xioctl(fd, VIDIOC_REQBUFS, &rb, "REQBUFS 0");
	return err;
}

static int short_bufs(const char *path, const char *exporter)
{
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct mc_dmabuf_src src;
	size_t size, half, real;
	int fd, efd, dfd, err;
	void *mem;

	fd = open(path, O_RDWR | O_NONBLOCK);
	efd = open(exporter, O_RDWR | O_NONBLOCK);
	if (fd < 0 || efd < 0) {
		perror("open");
		return MC_EXIT_FAIL;
	}
	if (xioctl(fd, VIDIOC_G_FMT, &f, "G_FMT"))
		return MC_EXIT_FAIL;
	size = f.fmt.pix.sizeimage;
	half = size / 2;
	if (posix_memalign(&mem, 4096, size))
		return MC_EXIT_FAIL;
	err = qbuf_len(fd, V4L2_MEMORY_USERPTR, mem, -1, half);
	printf("USERPTR %zu of %zu bytes: %s\n", half, size, err ? strerror(err) : "accepted");
	if (!err)
		FAILF("a short USERPTR buffer was queued\n");
	err = qbuf_len(fd, V4L2_MEMORY_USERPTR, mem, -1, size);
	if (err)
		FAILF("a full USERPTR buffer was refused: %s\n", strerror(err));

	/* the exporter's GREY frames are half our YUYV ones */
	if (xioctl(efd, VIDIOC_G_FMT, &f, "G_FMT exporter"))
		return MC_EXIT_FAIL;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_GREY;
	f.fmt.pix.bytesperline = 0;
	if (xioctl(efd, VIDIOC_S_FMT, &f, "S_FMT exporter"))
		return MC_EXIT_FAIL;
	close(efd);
	if (mc_dmabuf_src_open(&src, exporter, NULL, 0)) {
		FAILF("no DMABUF exporter at %s\n", exporter);
		return MC_EXIT_FAIL;
	}
	dfd = mc_dmabuf_alloc(&src, half, &real);
	if (dfd < 0) {
		FAILF("EXPBUF from %s failed\n", exporter);
		return MC_EXIT_FAIL;
	}
	err = qbuf_len(fd, V4L2_MEMORY_DMABUF, NULL, dfd, 0);
	printf("DMABUF of %zu bytes for %zu: %s\n", (size_t)lseek(dfd, 0, SEEK_END),
	       size, err ? strerror(err) : "accepted");
	if (!err)
		FAILF("a short DMABUF was queued\n");
	close(dfd);
	mc_dmabuf_src_close(&src);
	close(fd);
	return failures ? MC_EXIT_FAIL : MC_EXIT_PASS;
}

/* ---- reg -------------------------------------------------------------- */

static int regs(const char *path)
{
	struct v4l2_dbg_register r = {
		.match.type = V4L2_CHIP_MATCH_BRIDGE, .reg = 0,
	};
	int fd = open(path, O_RDWR | O_NONBLOCK), g, s;

	if (fd < 0) {
		perror(path);
		return MC_EXIT_FAIL;
	}
	g = ioctl(fd, VIDIOC_DBG_G_REGISTER, &r) ? errno : 0;
	s = ioctl(fd, VIDIOC_DBG_S_REGISTER, &r) ? errno : 0;
	printf("DBG_G_REGISTER: %s, DBG_S_REGISTER: %s\n",
	       g ? strerror(g) : "allowed", s ? strerror(s) : "allowed");
	close(fd);
	return g && s ? MC_EXIT_PASS : MC_EXIT_FAIL;
}

static void usage(void)
{
	fprintf(stderr, "usage: mcap-stress cycle [-n CYCLES] NODE\n"
		"       mcap-stress opens [-n THREADS] [-r ROUNDS] NODE...\n"
		"       mcap-stress ctrls [-t SECONDS] NODE\n"
		"       mcap-stress short NODE EXPORTER\n"
		"       mcap-stress reg NODE\n");
	exit(MC_EXIT_FAIL);
}

int main(int argc, char **argv)
{
	unsigned long n = 0;
	unsigned int secs = 10;
	const char *cmd;
	int opt;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argv++;
	argc--;
	while ((opt = getopt(argc, argv, "n:r:t:")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'r': open_rounds = strtoul(optarg, NULL, 0); break;
		case 't': secs = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	if (!strcmp(cmd, "cycle"))
		return cycle(argv[optind], n ? n : 1000);
	if (!strcmp(cmd, "opens"))
		return opens(argv + optind, argc - optind, n ? n : 100);
	if (!strcmp(cmd, "ctrls"))
		return ctrls(argv[optind], secs);
	if (!strcmp(cmd, "short") && optind + 1 < argc)
		return short_bufs(argv[optind], argv[optind + 1]);
	if (!strcmp(cmd, "reg"))
		return regs(argv[optind]);
	usage();
	return MC_EXIT_FAIL;
}
