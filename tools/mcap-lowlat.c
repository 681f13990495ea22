// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-lowlat - how early can an application have the top of a frame?
 *
 * Usage: mcap-lowlat [-d /dev/videoN] [-l LINES] [-n FRAMES] [-b BUFS]
 *
 * A sample client of the multicap driver's progress events: it asks for a
 * V4L2_EVENT_MULTICAP_PROGRESS event every LINES lines
 * (V4L2_CID_MULTICAP_PROGRESS_LINES), streams FRAMES frames over MMAP and,
 * for each frame, takes the first progress event that reports LINES lines
 * or more: those lines are already in the buffer, long before the whole
 * frame can be dequeued. It prints nothing per frame; at the end (or on
 * Ctrl-C) a short report:
 *   - from the LINES-th line landing (the event's timestamp: the card's
 *     clock, converted by the driver to CLOCK_MONOTONIC) to the
 *     application holding the event (right after VIDIOC_DQEVENT);
 *   - from the buffer timestamp (end of frame, unless the timestamp
 *     source control says start of frame) to VIDIOC_DQBUF returning;
 *   - how much earlier the first LINES lines were in hand than DQBUF;
 *   - how long LINES lines take to arrive at the input's line rate.
 *
 * Only libc and the kernel's uapi headers, plus <linux/multicap.h> from
 * the driver's include/uapi. Build: make -C tools.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/videodev2.h>
#include <linux/multicap.h>

#define MAX_BUFS	32
#define RING		64	/* frames whose first-lines time is remembered */
#define STALL_NS	5000000000LL	/* no frame for this long: give up */

struct buf {
	unsigned char *mem;
	size_t len;
};

/* a growable list of durations, ns */
struct samples {
	long long *v;
	size_t n, cap;
};

static volatile sig_atomic_t stop;

/* the progress step we found, put back on every exit once changed */
static int ctrl_fd = -1;
static __s32 old_lines;

static void restore_ctrl(void)
{
	struct v4l2_control c = {
		.id = V4L2_CID_MULTICAP_PROGRESS_LINES, .value = old_lines,
	};

	/* progress interrupts cost the machine: back to what was set */
	if (ctrl_fd >= 0)
		ioctl(ctrl_fd, VIDIOC_S_CTRL, &c);
	ctrl_fd = -1;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "mcap-lowlat: %s: %s\n", what, strerror(errno));
	restore_ctrl();
	exit(1);
}

static void add(struct samples *s, long long v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		long long *p = realloc(s->v, cap * sizeof(*p));

		if (!p) {
			fprintf(stderr, "mcap-lowlat: out of memory\n");
			exit(1);
		}
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n++] = v;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* "p50 X us p99 Y us max Z us" of @s (sorted in place) */
static void print_pct(const char *what, struct samples *s)
{
	size_t n = s->n;

	if (!n) {
		printf("%s: no samples\n", what);
		return;
	}
	qsort(s->v, n, sizeof(*s->v), cmp_ll);
	printf("%s: p50 %.1f us p99 %.1f us max %.1f us\n", what,
	       s->v[(n - 1) / 2] / 1e3,
	       s->v[(size_t)((n - 1) * 0.99 + 0.5)] / 1e3, s->v[n - 1] / 1e3);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: mcap-lowlat [-d /dev/videoN] [-l LINES] [-n FRAMES] [-b BUFS]\n"
"Measures how soon the first LINES lines of each frame reach the\n"
"application through the multicap progress events, against waiting for\n"
"the whole frame (DQBUF).\n"
"  -d, --device DEV   the multicap capture node (default /dev/video0)\n"
"  -l, --lines LINES  progress step in lines (default 64)\n"
"  -n, --frames N     frames to capture (default 300; Ctrl-C stops early)\n"
"  -b, --bufs N       MMAP buffers (default 4)\n"
"  -h, --help         this text\n");
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

/*
 * Time that LINES lines take at the input's line rate: from the DV
 * timings (total line length / pixel clock) when the driver reports them,
 * else frame period * LINES / height, which ignores vertical blanking
 * and so overestimates a little.
 */
static void print_line_time(int fd, unsigned int lines, unsigned int height,
			    double period_ns)
{
	struct v4l2_dv_timings t;
	struct v4l2_bt_timings *bt = &t.bt;

	memset(&t, 0, sizeof(t));
	if (!xioctl(fd, VIDIOC_G_DV_TIMINGS, &t) &&
	    t.type == V4L2_DV_BT_656_1120 && bt->pixelclock &&
	    V4L2_DV_BT_FRAME_WIDTH(bt)) {
		double line_ns = 1e9 * V4L2_DV_BT_FRAME_WIDTH(bt) /
				 bt->pixelclock;

		printf("%u lines of a frame take %.1f us to arrive (line period "
		       "%.3f us from the DV timings)\n", lines,
		       lines * line_ns / 1e3, line_ns / 1e3);
		return;
	}
	if (period_ns > 0 && height)
		printf("%u lines of a frame take about %.1f us to arrive (frame "
		       "period x %u / %u: an approximation that ignores "
		       "vertical blanking)\n", lines,
		       period_ns * lines / height / 1e3, lines, height);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "lines", required_argument, NULL, 'l' },
		{ "frames", required_argument, NULL, 'n' },
		{ "bufs", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = "/dev/video0";
	long lines_req = 64, frames_req = 300, nbufs = 4;
	struct v4l2_capability cap;
	struct v4l2_queryctrl qc = { .id = V4L2_CID_MULTICAP_PROGRESS_LINES };
	struct v4l2_control ctrl = { .id = V4L2_CID_MULTICAP_PROGRESS_LINES };
	struct v4l2_event_subscription sub = {
		.type = V4L2_EVENT_MULTICAP_PROGRESS,
	};
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_streamparm parm = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_requestbuffers rb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct buf bufs[MAX_BUFS];
	struct samples first = { 0 }, eof = { 0 }, ahead = { 0 };
	struct { __u32 seq; long long t; int valid; } ring[RING];
	struct sigaction sa;
	unsigned long frames = 0, events = 0, lost = 0, lines_read = 0;
	unsigned long sum = 0;
	__u32 last_evseq = 0, seen_seq = 0;
	int have_evseq = 0, have_seen = 0, sof_ts = 0, type, fd, o, rc = 0;
	unsigned int lines, height, bpl, i;
	double period_ns = 0;
	long long last_frame;
	char *end;

	while ((o = getopt_long(argc, argv, "d:l:n:b:h", lopts, NULL)) != -1) {
		switch (o) {
		case 'd':
			dev = optarg;
			break;
		case 'l':
			lines_req = strtol(optarg, &end, 0);
			if (*end || lines_req < 1)
				lines_req = -1;
			break;
		case 'n':
			frames_req = strtol(optarg, &end, 0);
			if (*end || frames_req < 1)
				frames_req = -1;
			break;
		case 'b':
			nbufs = strtol(optarg, &end, 0);
			if (*end || nbufs < 2 || nbufs > MAX_BUFS)
				nbufs = -1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc || lines_req < 0 || frames_req < 0 || nbufs < 0) {
		usage(stderr);
		return 1;
	}

	/* Non-blocking: poll() says when a buffer or an event is ready. */
	fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		die(dev);
	if (xioctl(fd, VIDIOC_QUERYCAP, &cap))
		die("VIDIOC_QUERYCAP");
	if (strcmp((const char *)cap.driver, "multicap"))
		fprintf(stderr, "mcap-lowlat: warning: %s is driven by %s, not "
			"multicap\n", dev, (const char *)cap.driver);

	/* The progress step, as the driver knows it. */
	if (xioctl(fd, VIDIOC_QUERYCTRL, &qc) ||
	    (qc.flags & V4L2_CTRL_FLAG_DISABLED)) {
		fprintf(stderr, "mcap-lowlat: driver too old: no progress "
			"control\n");
		return 1;
	}
	if (xioctl(fd, VIDIOC_G_CTRL, &ctrl))
		die("VIDIOC_G_CTRL progress lines");
	old_lines = ctrl.value;
	ctrl.value = lines_req > qc.maximum ? qc.maximum : lines_req;
	if (xioctl(fd, VIDIOC_S_CTRL, &ctrl))
		die("VIDIOC_S_CTRL progress lines");
	ctrl_fd = fd;
	if (xioctl(fd, VIDIOC_G_CTRL, &ctrl))
		die("VIDIOC_G_CTRL progress lines");
	if (xioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &sub)) {
		if (errno == EINVAL)
			fprintf(stderr, "mcap-lowlat: driver too old: no "
				"progress event\n");
		else
			perror("mcap-lowlat: VIDIOC_SUBSCRIBE_EVENT");
		restore_ctrl();
		return 1;
	}

	if (xioctl(fd, VIDIOC_G_FMT, &fmt))
		die("VIDIOC_G_FMT");
	height = fmt.fmt.pix.height;
	bpl = fmt.fmt.pix.bytesperline;
	/* The driver reports every step up to the height, then the height. */
	lines = (unsigned int)ctrl.value < height ? (unsigned int)ctrl.value :
		height;
	if (!xioctl(fd, VIDIOC_G_PARM, &parm) &&
	    parm.parm.capture.timeperframe.denominator)
		period_ns = 1e9 * parm.parm.capture.timeperframe.numerator /
			    parm.parm.capture.timeperframe.denominator;

	rb.count = nbufs;
	if (xioctl(fd, VIDIOC_REQBUFS, &rb))
		die("VIDIOC_REQBUFS");
	if (rb.count < 2 || rb.count > MAX_BUFS) {
		fprintf(stderr, "mcap-lowlat: got %u buffers\n", rb.count);
		restore_ctrl();
		return 1;
	}
	for (i = 0; i < rb.count; i++) {
		struct v4l2_buffer b = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP, .index = i,
		};

		if (xioctl(fd, VIDIOC_QUERYBUF, &b))
			die("VIDIOC_QUERYBUF");
		bufs[i].len = b.length;
		bufs[i].mem = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, b.m.offset);
		if (bufs[i].mem == MAP_FAILED)
			die("mmap");
		if (xioctl(fd, VIDIOC_QBUF, &b))
			die("VIDIOC_QBUF");
	}

	/* Ctrl-C: leave the loop (poll returns EINTR), stop, report. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	memset(ring, 0, sizeof(ring));

	type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (xioctl(fd, VIDIOC_STREAMON, &type))
		die("VIDIOC_STREAMON");
	last_frame = now_ns();

	while (!stop && frames < (unsigned long)frames_req) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLPRI };
		struct v4l2_event ev;
		struct v4l2_buffer b;
		long long t;

		if (poll(&pfd, 1, 200) < 0) {
			if (errno == EINTR)
				continue;
			perror("mcap-lowlat: poll");
			rc = 1;
			break;
		}
		if (now_ns() - last_frame > STALL_NS) {
			fprintf(stderr, "mcap-lowlat: no frame for %lld s\n",
				STALL_NS / 1000000000LL);
			rc = 1;
			break;
		}
		if (pfd.revents & POLLERR) {
			fprintf(stderr, "mcap-lowlat: the stream stopped "
				"(POLLERR)\n");
			rc = 1;
			break;
		}

		/* Events first: they come before their frame's buffer. */
		while (!xioctl(fd, VIDIOC_DQEVENT, &ev)) {
			struct v4l2_event_multicap_progress p;

			t = now_ns();
			/* the event sequence counts the ones lost too */
			if (have_evseq && ev.sequence != last_evseq + 1)
				lost += ev.sequence - last_evseq - 1;
			have_evseq = 1;
			last_evseq = ev.sequence;
			if (ev.type != V4L2_EVENT_MULTICAP_PROGRESS)
				continue;
			events++;
			memcpy(&p, ev.u.data, sizeof(p));
			/* the first event of a frame that has our lines */
			if (p.lines < lines ||
			    (have_seen && p.sequence == seen_seq))
				continue;
			have_seen = 1;
			seen_seq = p.sequence;
			add(&first, t - (long long)p.timestamp);
			ring[p.sequence % RING].seq = p.sequence;
			ring[p.sequence % RING].t = t;
			ring[p.sequence % RING].valid = 1;
			/*
			 * Lines [0, p.lines) of buffer p.index are in memory
			 * now, before VIDIOC_DQBUF. On x86 and other
			 * DMA-coherent platforms the mapping sees them as
			 * soon as the event arrives; where the platform needs
			 * it (bounce buffers, non-coherent caches) the driver
			 * has synced that range for the CPU before queueing
			 * the event, so no DMA_BUF_IOCTL_SYNC is needed here.
			 * Rules: read only those lines (the card is still
			 * writing the rest), never write to the buffer, and
			 * trust them only once DQBUF returns this buffer with
			 * this sequence and no ERROR flag: a frame that fails
			 * later goes back to the card and is overwritten.
			 * Here: a cheap read, a checksum of the first line.
			 */
			if (p.index < rb.count && p.lines >= 1 &&
			    bpl <= bufs[p.index].len) {
				const unsigned char *l0 = bufs[p.index].mem;
				unsigned int k;

				for (k = 0; k < bpl; k++)
					sum = sum * 31 + l0[k];
				lines_read++;
			}
		}
		if (errno != ENOENT) {
			perror("mcap-lowlat: VIDIOC_DQEVENT");
			rc = 1;
			break;
		}

		for (;;) {
			memset(&b, 0, sizeof(b));
			b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
			b.memory = V4L2_MEMORY_MMAP;
			if (xioctl(fd, VIDIOC_DQBUF, &b))
				break;
			t = now_ns();
			last_frame = t;
			frames++;
			sof_ts = !!(b.flags & V4L2_BUF_FLAG_TSTAMP_SRC_SOE);
			add(&eof, t - (b.timestamp.tv_sec * 1000000000LL +
				       b.timestamp.tv_usec * 1000LL));
			if (ring[b.sequence % RING].valid &&
			    ring[b.sequence % RING].seq == b.sequence)
				add(&ahead, t - ring[b.sequence % RING].t);
			ring[b.sequence % RING].valid = 0;
			if (xioctl(fd, VIDIOC_QBUF, &b)) {
				perror("mcap-lowlat: VIDIOC_QBUF");
				rc = 1;
				break;
			}
			if (frames >= (unsigned long)frames_req)
				break;
		}
		if (rc)
			break;
		if (errno != EAGAIN && frames < (unsigned long)frames_req) {
			perror("mcap-lowlat: VIDIOC_DQBUF");
			rc = 1;
			break;
		}
	}

	type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	xioctl(fd, VIDIOC_STREAMOFF, &type);

	printf("mcap-lowlat: %s: %ux%u, frame period %.1f us, progress every "
	       "%d lines\n", dev, fmt.fmt.pix.width, height, period_ns / 1e3,
	       ctrl.value);
	printf("frames %lu, events %lu", frames, events);
	if (lost)
		printf(" (%lu lost: the application was too slow)", lost);
	printf("\n");
	{
		char what[64];

		snprintf(what, sizeof(what), "first %u lines", lines);
		print_pct(what, &first);
	}
	print_pct(sof_ts ? "start of frame to DQBUF (timestamp source: start "
		  "of frame)" : "end of frame to DQBUF", &eof);
	if (ahead.n) {
		qsort(ahead.v, ahead.n, sizeof(*ahead.v), cmp_ll);
		printf("first %u lines in hand before DQBUF by: p50 %.1f us\n",
		       lines, ahead.v[(ahead.n - 1) / 2] / 1e3);
	}
	print_line_time(fd, lines, height, period_ns);
	printf("first line read before DQBUF in %lu frames, checksum %08lx\n",
	       lines_read, sum & 0xffffffffUL);
	for (i = 0; i < rb.count; i++)
		munmap(bufs[i].mem, bufs[i].len);
	rb.count = 0;
	xioctl(fd, VIDIOC_REQBUFS, &rb);
	restore_ctrl();
	close(fd);
	free(first.v);
	free(eof.v);
	free(ahead.v);
	return rc;
}
