// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-drops - starve a multicap channel of buffers and check that dropped
 *              frames are accounted for and never delivered stale
 *
 * Usage: mcap-drops [-n FRAMES] [-H HOLD_MS] [-i mmap|userptr] [-c]
 *                   [-s STATS_FILE] node
 *
 *   -n  frames to receive (default 60, at least 8)
 *   -H  how long all buffers are held per starvation, ms (default 300)
 *   -i  memory type (default mmap)
 *   -c  canary in held buffers: every buffer the application holds
 *       (dequeued, not requeued) is filled with 0x3c at once and checked
 *       byte for byte just before it is queued again; a byte changed means
 *       the card wrote a buffer that was not queued
 *   -s  debugfs stats file (default
 *       /sys/kernel/debug/multicap/<parent-dev>/ch<N>/stats, or the only
 *       /sys/kernel/debug/multicap/{*}/ch<N>/stats)
 *
 * Sets "Tagged Lines", keeps the current format (YUYV if unknown) with
 * packed lines, streams with 4 buffers and every FRAMES/4 frames stops
 * requeueing until all buffers are held, holds them HOLD_MS, then requeues
 * them all. While it stops requeueing, the buffers dequeued so far are held
 * as the card fills the others; then it holds them all, and the card, with
 * no buffer, drops frames. Checks:
 *  - every delivered frame: full tagged-line check, in particular the
 *    tagged frame number == v4l2 sequence (a frame captured before the
 *    starvation must never be delivered with a later sequence);
 *  - sequence and timestamp strictly increasing; the first frame after a
 *    hold has a timestamp later than the start of the hold, and a sequence
 *    gap (frames were dropped while starved);
 *  - drop accounting, exact: after the last of FRAMES frames it stops
 *    requeueing and dequeues every buffer still queued. With all buffers
 *    held nothing can complete, so the debugfs stats stand still (the
 *    driver counts drops when the next frame completes), and they must
 *    cover exactly this stream: the delta since before STREAMON of the
 *    "frames:" counter equals the good frames dequeued, and the delta of
 *    the drop counters (drops_no_buffer plus every other "drops_*" key)
 *    equals the sequence numbers 0 .. last that no good frame carried
 *    (sequence restarts at 0 at STREAMON). Then it requeues, takes one
 *    more frame (the gap before it, the frames dropped meanwhile, is
 *    counted by the driver then, so the no-buffer drops of driver and card
 *    agree afterwards) and stops. No stats file, or one without these
 *    keys, is a failure: the comparison is never skipped;
 *  - with -c, the canary of every held buffer, at every requeue; and that
 *    some were checked.
 * Exit 0 pass, 1 fail, 77 skip (no multicap node, or -i userptr and the
 * driver does not take USERPTR buffers).
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
#define HELD_CANARY	0x3c	/* not MC_CANARY: told apart from padding */

struct snap {
	unsigned long long no_buffer, drops, frames;
	int has_frames;
};

static struct mc_queue q;
static struct mc_check chk;
static struct mc_node node;
static unsigned int nframes = 60, hold_ms = 300, period;
static char stats[256];

static struct snap s0, sb;	/* before STREAMON, all buffers held at the end */
static unsigned long frames, dequeued, errflag, gaps, holds;
static __u32 last_seq, first_seq;
static long long last_ts, first_ts, hold_start;
static int have_last, after_hold, draining, finished;
/* the end: 1 draining the queue, 2 requeued after the snapshot */
static int ending, snap_ok;
static __u32 snap_seq;		/* last sequence before the snapshot */
static unsigned long snap_frames, snap_dequeued;
static long long resume_ts;
static unsigned long since;
/* -c: buffers held with the canary in them; checks done, bytes checked */
static int canary;
static int held[MC_MAX_BUFS];
static unsigned long held_checks;
static unsigned long long held_bytes;

static void __attribute__((noreturn)) usage(int rc)
{
	fprintf(rc ? stderr : stdout, "usage: mcap-drops [-n FRAMES] "
		"[-H HOLD_MS] [-i mmap|userptr] [-c] [-s STATS_FILE] node\n"
		"(see the header of test/tools/mcap-drops.c)\n");
	exit(rc);
}

/* -c: the application keeps buffer @i: fill it with the canary */
static void hold_buf(unsigned int i)
{
	if (!canary)
		return;
	memset(q.buf[i].mem, HELD_CANARY, q.buf[i].len);
	held[i] = 1;
}

/*
 * -c: before the held buffers are queued again, every byte must still be
 * the canary: the card may write only buffers that are queued.
 */
static void check_held(const char *when)
{
	unsigned int i;
	size_t k, first, changed;

	for (i = 0; i < q.count; i++) {
		if (!held[i])
			continue;
		held[i] = 0;
		held_checks++;
		held_bytes += q.buf[i].len;
		changed = 0;
		first = 0;
		for (k = 0; k < q.buf[i].len; k++)
			if (q.buf[i].mem[k] != HELD_CANARY && !changed++)
				first = k;
		if (changed)
			mc_fail(&chk, "buffer %u written while the application "
				"held it (%s, last seq %u): %zu of %zu bytes "
				"changed, the first at %zu (0x%02x, canary "
				"0x%02x)", i, when, last_seq, changed,
				q.buf[i].len, first, q.buf[i].mem[first],
				HELD_CANARY);
	}
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
	return found && s->has_frames ? 0 : -1;
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
	check_held("starved");
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

/*
 * Every buffer is held: nothing can complete, so the counters stand still
 * and cover every frame of the stream up to the last one dequeued. Take
 * them, then requeue everything for one last frame.
 */
static void end_snapshot(void)
{
	unsigned int i;

	if (read_stats(&sb))
		mc_fail(&chk, "cannot read drops_no_buffer and frames from %s "
			"after the last frame", stats);
	else
		snap_ok = 1;
	snap_seq = last_seq;
	snap_frames = frames;
	snap_dequeued = dequeued;
	ending = 2;
	check_held("at the end");
	resume_ts = mc_now_us();
	for (i = 0; i < q.count; i++)
		if (mc_queue_buf(&q, i, -1))
			mc_fail(&chk, "requeue after the snapshot failed");
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
	} else {
		first_seq = seq;
		first_ts = ts;
	}
	if (ending == 2 && ts <= resume_ts)
		mc_fail(&chk, "seq %u: timestamp %lld us not after the requeue "
			"at %lld us (stale frame?)", seq, ts, resume_ts);
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

	if (ending == 2)	/* the frame after the snapshot: done */
		return finished = 1;
	if (draining) {
		hold_buf(b->index);
		if (all_held())
			hold_all();
		return 0;
	}
	if (ending || frames >= nframes) {
		ending = 1;
		hold_buf(b->index);
		if (all_held())
			end_snapshot();
		return 0;
	}
	if (since >= period && frames + period / 2 < nframes) {
		draining = 1;
		hold_buf(b->index);
		if (all_held())
			hold_all();
		return 0;
	}
	return mc_queue_buf(&q, b->index, -1);
}

/*
 * Sequence numbers 0 .. snap_seq: each is a good frame dequeued or a frame
 * the driver counted as dropped (no buffer, overflow, chunk error, stall).
 */
static void compare_stats(void)
{
	long long nb = (long long)(sb.no_buffer - s0.no_buffer);
	long long all = (long long)(sb.drops - s0.drops);
	long long fr = (long long)(sb.frames - s0.frames);
	long long missing = (long long)snap_seq + 1 - (long long)snap_frames;

	if (!snap_ok)
		return;		/* failed in end_snapshot() */
	printf("stream up to seq %u: %lu good frames dequeued, %lld sequence "
	       "numbers without one; counters: frames delta %lld, all "
	       "drops_* delta %lld (drops_no_buffer %lld)\n", snap_seq,
	       snap_frames, missing, fr, all, nb);
	if (fr != (long long)snap_frames)
		mc_fail(&chk, "frames counter delta %lld != %lu good frames "
			"dequeued (%lu buffers)", fr, snap_frames,
			snap_dequeued);
	if (all != missing)
		mc_fail(&chk, "drop counters delta %lld (no_buffer %lld) != "
			"%lld frames missing from sequence 0..%u", all, nb,
			missing, snap_seq);
	else if (nb != all)
		printf("note: %lld drops not for lack of buffers\n", all - nb);
}

static int stream(void)
{
	long long deadline, left;
	struct v4l2_buffer b;
	struct pollfd pfd = { .fd = node.fd, .events = POLLIN };
	int ret;

	deadline = mc_now_us() + 10000000LL + (nframes + 8) * 500000LL +
		   (nframes / period + 1) * (hold_ms * 1000LL);
	while (!finished) {
		left = (deadline - mc_now_us()) / 1000;
		if (left <= 0) {
			mc_fail(&chk, "timeout: %lu of %u frames%s", frames,
				nframes, ending == 2 ?
				", none after the snapshot" : "");
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
	char delta[64] = "unchecked", held_txt[96] = "";
	__u32 memory = V4L2_MEMORY_MMAP;
	unsigned int i;
	int opt, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "n:H:i:cs:h")) != -1) {
		switch (opt) {
		case 'n': nframes = strtoul(optarg, NULL, 0); break;
		case 'H': hold_ms = strtoul(optarg, NULL, 0); break;
		case 'i':
			if (!strcmp(optarg, "mmap")) {
				memory = V4L2_MEMORY_MMAP;
			} else if (!strcmp(optarg, "userptr")) {
				memory = V4L2_MEMORY_USERPTR;
			} else {
				fprintf(stderr, "mcap-drops: -i %s: expected "
					"mmap or userptr\n", optarg);
				usage(MC_EXIT_FAIL);
			}
			break;
		case 'c': canary = 1; break;
		case 's': snprintf(stats, sizeof(stats), "%s", optarg); break;
		case 'h': usage(MC_EXIT_PASS);
		default: usage(MC_EXIT_FAIL);
		}
	}
	if (nframes < 8) {
		fprintf(stderr, "mcap-drops: -n %u: at least 8 frames\n",
			nframes);
		usage(MC_EXIT_FAIL);
	}
	if (optind != argc - 1) {
		fprintf(stderr, "mcap-drops: expected one node, got %d\n",
			argc - optind);
		usage(MC_EXIT_FAIL);
	}
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
	if (mc_set_format(node.fd, node.name, f, 0, &pix))
		return MC_EXIT_FAIL;
	ret = mc_queue_init(&q, node.fd, memory, NBUFS, &pix, f, NULL);
	if (ret == -2) {
		printf("mcap-drops: SKIP: %s: the driver does not take %s "
		       "buffers\n", node.path, memory == V4L2_MEMORY_MMAP ?
		       "MMAP" : "USERPTR");
		return MC_EXIT_SKIP;
	}
	if (ret)
		return MC_EXIT_FAIL;
	for (i = 0; i < q.count; i++)
		if (mc_queue_buf(&q, i, -1))
			return MC_EXIT_FAIL;

	if (!stats[0] && mc_stats_path(&node, stats, sizeof(stats)))
		stats[0] = '\0';
	printf("%s: channel %d, %s %ux%u, %u %s buffers, hold %u ms every %u "
	       "frames, canary in held buffers %s, stats %s\n", node.name,
	       node.channel, f->name, pix.width, pix.height, q.count,
	       memory == V4L2_MEMORY_MMAP ? "MMAP" : "USERPTR", hold_ms,
	       period, canary ? "on" : "off", stats[0] ? stats : "-");
	if (!stats[0] || read_stats(&s0)) {
		printf("mcap-drops: FAIL: no debugfs stats with drops_no_buffer "
		       "and frames (%s): the drop counters cannot be compared "
		       "(root, debugfs mounted, or -s)\n",
		       stats[0] ? stats : "none found");
		return MC_EXIT_FAIL;
	}

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
	if (canary && !held_checks)
		mc_fail(&chk, "no held buffer was checked");
	if (snap_ok)
		snprintf(delta, sizeof(delta), "%lld (missing %lld)",
			 (long long)(sb.drops - s0.drops),
			 (long long)snap_seq + 1 - (long long)snap_frames);
	if (canary)
		snprintf(held_txt, sizeof(held_txt), ", held buffers checked "
			 "%lu (%llu bytes)", held_checks, held_bytes);
	printf("mcap-drops: %s: frames %lu, holds %lu, sequence gaps %lu, "
	       "drop counter delta %s, lines %lu, error-flagged %lu%s, "
	       "errors %lu\n", chk.errors ? "FAIL" : "PASS", frames, holds,
	       gaps, delta, chk.lines, errflag, held_txt, chk.errors);
	mc_node_close(&node);
	return chk.errors ? MC_EXIT_FAIL : MC_EXIT_PASS;
}
