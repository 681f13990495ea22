// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-signal - input signal handling of a multicap channel: DV timings,
 *               source-change events while streaming, frame decimation
 *
 * Usage: mcap-signal [-t SECONDS] [-m MODE_FILE] node
 *
 *   -t  time limit of each streaming phase, s (default 30)
 *   -m  the simulated input (default /sys/kernel/debug/multicap_sim/
 *       card<C>/ch<N>/mode, C from parent "multicap-sim.C", N sysfs index)
 *
 * Drives the input through MODE_FILE; three sub-tests, a PASS/FAIL line each:
 *  1. timings: QUERY_DV_TIMINGS follows the input (ENOLINK and ENUMINPUT
 *     NO_SIGNAL without one); S_DV_TIMINGS sets G_DV_TIMINGS and the G_FMT
 *     size, and fails with EBUSY while buffers are allocated.
 *  2. source-change: streaming 640x480 (4 MMAP buffers), the input goes
 *     none, 1280x720p60, 640x480p60, each after >= 10 frames: every
 *     change gets a SOURCE_CHANGE (RESOLUTION) event (counts are printed)
 *     timestamped within 1 s of the write; frames go on across every change (no ERROR flag,
 *     bytesused == sizeimage, rising sequence, DQBUF fails only with
 *     EAGAIN); after STREAMOFF QUERY_DV_TIMINGS reports 640x480.
 *  3. decimation: G_PARM has TIMEPERFRAME and ~1/60; S_PARM 1/30 (OpenCV's
 *     default) gives ~1/30 (1%); ENUM_FRAMEINTERVALS 0, 1 give ~1/60, ~1/30;
 *     90 frames over 6 buffers come at 30 fps, the same for 1/20; S_PARM
 *     1/60 restores. The rate is checked exactly, drops or not: timestamps
 *     come from the card's clock, so two buffers whose sequence numbers
 *     differ by g are g * N * P apart (N = 2 resp. 3 input frames per
 *     captured one, P the input's frame period, the card's IN_FRAME_NS in
 *     the debugfs registers), within TOL_US, for every consecutive pair.
 *     Sequence gaps must be covered by the card's drop counters (debugfs
 *     card_drop_count, card_overflow_count, card_abort_count): decimated
 *     frames never count.
 * Leaves the input at 640x480p60. Exit 0 pass, 1 fail, 77 skip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "common.h"

#define CAP_TYPE	V4L2_BUF_TYPE_VIDEO_CAPTURE
#define VGA		"640x480p60"
#define HD		"1280x720p60"
#define NFRAMES		90	/* frames per rate measurement */
#define PHASE_FRAMES	10	/* frames between two input changes */
#define EVENT_US	1000000LL
#define TOL_US		10	/* timestamp interval vs sequence * period */

struct run {
	struct mc_queue q;
	unsigned long frames, gaps;
	__u32 first_seq, last_seq;
	long long first_ts, last_ts, max_ival;
	/* the period of one sequence step, ns; 0: intervals not checked */
	long long step_ns, worst_us;
	unsigned long off_ival;		/* intervals off by more than TOL_US */
};

struct phase {
	long long written;	/* time just before the write */
	long long latency;	/* first event's timestamp - written */
	unsigned long start;	/* frames before the phase */
	unsigned int events;
};

static struct mc_node node;
static char mode_file[256], stats[256];
static unsigned int tmo = 30;
static unsigned long errs;	/* errors of the current sub-test */
static int failed;

__attribute__((format(printf, 1, 2)))
static void bad(const char *fmt, ...)
{
	va_list ap;

	if (++errs > 10)	/* the count is in the result line */
		return;
	printf("  error: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

__attribute__((format(printf, 2, 3)))
static void result(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("mcap-signal: %s: %s: ", name, errs ? "FAIL" : "PASS");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(", errors %lu\n", errs);
	failed += !!errs;
}

/* 0 or the ioctl's errno */
static int xioctl(unsigned long req, void *arg)
{
	int r;

	do {
		r = ioctl(node.fd, req, arg);
	} while (r && errno == EINTR);
	return r ? errno : 0;
}

static const char *timings_str(const struct v4l2_dv_timings *t)
{
	static char buf[64];
	const struct v4l2_bt_timings *bt = &t->bt;
	double tot = (double)V4L2_DV_BT_FRAME_WIDTH(bt) *
		     V4L2_DV_BT_FRAME_HEIGHT(bt);

	snprintf(buf, sizeof(buf), "%ux%u %.3f Hz, pclk %llu", bt->width,
		 bt->height, tot ? bt->pixelclock / tot : 0.0,
		 (unsigned long long)bt->pixelclock);
	return buf;
}

/* Write @m to the simulated input; returns the time just before. */
static long long set_mode(const char *m)
{
	long long now = mc_now_us();
	int fd = open(mode_file, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, m, strlen(m));

	if (n != (ssize_t)strlen(m))
		bad("write \"%s\" to %s: %s", m, mode_file, strerror(errno));
	if (fd >= 0)
		close(fd);
	return now;
}

/* Set the input, wait up to 2 s for QUERY (@w 0: ENOLINK); its errno. */
static int set_input(const char *m, unsigned int w, unsigned int h,
		     struct v4l2_dv_timings *t)
{
	long long end = set_mode(m) + 2000000;
	int r;

	do {
		memset(t, 0, sizeof(*t));
		r = xioctl(VIDIOC_QUERY_DV_TIMINGS, t);
		if (w ? !r && t->bt.width == w && t->bt.height == h :
		    r == ENOLINK)
			return r;
		usleep(20000);
	} while (mc_now_us() < end);
	bad("input %s: QUERY_DV_TIMINGS: %s", m,
	    r ? strerror(r) : timings_str(t));
	return r ? r : -1;
}

static int g_fmt(struct v4l2_pix_format *pix)
{
	struct v4l2_format fmt = { .type = CAP_TYPE };
	int r = xioctl(VIDIOC_G_FMT, &fmt);

	if (r)
		bad("G_FMT: %s", strerror(r));
	*pix = fmt.fmt.pix;
	return r;
}

/* S_DV_TIMINGS @t, then G_DV_TIMINGS and G_FMT must have its size */
static void s_timings(struct v4l2_dv_timings *t)
{
	struct v4l2_dv_timings g = { .type = V4L2_DV_BT_656_1120 };
	struct v4l2_pix_format pix;
	unsigned int w = t->bt.width, h = t->bt.height;
	int r = xioctl(VIDIOC_S_DV_TIMINGS, t);

	if (!r)
		r = xioctl(VIDIOC_G_DV_TIMINGS, &g);
	if (r || g.bt.width != w || g.bt.height != h)
		bad("S/G_DV_TIMINGS %ux%u: %s, got %ux%u", w, h, strerror(r),
		    g.bt.width, g.bt.height);
	else if (!g_fmt(&pix) && (pix.width != w || pix.height != h))
		bad("G_FMT after S_DV_TIMINGS %ux%u: %ux%u", w, h, pix.width,
		    pix.height);
}

static __u32 input_status(void)
{
	struct v4l2_input in = { .index = 0 };
	int r = xioctl(VIDIOC_ENUMINPUT, &in);

	if (r || !(in.capabilities & V4L2_IN_CAP_DV_TIMINGS))
		bad("ENUMINPUT 0: %s, capabilities 0x%x (no DV_TIMINGS?)",
		    strerror(r), in.capabilities);
	return r ? ~0U : in.status;
}

static void test_timings(void)
{
	struct v4l2_requestbuffers rb = {
		.type = CAP_TYPE, .memory = V4L2_MEMORY_MMAP, .count = 2,
	};
	struct v4l2_dv_timings vga, hd, t;
	__u32 st_sig, st_none;
	int r_none, r_busy;

	errs = 0;
	if (set_input(VGA, 640, 480, &vga))
		goto out;
	printf("  " VGA ": QUERY %s\n", timings_str(&vga));
	st_sig = input_status();
	if (st_sig)
		bad("ENUMINPUT status 0x%x with signal, expected 0", st_sig);
	s_timings(&vga);
	r_none = set_input("none", 0, 0, &t);
	st_none = input_status();
	if (st_none == ~0U || !(st_none & V4L2_IN_ST_NO_SIGNAL))
		bad("ENUMINPUT status 0x%x without signal, not NO_SIGNAL",
		    st_none);
	if (set_input(HD, 1280, 720, &hd))
		goto out;
	printf("  " HD ": QUERY %s\n", timings_str(&hd));
	s_timings(&hd);
	r_busy = xioctl(VIDIOC_REQBUFS, &rb);
	if (r_busy || !rb.count) {
		bad("REQBUFS 2: %s, count %u", strerror(r_busy), rb.count);
		goto out;
	}
	t = vga;
	r_busy = xioctl(VIDIOC_S_DV_TIMINGS, &t);
	if (r_busy != EBUSY)
		bad("S_DV_TIMINGS 640x480 with %u buffers: %s, not EBUSY",
		    rb.count, strerror(r_busy));
	rb.count = 0;
	if (xioctl(VIDIOC_REQBUFS, &rb))
		bad("REQBUFS 0: %s", strerror(errno));
	s_timings(&hd);		/* no change: still 1280x720 */
	result("timings", "640x480 and 1280x720 queried and set, status 0x%x; "
	       "no signal: %s, status 0x%x; with buffers: %s", st_sig,
	       strerror(r_none), st_none, strerror(r_busy));
	return;
out:
	result("timings", "aborted");
}

/* Checks of one dequeued buffer, then requeue it. */
static int frame(struct run *r, struct v4l2_buffer *b)
{
	long long ts = mc_tv_us(&b->timestamp);
	__u32 seq = b->sequence;

	if ((b->flags & V4L2_BUF_FLAG_ERROR) ||
	    b->bytesused != r->q.pix.sizeimage)
		bad("seq %u: flags 0x%x, bytesused %u (sizeimage %u)", seq,
		    b->flags, b->bytesused, r->q.pix.sizeimage);
	if ((b->flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) !=
	    V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC || ts > mc_now_us())
		bad("seq %u: timestamp %lld us not MONOTONIC", seq, ts);
	if (r->frames && seq <= r->last_seq)
		bad("sequence %u after %u", seq, r->last_seq);
	else if (r->frames)
		r->gaps += seq - r->last_seq - 1;
	if (r->frames && ts - r->last_ts > r->max_ival)
		r->max_ival = ts - r->last_ts;
	if (r->frames && r->step_ns && seq > r->last_seq) {
		/* deviation from seq step x period, us (timestamps are us) */
		long long dev = ((ts - r->last_ts) * 1000 -
				 (long long)(seq - r->last_seq) * r->step_ns) / 1000;

		if (dev > TOL_US || dev < -TOL_US) {
			if (!r->off_ival++)
				printf("  seq %u -> %u: %lld us apart, expected "
				       "%lld us\n", r->last_seq, seq,
				       ts - r->last_ts, (seq - r->last_seq) *
				       r->step_ns / 1000);
		}
		if ((dev < 0 ? -dev : dev) > (r->worst_us < 0 ? -r->worst_us :
					      r->worst_us))
			r->worst_us = dev;
	}
	if (!r->frames++) {
		r->first_seq = seq;
		r->first_ts = ts;
	}
	r->last_seq = seq;
	r->last_ts = ts;
	if (!mc_queue_buf(&r->q, b->index, -1))
		return 0;
	bad("QBUF %u failed (see above)", b->index);
	return -1;
}

static int run_start(struct run *r, unsigned int nbufs)
{
	struct v4l2_pix_format pix;
	const struct mc_fmt *f;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (g_fmt(&pix))
		return -1;
	f = mc_fmt_by_fourcc(pix.pixelformat);
	if (mc_queue_init(&r->q, node.fd, V4L2_MEMORY_MMAP, nbufs, &pix,
			  f ? f : &mc_formats[0], NULL)) {
		bad("cannot set up %u MMAP buffers", nbufs);
		return -1;
	}
	for (i = 0; i < r->q.count; i++)
		if (mc_queue_buf(&r->q, i, -1))
			break;
	if (i == r->q.count && !mc_stream(node.fd, 1))
		return 0;
	bad("QBUF/STREAMON: %s", strerror(errno));
	mc_queue_free(&r->q);
	return -1;
}

static void run_stop(struct run *r)
{
	if (mc_stream(node.fd, 0))
		bad("STREAMOFF: %s", strerror(errno));
	mc_queue_free(&r->q);
}

/* One poll() round: dequeue, check and requeue the ready buffers. */
static int run_poll(struct run *r, short events, int ms)
{
	struct pollfd pfd = { .fd = node.fd, .events = events };
	struct v4l2_buffer b;
	int ret = poll(&pfd, 1, ms);
	unsigned int i;

	if (ret < 0 && errno != EINTR) {
		bad("poll: %s", strerror(errno));
		return -1;
	}
	/* at most a queue's worth: a slow app must still see its events */
	for (i = 0; i < r->q.count && !(ret = mc_dequeue_buf(&r->q, &b)); i++)
		if (frame(r, &b))
			return -1;
	if (ret < 0)
		bad("DQBUF failed, not with EAGAIN (see above)");
	return ret < 0 ? -1 : 0;
}

/* Take every pending event, attributed to phase @cur. */
static void take_events(struct phase *ph, unsigned int cur)
{
	struct v4l2_event ev;

	while (!xioctl(VIDIOC_DQEVENT, &ev)) {
		if (ev.type != V4L2_EVENT_SOURCE_CHANGE || ev.id ||
		    !(ev.u.src_change.changes & V4L2_EVENT_SRC_CH_RESOLUTION))
			bad("event type %u id %u changes 0x%x", ev.type, ev.id,
			    ev.u.src_change.changes);
		if (cur && !ph[cur].events)
			ph[cur].latency = mc_ts_us(&ev.timestamp) -
					  ph[cur].written;
		ph[cur].events++;
	}
}

static void test_source_change(void)
{
	static const char * const change[] = { "none", HD, VGA };
	struct v4l2_event_subscription sub = {
		.type = V4L2_EVENT_SOURCE_CHANGE,
	};
	struct phase ph[4] = { { 0 } };
	struct v4l2_dv_timings t;
	unsigned int cur = 0, i;
	long long now, end;
	unsigned long n;
	struct run r;
	int ret;

	errs = 0;
	if (set_input(VGA, 640, 480, &t))
		goto out;
	s_timings(&t);
	ret = xioctl(VIDIOC_SUBSCRIBE_EVENT, &sub);
	if (ret)
		bad("SUBSCRIBE_EVENT SOURCE_CHANGE: %s", strerror(ret));
	if (errs || run_start(&r, 4))
		goto out;
	end = mc_now_us() + tmo * 1000000LL;
	while ((now = mc_now_us()) < end) {
		/* next change after enough frames and the last one's event */
		if (r.frames - ph[cur].start >= PHASE_FRAMES &&
		    (!cur || ph[cur].events ||
		     now - ph[cur].written > EVENT_US + 500000)) {
			if (cur == 3)
				break;
			ph[++cur].start = r.frames;
			ph[cur].written = set_mode(change[cur - 1]);
			end = ph[cur].written + tmo * 1000000LL;
		}
		if (run_poll(&r, POLLIN | POLLPRI, 100))
			break;
		take_events(ph, cur);
	}
	if (now >= end)
		bad("timeout in phase %u: %lu frames, %u events", cur,
		    r.frames - ph[cur].start, ph[cur].events);
	run_stop(&r);
	take_events(ph, cur);
	xioctl(VIDIOC_UNSUBSCRIBE_EVENT, &sub);
	for (i = 1; i <= cur; i++) {
		n = (i < cur ? ph[i + 1].start : r.frames) - ph[i].start;
		printf("  change %u \"%s\": %u event(s), first after %lld ms, "
		       "%lu frames until the next\n", i, change[i - 1],
		       ph[i].events, ph[i].latency / 1000, n);
		if (!ph[i].events || ph[i].latency > EVENT_US ||
		    ph[i].latency < 0)
			bad("change %u: no event within 1 s", i);
		if (n < PHASE_FRAMES - 2)
			bad("change %u: only %lu frames after it", i, n);
	}
	if (ph[0].events)
		printf("  note: %u event(s) before the first change\n",
		       ph[0].events);
	memset(&t, 0, sizeof(t));
	ret = xioctl(VIDIOC_QUERY_DV_TIMINGS, &t);
	if (ret || t.bt.width != 640 || t.bt.height != 480)
		bad("QUERY_DV_TIMINGS after STREAMOFF: %s, %ux%u",
		    strerror(ret), t.bt.width, t.bt.height);
	result("source-change", "frames %lu (seq %u..%u, gaps %lu, max "
	       "interval %lld ms), events %u/%u/%u", r.frames, r.first_seq,
	       r.last_seq, r.gaps, r.max_ival / 1000, ph[1].events,
	       ph[2].events, ph[3].events);
	return;
out:
	xioctl(VIDIOC_UNSUBSCRIBE_EVENT, &sub);
	result("source-change", "aborted");
}

/* G_PARM or S_PARM (@set) result: TIMEPERFRAME, interval 1/@fps +- 1% */
static void check_parm(const char *what, unsigned int fps, int set)
{
	struct v4l2_streamparm p = { .type = CAP_TYPE };
	struct v4l2_fract *f = &p.parm.capture.timeperframe;
	double v, want = 1.0 / fps;
	int r;

	f->numerator = 1;
	f->denominator = fps;
	r = xioctl(set ? VIDIOC_S_PARM : VIDIOC_G_PARM, &p);
	v = f->denominator ? (double)f->numerator / f->denominator : 0;
	printf("  %s: %s, interval %u/%u\n", what, strerror(r), f->numerator,
	       f->denominator);
	if (r || !(p.parm.capture.capability & V4L2_CAP_TIMEPERFRAME) ||
	    v < want * 0.99 || v > want * 1.01)
		bad("%s: %s, capability 0x%x, interval %u/%u, not ~1/%u", what,
		    strerror(r), p.parm.capture.capability, f->numerator,
		    f->denominator, fps);
}

/* the input's frame period from the card (debugfs registers), ns; 0 */
static long long in_frame_ns(void)
{
	char path[300], line[256], name[64], want[64];
	unsigned int val;
	long long ns = 0;
	char *slash;
	FILE *fp;

	/* .../multicap/<dev>/ch<N>/stats -> .../multicap/<dev>/registers */
	snprintf(path, sizeof(path), "%s", stats);
	slash = strrchr(path, '/');
	if (slash)
		*slash = '\0';
	slash = strrchr(path, '/');
	if (!stats[0] || !slash)
		return 0;
	strcpy(slash, "/registers");
	snprintf(want, sizeof(want), "ch%d.IN_FRAME_NS", node.channel);
	fp = fopen(path, "r");
	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "%*x %63s %x", name, &val) == 2 &&
		    !strcmp(name, want))
			ns = val;
	fclose(fp);
	return ns;
}

/* @in_ns: the input's frame period */
static void measure(unsigned int fps, long long in_ns)
{
	static const char * const keys[] = {
		"card_drop_count", "card_overflow_count", "card_abort_count",
	};
	unsigned long long v;
	long long end, span, hw = 0;
	unsigned int i, n;
	double got;
	struct run r;

	/* input frames per captured frame, and the captured frame period */
	n = (unsigned int)(1e9 / in_ns / fps + 0.5);
	if (!n || n * in_ns < 0.99e9 / fps || n * in_ns > 1.01e9 / fps) {
		bad("1/%u: no whole number of input frames of %lld ns", fps,
		    in_ns);
		return;
	}
	if (run_start(&r, 6))
		return;
	r.step_ns = n * in_ns;
	end = mc_now_us() + (tmo + NFRAMES / fps) * 1000000LL;
	while (r.frames < NFRAMES && mc_now_us() < end)
		if (run_poll(&r, POLLIN, 200))
			break;
	run_stop(&r);
	/* the card's drops since STREAMON, before the next one resets them */
	for (i = 0; i < 3 && hw >= 0; i++)
		hw = stats[0] && !mc_read_stat(stats, keys[i], &v) ?
		     hw + (long long)v : -1;
	span = r.last_ts - r.first_ts;
	if (r.frames < NFRAMES || span <= 0 || r.last_seq <= r.first_seq) {
		bad("1/%u: %lu of %u frames", fps, r.frames, NFRAMES);
		return;
	}
	got = (r.last_seq - r.first_seq) * 1e6 / span;
	printf("  1/%u: %lu frames in %.3f s, seq %u..%u: %.3f fps by "
	       "sequence (expected %.3f: 1 in %u of %lld ns), gaps %lu, card "
	       "drops %lld, max interval %lld ms, worst interval %+lld us\n",
	       fps, r.frames, span / 1e6, r.first_seq, r.last_seq, got,
	       1e9 / r.step_ns, n, in_ns, r.gaps, hw, r.max_ival / 1000,
	       r.worst_us);
	if (hw < 0)
		bad("1/%u: no card drop counters in %s", fps, stats);
	else if (r.gaps > (unsigned long long)hw)
		bad("1/%u: %lu sequence gaps, the card dropped %lld: "
		    "decimated frames numbered?", fps, r.gaps, hw);
	if (r.off_ival)
		bad("1/%u: %lu of %lu intervals not (sequence step) x %lld ns "
		    "within %d us (worst %+lld us): wrong decimation", fps,
		    r.off_ival, r.frames - 1, r.step_ns, TOL_US, r.worst_us);
}

static void test_decimation(void)
{
	struct v4l2_frmivalenum fi;
	struct v4l2_pix_format pix;
	struct v4l2_dv_timings t;
	long long in_ns;
	unsigned int i;
	double v;
	int r;

	errs = 0;
	if (set_input(VGA, 640, 480, &t))
		goto out;
	s_timings(&t);
	if (g_fmt(&pix))
		goto out;
	in_ns = in_frame_ns();
	printf("  input %s, card IN_FRAME_NS %lld\n", timings_str(&t), in_ns);
	if (in_ns <= 0) {
		bad("no ch%d.IN_FRAME_NS in the debugfs registers next to %s",
		    node.channel, stats[0] ? stats : "(no stats file)");
		goto out;
	}
	check_parm("G_PARM", 60, 0);
	check_parm("S_PARM 1/30", 30, 1);
	for (i = 0; i < 2; i++) {
		memset(&fi, 0, sizeof(fi));
		fi.index = i;
		fi.pixel_format = pix.pixelformat;
		fi.width = pix.width;
		fi.height = pix.height;
		r = xioctl(VIDIOC_ENUM_FRAMEINTERVALS, &fi);
		/* the interval over the expected (i + 1) / 60 */
		v = fi.discrete.numerator * 60.0 / (i + 1) /
		    (fi.discrete.denominator ? fi.discrete.denominator : 1);
		if (r || fi.type != V4L2_FRMIVAL_TYPE_DISCRETE || v < 0.99 ||
		    v > 1.01)
			bad("ENUM_FRAMEINTERVALS %u: %s, type %u, %u/%u, not "
			    "~1/%u", i, strerror(r), fi.type,
			    fi.discrete.numerator, fi.discrete.denominator,
			    60 / (i + 1));
	}
	measure(30, in_ns);
	check_parm("S_PARM 1/20", 20, 1);
	measure(20, in_ns);
	check_parm("S_PARM 1/60", 60, 1);
out:
	result("decimation", "G_PARM, S_PARM 1/30 1/20 1/60, intervals, %u "
	       "frames measured at 30 and 20 fps", NFRAMES);
}

int main(int argc, char **argv)
{
	const char *dot;
	int opt, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "t:m:")) != -1) {
		if (opt == 't')
			tmo = strtoul(optarg, NULL, 0);
		else if (opt == 'm')
			snprintf(mode_file, sizeof(mode_file), "%s", optarg);
		else
			optind = argc;	/* usage */
	}
	if (optind != argc - 1 || !tmo) {
		fprintf(stderr, "usage: mcap-signal [-t SECONDS] "
			"[-m MODE_FILE] node\n");
		return MC_EXIT_FAIL;
	}
	ret = mc_node_open(&node, argv[optind]);
	if (ret || node.channel < 0) {
		printf("mcap-signal: SKIP: %s: %s\n", argv[optind], ret < 0 ?
		       strerror(errno) : ret ? "not a multicap capture node" :
		       "no channel index in sysfs");
		return MC_EXIT_SKIP;
	}
	dot = strrchr(node.parent, '.');
	if (!mode_file[0])
		snprintf(mode_file, sizeof(mode_file),
			 "/sys/kernel/debug/multicap_sim/card%d/ch%d/mode",
			 dot ? atoi(dot + 1) : 0, node.channel);
	if (access(mode_file, W_OK)) {
		printf("mcap-signal: SKIP: %s: %s (needs root, debugfs and "
		       "multicap_sim)\n", mode_file, strerror(errno));
		return MC_EXIT_SKIP;
	}
	if (mc_stats_path(&node, stats, sizeof(stats)))
		stats[0] = '\0';
	printf("%s: channel %d, input %s, stats %s\n", node.name,
	       node.channel, mode_file, stats[0] ? stats : "-");
	test_timings();
	test_source_change();
	test_decimation();
	printf("mcap-signal: %s: %d of 3 sub-tests failed\n",
	       failed ? "FAIL" : "PASS", failed);
	mc_node_close(&node);
	return failed ? MC_EXIT_FAIL : MC_EXIT_PASS;
}
