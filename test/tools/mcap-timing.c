// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-timing - stream multicap nodes at once and check the timing
 *               features: card-clock timestamps and their source flag,
 *               FRAME_SYNC and progress events, genlock
 *
 * Usage: mcap-timing [options] [node...]      (--help lists the options)
 *
 * Streams every node given (default: every multicap node) at once over
 * MMAP, one thread, poll() on all of them, until each delivered --frames
 * good frames. Checks, each reported as one line per node (or one line for
 * all nodes) "timing: <check>: <node|all>: ok|FAIL|info ...":
 *   capture     the frames arrived in time, no DQBUF error, no ERROR flag
 *   increasing  sequence and timestamp strictly increase
 *   period      for consecutive buffers with sequence gap g (after the
 *               first --skip): |dt - g * P| <= --tol-us
 *   clock       every timestamp lies before DQBUF returned (+ tol) and
 *               within 1 s + P before it: the card clock is converted
 *               to CLOCK_MONOTONIC (the period check cannot see an offset)
 *   tsflags     TIMESTAMP_MONOTONIC and TSTAMP_SRC_EOF/SOE as the
 *               timestamp-source control says, on every buffer
 *   pattern     (--pattern) every byte of every frame's Tagged Lines
 *   frame-sync  (--frame-sync) a FRAME_SYNC event for each dequeued
 *               buffer's sequence by the time DQBUF returned
 *   progress    (--progress) progress events in order, for the right
 *               buffer, ending at the frame's height
 *   progress-data (--progress --pattern) the tags of every line a progress
 *               event reports landed are already the frame's, read from
 *               the buffer before its DQBUF
 *   drops       sequence gaps (asserted with --no-read-events/--max-drops)
 *   genlock     (--genlock, >= 2 nodes) same-instant frames carry equal
 *               timestamps on every node; --expect-unlocked: none does
 * and ends with "timing: PASS" or "timing: FAIL".
 * Exit 0 pass, 1 fail, 77 skip (no multicap node).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/multicap.h>

#include "common.h"

#define MAX_DETAILS	10	/* detail lines printed per node */
/* a timestamp at most 1 s + a frame period before its DQBUF */
#define CLOCK_MAX_AGE_NS 1000000000LL

/* ---- options ---------------------------------------------------------- */

static struct {
	unsigned int frames, bufs, skip;
	const struct mc_fmt *fmt;	/* NULL: keep the current format */
	int pattern;
	double period_ns;		/* 0: from G_PARM */
	double tol_us;
	int ts_source;			/* -1: leave the control alone */
	int frame_sync;
	int progress;			/* lines, 0: off */
	long expect_progress;		/* events a frame, -1: not checked */
	int no_read;
	long max_drops;			/* -1: drops not asserted */
	int genlock, expect_unlocked;
	int latency;
} opt = {
	.frames = 300, .bufs = 4, .skip = 2, .tol_us = 10, .ts_source = -1,
	.expect_progress = -1, .max_drops = -1,
};

/* Events are subscribed and read (and so checked) */
static int reading_events(void)
{
	return !opt.no_read && (opt.frame_sync || opt.progress);
}

/* ---- samples ---------------------------------------------------------- */

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 256;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	p = realloc(p, n * size);
	if (!p) {
		perror("realloc");
		exit(MC_EXIT_FAIL);
	}
	*cap = n;
	return p;
}

/* append a zeroed element to the array @a of @n elements, @cap allocated */
#define PUSH(a, n, cap) \
	((a) = grow((a), &(cap), (n) + 1, sizeof(*(a))), \
	 memset(&(a)[(n)], 0, sizeof(*(a))), &(a)[(n)++])

struct samples {
	double *v;
	size_t n, cap;
};

struct pct {
	size_t n;
	double min, p50, p99, max;
};

static void sample(struct samples *s, double x)
{
	*PUSH(s->v, s->n, s->cap) = x;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* sorts @s in place */
static struct pct pct_of(struct samples *s)
{
	struct pct p = { .n = s->n };

	if (!s->n)
		return p;
	qsort(s->v, s->n, sizeof(*s->v), cmp_d);
	p.min = s->v[0];
	p.p50 = s->v[(s->n - 1) / 2];
	p.p99 = s->v[(size_t)((s->n - 1) * 0.99 + 0.5)];
	p.max = s->v[s->n - 1];
	return p;
}

/* ---- time ------------------------------------------------------------- */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_ns(const struct timeval *tv)
{
	return tv->tv_sec * 1000000000LL + tv->tv_usec * 1000LL;
}

static long long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* ---- per-node state --------------------------------------------------- */

/* A FRAME_SYNC event waiting for its buffer */
struct sync_ev {
	__u32 seq;
	long long recv;		/* CLOCK_MONOTONIC after DQEVENT */
};

/* The progress events of one sequence, summed up as they arrive */
struct prog_rec {
	__u32 seq, index, count, last_lines;
	unsigned long tags_bad;	/* landed lines not (yet) tagged seq */
};

/* A good frame, for the genlock comparison */
struct frame_rec {
	long long ts;
	__u32 seq;
};

struct run {
	struct mc_node *n;
	char label[64];
	struct mc_queue q;
	struct mc_check chk;	/* Tagged Lines checker */
	int ready, done;
	unsigned int details;

	double period_ns;
	const char *period_from;
	int tsrc;		/* V4L2_MULTICAP_TIMESTAMP_*, as streamed */
	int tsrc_ctrl;		/* the control exists */
	__s32 old_tsrc, old_plines, plines;
	int restore_tsrc, restore_plines;

	/* buffers */
	unsigned long dequeued, frames, errflag, io_errors, drops, checked;
	unsigned long bad_order, bad_incr, bad_period, bad_flags, bad_clock;
	int have_last;
	__u32 first_seq, last_seq;
	long long first_ts, last_ts;
	struct samples dev_us, lat_us, age_us;
	struct frame_rec *rec;
	size_t nrec, arec;

	/* events, all types */
	unsigned long ev_total, ev_lost, ev_other;
	__u32 last_evseq;
	int have_evseq;

	/* FRAME_SYNC: a FIFO of received events, matched at DQBUF */
	struct sync_ev *fs;
	size_t fs_n, fs_cap, fs_head;
	unsigned long fs_events, fs_matched, fs_before, fs_missing;
	unsigned long fs_late, fs_order, fs_dropped;

	/* progress: one record per sequence, matched at DQBUF */
	struct prog_rec *pr;
	size_t pr_n, pr_cap, pr_head;
	unsigned long pr_events, pr_matched, pr_missing, pr_late, pr_order;
	unsigned long pr_height, pr_index, pr_last, pr_count, pr_dropped;
	unsigned long pr_invalid;
	unsigned long pr_tag_lines, pr_tag_frames_bad;
	unsigned int pr_min, pr_max;
	struct samples pr_lat_us, pr_qlat_us;
};

static struct mc_node nodes[MC_MAX_NODES];
static struct run runs[MC_MAX_NODES];
static int nnodes;
static int nfail;

__attribute__((format(printf, 2, 3)))
static void detail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->details++ >= MAX_DETAILS) {
		if (r->details == MAX_DETAILS + 1)
			printf("  %s: further details not shown\n", r->label);
		return;
	}
	printf("  %s: ", r->label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* One machine-greppable line; @verdict 1 ok, 0 FAIL, -1 info */
__attribute__((format(printf, 4, 5)))
static void report(const char *check, const char *who, int verdict,
		   const char *fmt, ...)
{
	va_list ap;

	printf("timing: %s: %s: %s ", check, who,
	       verdict > 0 ? "ok" : verdict ? "info" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!verdict)
		nfail++;
}

/* ---- controls and setup ----------------------------------------------- */

static int ctrl_get(int fd, __u32 id, __s32 *val)
{
	struct v4l2_control c = { .id = id };

	if (ioctl(fd, VIDIOC_G_CTRL, &c))
		return -1;
	*val = c.value;
	return 0;
}

static int ctrl_set(int fd, __u32 id, __s32 val)
{
	struct v4l2_control c = { .id = id, .value = val };

	return ioctl(fd, VIDIOC_S_CTRL, &c);
}

static int subscribe(int fd, __u32 type)
{
	struct v4l2_event_subscription sub = { .type = type };

	return ioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &sub);
}

/* The timestamp source to stream with: set it, or read what it is. */
static int setup_ts_source(struct run *r)
{
	int fd = r->n->fd;
	__s32 v;

	r->tsrc_ctrl = !ctrl_get(fd, V4L2_CID_MULTICAP_TIMESTAMP_SOURCE,
				 &r->old_tsrc);
	if (opt.ts_source < 0) {
		/* Controls outlive the file: expect what is set now. */
		r->tsrc = r->tsrc_ctrl ? r->old_tsrc : V4L2_MULTICAP_TIMESTAMP_EOF;
		return 0;
	}
	if (!r->tsrc_ctrl) {
		report("setup", r->label, 0, "no timestamp-source control "
		       "(driver too old?)");
		return -1;
	}
	if (ctrl_set(fd, V4L2_CID_MULTICAP_TIMESTAMP_SOURCE, opt.ts_source) ||
	    ctrl_get(fd, V4L2_CID_MULTICAP_TIMESTAMP_SOURCE, &v) ||
	    v != opt.ts_source) {
		report("setup", r->label, 0, "cannot set the timestamp "
		       "source to %d: %s", opt.ts_source, strerror(errno));
		return -1;
	}
	r->restore_tsrc = 1;
	r->tsrc = opt.ts_source;
	return 0;
}

static int setup_progress(struct run *r)
{
	int fd = r->n->fd;

	if (ctrl_get(fd, V4L2_CID_MULTICAP_PROGRESS_LINES, &r->old_plines)) {
		report("setup", r->label, 0, "no progress-lines control "
		       "(driver too old?)");
		return -1;
	}
	if (ctrl_set(fd, V4L2_CID_MULTICAP_PROGRESS_LINES, opt.progress) ||
	    ctrl_get(fd, V4L2_CID_MULTICAP_PROGRESS_LINES, &r->plines)) {
		report("setup", r->label, 0, "cannot set progress lines %d: %s",
		       opt.progress, strerror(errno));
		return -1;
	}
	r->restore_plines = 1;
	return 0;
}

static int setup_events(struct run *r)
{
	if (opt.frame_sync && subscribe(r->n->fd, V4L2_EVENT_FRAME_SYNC)) {
		report("setup", r->label, 0, "SUBSCRIBE_EVENT FRAME_SYNC: %s",
		       strerror(errno));
		return -1;
	}
	if (opt.progress &&
	    subscribe(r->n->fd, V4L2_EVENT_MULTICAP_PROGRESS)) {
		report("setup", r->label, 0, "SUBSCRIBE_EVENT progress: %s",
		       strerror(errno));
		return -1;
	}
	return 0;
}

/* Pattern, format, controls, events, period, buffers: 0 ready to stream */
static int setup(struct run *r)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_pix_format pix;
	const struct mc_fmt *f = opt.fmt;
	unsigned int i;
	char s[5];

	if (opt.pattern && mc_set_menu_ctrl(r->n->fd, V4L2_CID_TEST_PATTERN,
					    MC_PATTERN) < 0) {
		report("setup", r->label, 0, "cannot set test pattern \"%s\"",
		       MC_PATTERN);
		return -1;
	}
	if (f) {
		if (mc_set_format(r->n->fd, r->label, f, 0, &pix)) {
			report("setup", r->label, 0, "format %s", f->name);
			return -1;
		}
	} else {
		if (ioctl(r->n->fd, VIDIOC_G_FMT, &fmt)) {
			report("setup", r->label, 0, "G_FMT: %s",
			       strerror(errno));
			return -1;
		}
		pix = fmt.fmt.pix;
		f = mc_fmt_by_fourcc(pix.pixelformat);
		if (!f) {
			report("setup", r->label, 0, "current format %s not "
			       "known", mc_fourcc_str(pix.pixelformat, s));
			return -1;
		}
	}
	if (setup_ts_source(r) || (opt.progress && setup_progress(r)) ||
	    setup_events(r))
		return -1;
	r->period_ns = opt.period_ns;
	r->period_from = "--period-ns";
	if (r->period_ns <= 0) {
		r->period_ns = mc_frame_period_ns(r->n->fd);
		r->period_from = "G_PARM";
	}
	if (r->period_ns <= 0) {
		report("setup", r->label, 0, "no frame period from G_PARM: "
		       "pass --period-ns");
		return -1;
	}
	if (mc_queue_init(&r->q, r->n->fd, V4L2_MEMORY_MMAP, opt.bufs, &pix,
			  f, NULL)) {
		report("setup", r->label, 0, "MMAP buffers");
		return -1;
	}
	r->ready = 1;
	for (i = 0; i < r->q.count; i++) {
		if (mc_queue_buf(&r->q, i, -1)) {
			report("setup", r->label, 0, "QBUF");
			return -1;
		}
	}
	return 0;
}

/* After STREAMOFF: buffers, subscriptions and controls as we found them. */
static void teardown(struct run *r)
{
	struct v4l2_event_subscription sub = { .type = V4L2_EVENT_ALL };

	if (r->ready) {
		mc_stream(r->n->fd, 0);
		mc_queue_free(&r->q);
	}
	ioctl(r->n->fd, VIDIOC_UNSUBSCRIBE_EVENT, &sub);
	/* the source is grabbed while streaming: only now can it go back */
	if (r->restore_tsrc)
		ctrl_set(r->n->fd, V4L2_CID_MULTICAP_TIMESTAMP_SOURCE,
			 r->old_tsrc);
	if (r->restore_plines)
		ctrl_set(r->n->fd, V4L2_CID_MULTICAP_PROGRESS_LINES,
			 r->old_plines);
}

/* ---- events ----------------------------------------------------------- */

/*
 * The tags of first-plane lines [from, to) of buffer @idx: lines the card
 * reported landed must already hold frame @seq while the buffer is still
 * the driver's. Only the 16-byte tag is read; the payload is checked at
 * DQBUF. Returns the number of lines whose tag is wrong.
 */
static unsigned long landed_tags_bad(struct run *r, unsigned int idx,
				     unsigned int from, unsigned int to,
				     __u32 seq)
{
	const unsigned char *mem = r->q.buf[idx].mem;
	unsigned int bpl = r->q.pix.bytesperline, l;
	unsigned long bad = 0;

	for (l = from; l < to; l++) {
		const unsigned char *p = mem + (size_t)l * bpl;

		if (memcmp(p, "MCAP", 4) ||
		    (r->n->channel >= 0 && mc_le32(p + 4) != (__u32)r->n->channel) ||
		    mc_le32(p + 8) != seq || mc_le32(p + 12) != l)
			bad++;
	}
	r->pr_tag_lines += to - from;
	return bad;
}

static void frame_sync_event(struct run *r, const struct v4l2_event *ev,
			     long long recv)
{
	__u32 seq = ev->u.frame_sync.frame_sequence;
	struct sync_ev *e;

	r->fs_events++;
	if (r->have_last && seq <= r->last_seq) {
		r->fs_late++;
		detail(r, "FRAME_SYNC for seq %u after that sequence was "
		       "dequeued (last %u)", seq, r->last_seq);
		return;
	}
	if (r->fs_n && seq <= r->fs[r->fs_n - 1].seq) {
		r->fs_order++;
		detail(r, "FRAME_SYNC for seq %u after one for seq %u", seq,
		       r->fs[r->fs_n - 1].seq);
		return;
	}
	e = PUSH(r->fs, r->fs_n, r->fs_cap);
	e->seq = seq;
	e->recv = recv;
}

static void progress_event(struct run *r, const struct v4l2_event *ev,
			   long long recv)
{
	struct v4l2_event_multicap_progress p;
	struct prog_rec *cur = r->pr_n ? &r->pr[r->pr_n - 1] : NULL;
	unsigned int height = r->q.pix.height, from;

	memcpy(&p, ev->u.data, sizeof(p));
	r->pr_events++;
	sample(&r->pr_lat_us, (recv - (long long)p.timestamp) / 1e3);
	sample(&r->pr_qlat_us, (recv - ts_ns(&ev->timestamp)) / 1e3);
	if (p.height != height) {
		r->pr_height++;
		detail(r, "progress seq %u: height %u, format says %u",
		       p.sequence, p.height, height);
	}
	if (r->have_last && p.sequence <= r->last_seq) {
		r->pr_late++;
		detail(r, "progress seq %u lines %u after that sequence was "
		       "dequeued (last %u)", p.sequence, p.lines, r->last_seq);
		return;
	}
	if (cur && p.sequence < cur->seq) {
		r->pr_order++;
		detail(r, "progress seq %u after seq %u", p.sequence, cur->seq);
		return;
	}
	if (!p.lines || p.lines > height || p.index >= r->q.count) {
		r->pr_invalid++;
		detail(r, "progress seq %u: lines %u of %u, index %u of %u",
		       p.sequence, p.lines, height, p.index, r->q.count);
		return;
	}
	if (!cur || p.sequence != cur->seq) {
		cur = PUSH(r->pr, r->pr_n, r->pr_cap);
		cur->seq = p.sequence;
		cur->index = p.index;
	} else if (p.lines <= cur->last_lines) {
		r->pr_order++;
		detail(r, "progress seq %u: lines %u after %u", p.sequence,
		       p.lines, cur->last_lines);
		return;
	} else if (p.index != cur->index) {
		r->pr_index++;
		detail(r, "progress seq %u: index %u, earlier events said %u",
		       p.sequence, p.index, cur->index);
	}
	from = cur->last_lines;
	cur->count++;
	cur->last_lines = p.lines;
	if (opt.pattern)
		cur->tags_bad += landed_tags_bad(r, p.index, from, p.lines,
						 p.sequence);
}

/* Read every pending event of @r (the fd is non-blocking). */
static void drain_events(struct run *r)
{
	struct v4l2_event ev;
	long long recv;

	for (;;) {
		memset(&ev, 0, sizeof(ev));
		if (ioctl(r->n->fd, VIDIOC_DQEVENT, &ev)) {
			if (errno != ENOENT) {
				r->io_errors++;
				detail(r, "DQEVENT: %s", strerror(errno));
			}
			return;
		}
		recv = now_ns();
		r->ev_total++;
		/* v4l2_event.sequence counts every event of the fh, lost ones too */
		if (r->have_evseq && ev.sequence != r->last_evseq + 1)
			r->ev_lost += ev.sequence - r->last_evseq - 1;
		r->have_evseq = 1;
		r->last_evseq = ev.sequence;
		if (ev.type == V4L2_EVENT_FRAME_SYNC)
			frame_sync_event(r, &ev, recv);
		else if (ev.type == V4L2_EVENT_MULTICAP_PROGRESS)
			progress_event(r, &ev, recv);
		else
			r->ev_other++;
	}
}

/*
 * Buffer @seq was dequeued (events drained after DQBUF returned): its
 * FRAME_SYNC must be at the head of the FIFO, after those of frames that
 * never came out (dropped). @t_call: just before the DQBUF call.
 */
static void match_frame_sync(struct run *r, __u32 seq, long long t_call)
{
	while (r->fs_head < r->fs_n && r->fs[r->fs_head].seq < seq) {
		r->fs_head++;
		r->fs_dropped++;
	}
	if (r->fs_head < r->fs_n && r->fs[r->fs_head].seq == seq) {
		r->fs_matched++;
		if (r->fs[r->fs_head].recv < t_call)
			r->fs_before++;
		r->fs_head++;
		return;
	}
	r->fs_missing++;
	detail(r, "seq %u: no FRAME_SYNC by its DQBUF", seq);
}

static void match_progress(struct run *r, __u32 seq, unsigned int index)
{
	unsigned int height = r->q.pix.height;
	struct prog_rec *p;

	while (r->pr_head < r->pr_n && r->pr[r->pr_head].seq < seq) {
		r->pr_head++;
		r->pr_dropped++;
	}
	if (r->pr_head == r->pr_n || r->pr[r->pr_head].seq != seq) {
		r->pr_missing++;
		detail(r, "seq %u: no progress event by its DQBUF", seq);
		return;
	}
	p = &r->pr[r->pr_head++];
	r->pr_matched++;
	if (r->pr_matched == 1 || p->count < r->pr_min)
		r->pr_min = p->count;
	if (p->count > r->pr_max)
		r->pr_max = p->count;
	if (p->index != index) {
		r->pr_index++;
		detail(r, "seq %u: progress said buffer %u, DQBUF gave %u",
		       seq, p->index, index);
	}
	if (p->last_lines != height) {
		r->pr_last++;
		detail(r, "seq %u: last progress event at %u lines of %u",
		       seq, p->last_lines, height);
	}
	if (opt.expect_progress >= 0 && p->count != opt.expect_progress) {
		r->pr_count++;
		detail(r, "seq %u: %u progress events, expected %ld", seq,
		       p->count, opt.expect_progress);
	}
	if (p->tags_bad) {
		r->pr_tag_frames_bad++;
		detail(r, "seq %u: %lu landed lines did not hold the frame "
		       "when their progress event was read", seq, p->tags_bad);
	}
}

/* ---- buffers ---------------------------------------------------------- */

/*
 * One dequeued buffer: timing, flags, events, content. @t_call is the
 * time just before DQBUF, @t_dq just after. Returns 1 when the node has
 * its frames (buffer kept), 0 requeued, -1 requeue failed.
 */
static int handle_buf(struct run *r, const struct v4l2_buffer *b,
		      long long t_call, long long t_dq)
{
	long long ts = tv_ns(&b->timestamp);
	unsigned long idx = r->dequeued++;
	__u32 seq = b->sequence, want;
	struct mc_buf *mb = &r->q.buf[b->index];
	struct frame_rec *fr;

	want = r->tsrc == V4L2_MULTICAP_TIMESTAMP_SOF ?
	       V4L2_BUF_FLAG_TSTAMP_SRC_SOE : V4L2_BUF_FLAG_TSTAMP_SRC_EOF;
	if ((b->flags & V4L2_BUF_FLAG_TSTAMP_SRC_MASK) != want ||
	    (b->flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) !=
	    V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC) {
		r->bad_flags++;
		detail(r, "seq %u: flags 0x%08x, expected MONOTONIC | %s", seq,
		       b->flags, want ? "TSTAMP_SRC_SOE" : "TSTAMP_SRC_EOF");
	}
	if (ts > t_dq + (long long)(opt.tol_us * 1e3) ||
	    t_dq - ts > CLOCK_MAX_AGE_NS + (long long)r->period_ns) {
		r->bad_clock++;
		detail(r, "seq %u: timestamp %lld ns, DQBUF returned at %lld "
		       "ns", seq, ts, t_dq);
	}
	sample(&r->age_us, (t_dq - ts) / 1e3);
	if (opt.latency && idx >= opt.skip)
		sample(&r->lat_us, (t_dq - ts) / 1e3);

	if (!r->have_last) {
		r->first_seq = seq;
		r->first_ts = ts;
	} else if (seq <= r->last_seq) {
		r->bad_order++;
		detail(r, "seq %u after seq %u", seq, r->last_seq);
	} else {
		__u32 g = seq - r->last_seq;
		double dev = (ts - r->last_ts) - g * r->period_ns;

		r->drops += g - 1;
		if (ts <= r->last_ts) {
			r->bad_incr++;
			detail(r, "seq %u: timestamp %lld ns not above %lld ns",
			       seq, ts, r->last_ts);
		} else if (idx - 1 >= opt.skip) {
			if (dev < 0)
				dev = -dev;
			sample(&r->dev_us, dev / 1e3);
			if (dev > opt.tol_us * 1e3) {
				r->bad_period++;
				detail(r, "seq %u: %lld ns after seq %u, "
				       "expected %u x %.0f ns", seq,
				       ts - r->last_ts, r->last_seq, g,
				       r->period_ns);
			}
		}
	}

	/*
	 * This frame's events were drained while last_seq was still the
	 * previous frame's, so none of them was taken for a late one.
	 */
	if (reading_events() && opt.frame_sync)
		match_frame_sync(r, seq, t_call);
	if (reading_events() && opt.progress)
		match_progress(r, seq, b->index);

	r->have_last = 1;
	r->last_seq = seq;
	r->last_ts = ts;

	if (b->flags & V4L2_BUF_FLAG_ERROR) {
		r->errflag++;
		detail(r, "seq %u: ERROR flag", seq);
	} else {
		fr = PUSH(r->rec, r->nrec, r->arec);
		fr->ts = ts;
		fr->seq = seq;
		if (opt.pattern) {
			/*
			 * No canary: bytes past the lines are not ours to
			 * judge here (swiotlb copies whole mappings back).
			 */
			mc_check_frame(&r->chk, mb->mem, mb->len, &r->q.pix,
				       r->q.f, r->n->channel, seq, -1);
			r->checked++;
		}
		r->frames++;
	}
	if (r->frames >= opt.frames)
		return 1;
	return mc_queue_buf(&r->q, b->index, -1) ? -1 : 0;
}

static void node_done(struct run *r)
{
	r->done = 1;
	mc_stream(r->n->fd, 0);
}

/* Every buffer @r has ready, each followed by the events it brought. */
static void dequeue_all(struct run *r)
{
	struct v4l2_buffer b;
	long long t_call, t_dq;
	int ret;

	while (!r->done) {
		t_call = now_ns();
		ret = mc_dequeue_buf(&r->q, &b);
		if (ret > 0)
			return;
		if (ret < 0) {
			r->io_errors++;
			detail(r, "DQBUF failed");
			node_done(r);
			return;
		}
		t_dq = now_ns();
		/*
		 * The driver queues a frame's events before the buffer is
		 * done: after DQBUF returned, they are all pending.
		 */
		if (reading_events())
			drain_events(r);
		ret = handle_buf(r, &b, t_call, t_dq);
		if (ret < 0) {
			r->io_errors++;
			detail(r, "requeue failed");
		}
		if (ret)
			node_done(r);
	}
}

static void stream_all(long long deadline)
{
	struct pollfd pfd[MC_MAX_NODES];
	int idx[MC_MAX_NODES], i, k, np;
	/*
	 * Without reading events, POLLPRI would be pending for good and poll()
	 * would spin: ask for buffers only (the kernel filters the rest).
	 */
	short events = POLLIN | (reading_events() ? POLLPRI : 0);
	long long left;

	for (;;) {
		for (np = 0, i = 0; i < nnodes; i++) {
			if (runs[i].done)
				continue;
			pfd[np].fd = runs[i].n->fd;
			pfd[np].events = events;
			pfd[np].revents = 0;
			idx[np++] = i;
		}
		left = (deadline - now_ns()) / 1000000;
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
			if (pfd[k].revents & POLLPRI)
				drain_events(r);
			if (pfd[k].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				r->io_errors++;
				detail(r, "poll revents 0x%x", pfd[k].revents);
				node_done(r);
				continue;
			}
			if (pfd[k].revents & POLLIN)
				dequeue_all(r);
		}
	}
}

/* ---- reports ---------------------------------------------------------- */

static const char *tsrc_name(int s)
{
	return s == V4L2_MULTICAP_TIMESTAMP_SOF ? "sof" : "eof";
}

static double fps_of(const struct run *r)
{
	double span = (r->last_ts - r->first_ts) / 1e9;

	return r->dequeued > 1 && span > 0 ? (r->dequeued - 1) / span : 0;
}

static void report_node(struct run *r, long long tmo)
{
	const char *who = r->label;
	struct pct p, q;
	char s[5];

	report("capture", who, r->frames >= opt.frames && !r->io_errors &&
	       !r->errflag, "frames %lu of %u%s, dequeued %lu, error-flagged "
	       "%lu, I/O errors %lu; %s %ux%u, %.2f frames/s, period %.1f ns "
	       "(%s), ts-source %s%s", r->frames, opt.frames,
	       r->frames < opt.frames ? " (timed out)" : "", r->dequeued,
	       r->errflag, r->io_errors,
	       mc_fourcc_str(r->q.pix.pixelformat, s), r->q.pix.width,
	       r->q.pix.height, fps_of(r), r->period_ns, r->period_from,
	       tsrc_name(r->tsrc), opt.ts_source < 0 ? " (as set)" : "");
	if (r->frames < opt.frames)
		detail(r, "only %lu of %u frames within %lld s", r->frames,
		       opt.frames, tmo / 1000000000);
	report("increasing", who, !r->bad_order && !r->bad_incr,
	       "sequence not increasing %lu, timestamp not increasing %lu",
	       r->bad_order, r->bad_incr);
	p = pct_of(&r->dev_us);
	report("period", who, p.n && !r->bad_period, "pairs %zu, deviation "
	       "max %.1f us, p99 %.1f us, over %.1f us: %lu (P %.1f ns, "
	       "tol %.1f us, skip %u)", p.n, p.max, p.p99, opt.tol_us,
	       r->bad_period, r->period_ns, opt.tol_us, opt.skip);
	p = pct_of(&r->age_us);
	report("clock", who, p.n && !r->bad_clock, "DQBUF - timestamp min "
	       "%.1f us, max %.1f us, outside [-%.1f us, 1 s + P]: %lu",
	       p.min, p.max, opt.tol_us, r->bad_clock);
	report("tsflags", who, r->dequeued && !r->bad_flags, "expected "
	       "MONOTONIC | TSTAMP_SRC_%s, wrong %lu of %lu",
	       r->tsrc == V4L2_MULTICAP_TIMESTAMP_SOF ? "SOE" : "EOF",
	       r->bad_flags, r->dequeued);
	if (opt.pattern)
		report("pattern", who, r->checked && !r->chk.errors,
		       "frames checked %lu, lines %lu, errors %lu", r->checked,
		       r->chk.lines, r->chk.errors);
	if (opt.latency) {
		p = pct_of(&r->lat_us);
		report("latency", who, -1, "DQBUF - timestamp (%s) p50 %.1f us,"
		       " p99 %.1f us, max %.1f us (%zu frames)",
		       tsrc_name(r->tsrc), p.p50, p.p99, p.max, p.n);
	}
	if (opt.frame_sync && !reading_events())
		report("frame-sync", who, -1, "subscribed, never read "
		       "(--no-read-events)");
	else if (opt.frame_sync)
		/*
		 * Events of frames never dequeued (aborted or before the
		 * first) are fine as long as there are frames they can be.
		 */
		report("frame-sync", who, r->fs_matched && !r->fs_missing &&
		       !r->fs_late && !r->fs_order &&
		       r->fs_dropped <= r->drops + r->first_seq,
		       "events %lu (%zu in flight ignored), frames %lu, "
		       "matched %lu (%lu before DQBUF, %lu at it), missing %lu,"
		       " late %lu, out of order %lu, for undelivered frames "
		       "%lu (drops %lu, first seq %u), events lost %lu",
		       r->fs_events, r->fs_n - r->fs_head, r->dequeued,
		       r->fs_matched, r->fs_before,
		       r->fs_matched - r->fs_before, r->fs_missing, r->fs_late,
		       r->fs_order, r->fs_dropped, r->drops, r->first_seq,
		       r->ev_lost);
	if (opt.progress && !reading_events()) {
		report("progress", who, -1, "lines %d (read back %d), "
		       "subscribed, never read (--no-read-events)",
		       opt.progress, r->plines);
	} else if (opt.progress) {
		char exp[32] = "not checked";

		if (opt.expect_progress >= 0)
			snprintf(exp, sizeof(exp), "%ld", opt.expect_progress);
		report("progress", who, r->pr_matched && !r->pr_missing &&
		       !r->pr_late && !r->pr_order && !r->pr_invalid &&
		       !r->pr_height &&
		       !r->pr_index && !r->pr_last && !r->pr_count,
		       "lines %d (read back %d), height %u, events %lu, "
		       "frames %lu, per frame min %u max %u (expected %s), "
		       "missing %lu, late %lu, out of order %lu, invalid %lu, "
		       "wrong height %lu, wrong index %lu, last not at height "
		       "%lu, wrong count %lu, for undelivered frames %zu, "
		       "events lost %lu",
		       opt.progress, r->plines, r->q.pix.height, r->pr_events,
		       r->pr_matched, r->pr_min, r->pr_max, exp,
		       r->pr_missing, r->pr_late, r->pr_order, r->pr_invalid,
		       r->pr_height,
		       r->pr_index, r->pr_last, r->pr_count,
		       r->pr_dropped + (r->pr_n - r->pr_head), r->ev_lost);
		p = pct_of(&r->pr_lat_us);
		q = pct_of(&r->pr_qlat_us);
		report("progress-latency", who, -1, "arrival - lines landed "
		       "p50 %.1f us, p99 %.1f us, max %.1f us; arrival - "
		       "queued p50 %.1f us, p99 %.1f us (%zu events)", p.p50,
		       p.p99, p.max, q.p50, q.p99, p.n);
		if (opt.pattern)
			report("progress-data", who, r->pr_tag_lines &&
			       !r->pr_tag_frames_bad, "landed lines read "
			       "before DQBUF %lu, frames with a line not yet "
			       "theirs %lu", r->pr_tag_lines,
			       r->pr_tag_frames_bad);
	}
	if (opt.max_drops >= 0)
		report("drops", who, r->drops <= (unsigned long)opt.max_drops,
		       "drops %lu (max %ld), %.2f frames/s%s", r->drops,
		       opt.max_drops, fps_of(r),
		       opt.no_read ? ", events never read" : "");
	else
		report("drops", who, -1, "drops %lu, %.2f frames/s", r->drops,
		       fps_of(r));
}

/*
 * Is @t one of @r's good frames? If not, *@dropped says whether it falls
 * in a sequence gap of @r (a frame @r lost, so it may be missing).
 */
static int has_ts(const struct run *r, long long t, int *dropped)
{
	size_t lo = 0, hi = r->nrec;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->rec[mid].ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->nrec && r->rec[lo].ts == t)
		return 1;
	*dropped = lo > 0 && lo < r->nrec &&
		   r->rec[lo].seq - r->rec[lo - 1].seq > 1;
	return 0;
}

/*
 * Same-instant frames: in the window where every node streamed, node 0's
 * timestamps on every other node and theirs on node 0 (unless dropped
 * there); --expect-unlocked: no timestamp shared by any two nodes.
 */
static void report_genlock(void)
{
	long long lo = 0, hi = 0;
	unsigned long sets = 0, inwin = 0, missing = 0, excused = 0;
	unsigned long shared = 0;
	size_t k;
	int i, j, dropped;

	for (i = 0; i < nnodes; i++) {
		struct run *r = &runs[i];

		if (!r->nrec) {
			report(opt.expect_unlocked ? "unlocked" : "genlock",
			       "all", 0, "%s delivered no frames", r->label);
			return;
		}
		if (!i || r->rec[0].ts > lo)
			lo = r->rec[0].ts;
		if (!i || r->rec[r->nrec - 1].ts < hi)
			hi = r->rec[r->nrec - 1].ts;
	}
	for (k = 0; k < runs[0].nrec; k++)
		if (runs[0].rec[k].ts >= lo && runs[0].rec[k].ts <= hi)
			inwin++;

	if (opt.expect_unlocked) {
		for (i = 0; i < nnodes; i++)
			for (k = 0; k < runs[i].nrec; k++) {
				long long t = runs[i].rec[k].ts;

				if (t < lo || t > hi)
					continue;
				for (j = i + 1; j < nnodes; j++)
					shared += has_ts(&runs[j], t, &dropped);
			}
		report("unlocked", "all", inwin >= 2 && !shared, "nodes %d, "
		       "window %.3f s, node-0 frames in it %lu, timestamps "
		       "shared by two nodes %lu (expected none)", nnodes,
		       (hi - lo) / 1e9, inwin, shared);
		return;
	}

	for (k = 0; k < runs[0].nrec; k++) {
		long long t = runs[0].rec[k].ts;
		int all = 1;

		if (t < lo || t > hi)
			continue;
		for (j = 1; j < nnodes; j++) {
			if (has_ts(&runs[j], t, &dropped))
				continue;
			all = 0;
			if (dropped) {
				excused++;
				continue;
			}
			missing++;
			detail(&runs[j], "no frame at %lld ns (%s seq %u)", t,
			       runs[0].label, runs[0].rec[k].seq);
		}
		sets += all;
	}
	for (j = 1; j < nnodes; j++)
		for (k = 0; k < runs[j].nrec; k++) {
			long long t = runs[j].rec[k].ts;

			if (t < lo || t > hi || has_ts(&runs[0], t, &dropped))
				continue;
			if (dropped) {
				excused++;
				continue;
			}
			missing++;
			detail(&runs[0], "no frame at %lld ns (%s seq %u)", t,
			       runs[j].label, runs[j].rec[k].seq);
		}
	report("genlock", "all", inwin >= 2 && sets && !missing, "nodes %d, "
	       "window %.3f s, node-0 frames in it %lu, same-instant sets "
	       "%lu, missing %lu, excused by drops %lu", nnodes,
	       (hi - lo) / 1e9, inwin, sets, missing, excused);
}

/* ---- main ------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: mcap-timing [options] [node...]\n"
"Streams the nodes (default: every multicap node) at once over MMAP and\n"
"checks timestamps, events and genlock. Lines \"timing: <check>: <node>:\n"
"ok|FAIL|info ...\", then \"timing: PASS\" or \"timing: FAIL\".\n"
"  -n, --frames F        good frames per node (default 300)\n"
"  -b, --bufs N          MMAP buffers per node (default 4)\n"
"  -f, --format FOURCC   S_FMT this format, packed lines, at the input's\n"
"                        size (default: keep the current format)\n"
"  -p, --pattern         set \"Tagged Lines\" and check every frame's bytes\n"
"      --period-ns P     frame period (default: G_PARM timeperframe)\n"
"      --tol-us T        allowed |dt - gap * P|, us (default 10)\n"
"      --skip K          frames of each node left out of the period and\n"
"                        latency figures (default 2)\n"
"      --ts-source eof|sof  set the timestamp-source control first\n"
"                        (default: leave it, expect what it says)\n"
"      --frame-sync      subscribe FRAME_SYNC, check one per frame\n"
"      --progress N      progress events every N lines: check them\n"
"      --expect-progress E  check each frame had exactly E of them\n"
"      --no-read-events  subscribe, never read events; check drops\n"
"      --max-drops D     fail above D dropped frames a node (default with\n"
"                        --no-read-events: 0; else only reported)\n"
"      --genlock         (>= 2 nodes) equal timestamps for same-instant\n"
"                        frames on every node\n"
"      --expect-unlocked with --genlock: pass only if no timestamp is\n"
"                        shared by two nodes\n"
"      --latency         report DQBUF - timestamp p50/p99/max\n"
"  -h, --help            this text\n"
"Exit 0 pass, 1 fail, 77 no multicap node.\n");
}

enum {
	OPT_PERIOD = 256, OPT_TOL, OPT_SKIP, OPT_TSSRC, OPT_FSYNC, OPT_PROG,
	OPT_EXPPROG, OPT_NOREAD, OPT_MAXDROPS, OPT_GENLOCK, OPT_UNLOCKED,
	OPT_LATENCY,
};

static const struct option long_opts[] = {
	{ "frames", required_argument, NULL, 'n' },
	{ "bufs", required_argument, NULL, 'b' },
	{ "format", required_argument, NULL, 'f' },
	{ "pattern", no_argument, NULL, 'p' },
	{ "period-ns", required_argument, NULL, OPT_PERIOD },
	{ "tol-us", required_argument, NULL, OPT_TOL },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "ts-source", required_argument, NULL, OPT_TSSRC },
	{ "frame-sync", no_argument, NULL, OPT_FSYNC },
	{ "progress", required_argument, NULL, OPT_PROG },
	{ "expect-progress", required_argument, NULL, OPT_EXPPROG },
	{ "no-read-events", no_argument, NULL, OPT_NOREAD },
	{ "max-drops", required_argument, NULL, OPT_MAXDROPS },
	{ "genlock", no_argument, NULL, OPT_GENLOCK },
	{ "expect-unlocked", no_argument, NULL, OPT_UNLOCKED },
	{ "latency", no_argument, NULL, OPT_LATENCY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* a whole non-negative number in @s, or -1 */
static long num(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < 0)
		return -1;
	return v;
}

static void parse_args(int argc, char **argv)
{
	int o, bad = 0;
	long v;

	while ((o = getopt_long(argc, argv, "n:b:f:ph", long_opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			v = num(optarg);
			bad |= v < 1;
			opt.frames = v;
			break;
		case 'b':
			v = num(optarg);
			bad |= v < 2 || v > MC_MAX_BUFS;
			opt.bufs = v;
			break;
		case 'f':
			opt.fmt = mc_fmt_parse(optarg);
			bad |= !opt.fmt;
			break;
		case 'p':
			opt.pattern = 1;
			break;
		case OPT_PERIOD:
			opt.period_ns = atof(optarg);
			bad |= opt.period_ns <= 0;
			break;
		case OPT_TOL:
			opt.tol_us = atof(optarg);
			bad |= opt.tol_us < 0;
			break;
		case OPT_SKIP:
			v = num(optarg);
			bad |= v < 0;
			opt.skip = v;
			break;
		case OPT_TSSRC:
			if (!strcmp(optarg, "eof"))
				opt.ts_source = V4L2_MULTICAP_TIMESTAMP_EOF;
			else if (!strcmp(optarg, "sof"))
				opt.ts_source = V4L2_MULTICAP_TIMESTAMP_SOF;
			else
				bad = 1;
			break;
		case OPT_FSYNC:
			opt.frame_sync = 1;
			break;
		case OPT_PROG:
			v = num(optarg);
			bad |= v < 1;
			opt.progress = v;
			break;
		case OPT_EXPPROG:
			opt.expect_progress = num(optarg);
			bad |= opt.expect_progress < 0;
			break;
		case OPT_NOREAD:
			opt.no_read = 1;
			break;
		case OPT_MAXDROPS:
			opt.max_drops = num(optarg);
			bad |= opt.max_drops < 0;
			break;
		case OPT_GENLOCK:
			opt.genlock = 1;
			break;
		case OPT_UNLOCKED:
			opt.expect_unlocked = 1;
			break;
		case OPT_LATENCY:
			opt.latency = 1;
			break;
		case 'h':
			usage(stdout);
			exit(MC_EXIT_PASS);
		default:
			bad = 1;
		}
	}
	if (opt.no_read && !opt.frame_sync && !opt.progress) {
		fprintf(stderr, "mcap-timing: --no-read-events needs "
			"--frame-sync or --progress\n");
		bad = 1;
	}
	if (opt.expect_unlocked)
		opt.genlock = 1;
	if (opt.no_read && opt.max_drops < 0)
		opt.max_drops = 0;
	if (bad) {
		fprintf(stderr, "Usage: mcap-timing [options] [node...]; "
			"--help lists the options\n");
		exit(MC_EXIT_FAIL);
	}
}

int main(int argc, char **argv)
{
	long long tmo, t;
	int i, ok = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	nnodes = mc_nodes_find(nodes, MC_MAX_NODES, argv + optind,
			       argc - optind);
	if (nnodes < 0)
		return MC_EXIT_FAIL;
	if (!nnodes) {
		printf("timing: SKIP: no multicap capture nodes\n");
		return MC_EXIT_SKIP;
	}
	if (opt.genlock && nnodes < 2) {
		fprintf(stderr, "mcap-timing: --genlock needs two nodes or "
			"more\n");
		return MC_EXIT_FAIL;
	}
	for (i = 0; i < nnodes; i++) {
		struct run *r = &runs[i];

		r->n = &nodes[i];
		r->chk.label = r->label;
		r->chk.max_report = 5;
		snprintf(r->label, sizeof(r->label), "%s/ch%d", r->n->name,
			 r->n->channel);
	}
	for (i = 0; i < nnodes && ok; i++)
		ok = !setup(&runs[i]);
	for (i = 0; i < nnodes && ok; i++) {
		if (mc_stream(runs[i].n->fd, 1)) {
			report("setup", runs[i].label, 0, "STREAMON: %s",
			       strerror(errno));
			ok = 0;
		}
	}
	tmo = 10000000000LL + opt.frames * 500000000LL;
	if (ok) {
		t = now_ns();
		stream_all(t + tmo);
	}
	for (i = 0; i < nnodes; i++)
		teardown(&runs[i]);
	if (ok) {
		for (i = 0; i < nnodes; i++)
			report_node(&runs[i], tmo);
		if (opt.genlock)
			report_genlock();
	}
	for (i = 0; i < nnodes; i++)
		mc_node_close(&nodes[i]);
	printf("timing: %s\n", nfail ? "FAIL" : "PASS");
	return nfail ? MC_EXIT_FAIL : MC_EXIT_PASS;
}
