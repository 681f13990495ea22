// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-drops - starve a multicap channel of buffers and check that dropped
 *              frames are accounted for and never delivered stale
 *
 * Usage: mcap-drops [-n FRAMES] [-H HOLD_MS] [-s STATS_FILE] node
 *
 *   -n  frames to receive (default 60, at least 8)
 *   -H  how long all buffers are held per starvation, ms (default 300)
 *   -s  debugfs stats file (default
 *       /sys/kernel/debug/multicap/<parent-dev>/ch<N>/stats, or the only
 *       /sys/kernel/debug/multicap/{*}/ch<N>/stats)
 *
 * Sets "Tagged Lines", keeps the current format (YUYV if unknown) with
 * packed lines, streams with 4 MMAP buffers and every FRAMES/4 frames
 * stops requeueing until all buffers are held, holds them HOLD_MS, then
 * requeues them all. Checks:
 *  - every delivered frame: full tagged-line check, in particular the
 *    tagged frame number == v4l2 sequence (a frame captured before the
 *    starvation must never be delivered with a later sequence);
 *  - sequence and timestamp strictly increasing; the first frame after a
 *    hold has a timestamp later than the start of the hold, and a sequence
 *    gap (frames were dropped while starved);
 *  - the sum of sequence gaps between two snapshot frames equals the delta
 *    of the drop counters (drops_no_buffer plus any other "drops_*" key)
 *    in the debugfs stats. A snapshot is read right after a DQBUF, before
 *    requeueing, and only counts if nothing can have completed or been
 *    dropped after that frame yet: the "frames:" delta equals the buffers
 *    dequeued so far, and a buffer queued before that frame's timestamp is
 *    still queued. Skipped with a note if the stats file is missing.
 * Exit 0 pass, 1 fail, 77 skip (no multicap node).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "common.h"

#define NBUFS		4
#define SNAP_TRIES	30	/* frames to try for an exact snapshot */

struct snap {
	unsigned long long no_buffer, drops, frames;
	int has_frames;
};

static struct mc_queue q;
static struct mc_check chk;
static struct mc_node node;
static unsigned int nframes = 60, hold_ms = 300, period;
static char stats[256];
static int have_stats;

static struct snap s0, sa, sb;	/* before STREAMON, start, end */
static unsigned long frames, dequeued, errflag, gaps, win_gaps, holds;
static unsigned long a_tries, b_tries;
static __u32 last_seq, first_seq;
static long long last_ts, first_ts, hold_start;
static int have_last, after_hold, draining, finished, a_ok, b_ok;
static unsigned long since;

static void usage(void)
{
	fprintf(stderr, "usage: mcap-drops [-n FRAMES] [-H HOLD_MS] "
		"[-s STATS_FILE] node\n");
	exit(MC_EXIT_FAIL);
}

/* one read of the stats file: a consistent set of counters */
static int read_stats(struct snap *s)
{
	char line[256], key[128];
	unsigned long long v;
	int found = 0;
	FILE *fp = fopen(stats, "r");

	memset(s, 0, sizeof(*s));
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, " %127[^:]: %llu", key, &v) != 2)
			continue;
		if (!strncmp(key, "drops_", 6))
			s->drops += v;
		if (!strcmp(key, "drops_no_buffer")) {
			s->no_buffer = v;
			found = 1;
		} else if (!strcmp(key, "frames")) {
			s->frames = v;
			s->has_frames = 1;
		}
	}
	fclose(fp);
	return found ? 0 : -1;
}

/* a buffer queued before @ts_us is still queued: no drop after @ts_us */
static int quiescent(long long ts_us)
{
	struct v4l2_buffer b;
	unsigned int i;

	for (i = 0; i < q.count; i++) {
		if (!q.buf[i].queued || mc_ts_us(&q.buf[i].qtime) >= ts_us)
			continue;
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = i;
		if (!ioctl(q.fd, VIDIOC_QUERYBUF, &b) &&
		    (b.flags & V4L2_BUF_FLAG_QUEUED) &&
		    !(b.flags & V4L2_BUF_FLAG_DONE))
			return 1;
	}
	return 0;
}

/* counters cover exactly the frames up to the one just dequeued */
static int snapshot(struct snap *s, long long ts_us)
{
	if (read_stats(s)) {
		printf("note: cannot read %s any more\n", stats);
		have_stats = 0;
		return 0;
	}
	if (s->has_frames && s->frames - s0.frames != dequeued)
		return 0;
	return quiescent(ts_us);
}

static void after_hold_check(__u32 seq, long long ts)
{
	long long ival = 0, expect = 0;
	__u32 gap = seq - last_seq - 1;

	if (last_seq > first_seq && last_ts > first_ts)
		ival = (last_ts - first_ts) / (last_seq - first_seq);
	if (ival > 0)
		expect = hold_ms * 1000LL / ival - 1;
	printf("hold %lu: %u ms, seq %u -> %u, dropped %u (expected >= %lld,"
	       " frame interval %lld us)\n", holds, hold_ms, last_seq, seq,
	       gap, expect > 0 ? expect : 0, ival);
	if (ts <= hold_start)
		mc_fail(&chk, "seq %u: timestamp %lld us not after start of "
			"hold %lld us (stale frame?)", seq, ts, hold_start);
	if (!gap && expect >= 2)
		mc_fail(&chk, "seq %u: no sequence gap after %u ms without "
			"buffers", seq, hold_ms);
	else if (gap < expect)
		printf("note: fewer drops than the hold time suggests\n");
}

static void hold_all(void)
{
	unsigned int i;

	hold_start = mc_now_us();
	holds++;
	usleep(hold_ms * 1000);
	for (i = 0; i < q.count; i++)
		if (mc_queue_buf(&q, i, -1))
			mc_fail(&chk, "requeue after hold failed");
	draining = 0;
	after_hold = 1;
	since = 0;
}

static int all_held(void)
{
	unsigned int i;

	for (i = 0; i < q.count; i++)
		if (q.buf[i].queued)
			return 0;
	return 1;
}

/* returns -1 on a fatal error */
static int process(struct v4l2_buffer *b)
{
	__u32 seq = b->sequence;
	long long ts = mc_tv_us(&b->timestamp);

	dequeued++;
	if (have_last) {
		if (seq <= last_seq) {
			mc_fail(&chk, "seq %u: not above previous seq %u",
				seq, last_seq);
			return -1;
		}
		if (ts <= last_ts)
			mc_fail(&chk, "seq %u: timestamp %lld us not above "
				"previous %lld us", seq, ts, last_ts);
		if (after_hold)
			after_hold_check(seq, ts);
		gaps += seq - last_seq - 1;
		win_gaps += seq - last_seq - 1;
	} else {
		first_seq = seq;
		first_ts = ts;
	}
	have_last = 1;
	after_hold = 0;
	last_seq = seq;
	last_ts = ts;
	if (b->flags & V4L2_BUF_FLAG_ERROR) {
		errflag++;
	} else {
		if (b->bytesused != q.pix.sizeimage)
			mc_fail(&chk, "seq %u: bytesused %u, expected %u", seq,
				b->bytesused, q.pix.sizeimage);
		mc_check_frame(&chk, q.buf[b->index].mem, q.buf[b->index].len,
			       &q.pix, q.f, node.channel, seq, -1);
		frames++;
	}
	since++;

	/* start of the counting window: gaps before it are not counted */
	if (have_stats && !a_ok && a_tries++ < SNAP_TRIES &&
	    snapshot(&sa, ts)) {
		a_ok = 1;
		win_gaps = 0;
	}
	if (draining) {
		if (all_held())
			hold_all();
		return 0;
	}
	if (frames >= nframes) {
		if (!have_stats || !a_ok)
			return finished = 1;
		if (snapshot(&sb, ts)) {
			b_ok = 1;
			return finished = 1;
		}
		if (!have_stats || ++b_tries > SNAP_TRIES)
			return finished = 1;
	} else if (since >= period && frames + period / 2 < nframes) {
		draining = 1;
		if (all_held())
			hold_all();
		return 0;
	}
	return mc_queue_buf(&q, b->index, -1);
}

static void compare_stats(void)
{
	long long nb = (long long)(sb.no_buffer - sa.no_buffer);
	long long all = (long long)(sb.drops - sa.drops);

	if (!have_stats || !a_ok || !b_ok) {
		printf("note: %s, drop counter comparison skipped\n",
		       !stats[0] ? "no debugfs stats file" :
		       !have_stats ? "no drops_no_buffer in stats" :
		       "no exact snapshot point found");
		return;
	}
	printf("window: drops_no_buffer delta %lld, all drops_* delta %lld, "
	       "frames delta %llu, sequence gaps %lu\n", nb, all,
	       sb.frames - sa.frames, win_gaps);
	if (all != (long long)win_gaps)
		mc_fail(&chk, "drop counters delta %lld (no_buffer %lld) != "
			"sum of sequence gaps %lu (first seq %u)", all, nb,
			win_gaps, first_seq);
	else if (nb != all)
		printf("note: %lld drops not for lack of buffers\n", all - nb);
}

static int stream(void)
{
	long long deadline, left;
	struct v4l2_buffer b;
	struct pollfd pfd = { .fd = node.fd, .events = POLLIN };
	int ret;

	deadline = mc_now_us() + 10000000LL + nframes * 500000LL +
		   (nframes / period + 1) * (hold_ms * 1000LL);
	while (!finished) {
		left = (deadline - mc_now_us()) / 1000;
		if (left <= 0) {
			mc_fail(&chk, "timeout: %lu of %u frames", frames,
				nframes);
			return -1;
		}
		ret = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (ret < 0 && errno != EINTR) {
			perror("poll");
			return -1;
		}
		if (ret <= 0)
			continue;
		if (!(pfd.revents & POLLIN)) {
			mc_fail(&chk, "poll revents 0x%x", pfd.revents);
			return -1;
		}
		while (!finished && !(ret = mc_dequeue_buf(&q, &b)))
			if (process(&b) < 0)
				return -1;
		if (ret < 0) {
			mc_fail(&chk, "DQBUF failed");
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_pix_format pix;
	const struct mc_fmt *f;
	char delta[64] = "unchecked";
	unsigned int i;
	int opt, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "n:H:s:h")) != -1) {
		switch (opt) {
		case 'n': nframes = strtoul(optarg, NULL, 0); break;
		case 'H': hold_ms = strtoul(optarg, NULL, 0); break;
		case 's': snprintf(stats, sizeof(stats), "%s", optarg); break;
		default: usage();
		}
	}
	if (optind != argc - 1 || nframes < 8)
		usage();
	period = nframes / 4;
	ret = mc_node_open(&node, argv[optind]);
	if (ret) {
		printf("mcap-drops: SKIP: %s: %s\n", argv[optind], ret < 0 ?
		       strerror(errno) : "not a multicap capture node");
		return MC_EXIT_SKIP;
	}
	chk.label = node.name;
	chk.max_report = 10;
	if (mc_set_menu_ctrl(node.fd, V4L2_CID_TEST_PATTERN, MC_PATTERN) < 0) {
		printf("%s: cannot set test pattern \"%s\"\n", node.path,
		       MC_PATTERN);
		return MC_EXIT_FAIL;
	}
	ioctl(node.fd, VIDIOC_G_FMT, &fmt);
	f = mc_fmt_by_fourcc(fmt.fmt.pix.pixelformat);
	if (!f)
		f = mc_fmt_parse("YUYV");
	if (mc_set_format(node.fd, node.name, f, 0, &pix) ||
	    mc_queue_init(&q, node.fd, V4L2_MEMORY_MMAP, NBUFS, &pix, f,
			  NULL))
		return MC_EXIT_FAIL;
	for (i = 0; i < q.count; i++)
		if (mc_queue_buf(&q, i, -1))
			return MC_EXIT_FAIL;

	if (!stats[0] && mc_stats_path(&node, stats, sizeof(stats)))
		stats[0] = '\0';
	have_stats = stats[0] && !read_stats(&s0);
	printf("%s: channel %d, %s %ux%u, %u buffers, hold %u ms every %u "
	       "frames, stats %s\n", node.name, node.channel, f->name,
	       pix.width, pix.height, q.count, hold_ms, period,
	       have_stats ? stats : "-");

	if (mc_stream(node.fd, 1)) {
		perror("STREAMON");
		return MC_EXIT_FAIL;
	}
	ret = stream();
	mc_stream(node.fd, 0);
	mc_queue_free(&q);
	if (!ret)
		compare_stats();
	if (!holds)
		mc_fail(&chk, "no starvation happened");
	if (b_ok)
		snprintf(delta, sizeof(delta), "%lld (window gaps %lu)",
			 (long long)(sb.drops - sa.drops), win_gaps);
	printf("mcap-drops: %s: frames %lu, holds %lu, sequence gaps %lu, "
	       "drop counter delta %s, lines %lu, error-flagged %lu, "
	       "errors %lu\n", chk.errors ? "FAIL" : "PASS", frames, holds,
	       gaps, delta, chk.lines, errflag, chk.errors);
	mc_node_close(&node);
	return chk.errors ? MC_EXIT_FAIL : MC_EXIT_PASS;
}
