// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-rawcheck - check "Tagged Lines" frames another client captured
 *                 into a file (e.g. read() from the node with dd)
 *
 * Usage: mcap-rawcheck [-n FRAMES] [-p] FILE node
 *
 *   -n  the file must hold exactly FRAMES frames (default: any number
 *       above 0, the file a whole number of frames)
 *   -p  partial frames, as a network receiver that lost packets writes
 *       them (rtpvrawdepay keeps a frame's missing lines as the pool
 *       buffer held them): a line that does not carry the frame's tag is
 *       missing (counted, not an error); the frame number is the largest
 *       one tagged in the frame. A line with the frame's tag must still be
 *       exact, so with one packet a line every line received is checked.
 *
 * FILE holds frames back to back, sizeimage bytes each, in the node's
 * current format (G_FMT: the format belongs to the node, so it is the one
 * the capturing client used), captured with the test pattern "Tagged
 * Lines" (v4l2-ctl -c test_pattern=2). The frame number of each frame is
 * taken from its first line's tag; every line of the frame is then checked
 * like mcap-integrity does (common.c, mc_check_frame()): tag "MCAP",
 * channel (the node's sysfs index), that frame number, line index and
 * every payload byte (padding is not checked: read() returns whatever the
 * buffer held there). Frame numbers must strictly increase from frame to
 * frame (gaps are counted: dropped frames). The node is only queried.
 * Exit 0 pass, 1 fail, 77 skip (not a multicap node).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "common.h"

static void usage(void)
{
	fprintf(stderr, "usage: mcap-rawcheck [-n FRAMES] [-p] FILE node\n");
	exit(MC_EXIT_FAIL);
}

static __u32 tag_frame(const unsigned char *p)
{
	return p[8] | p[9] << 8 | p[10] << 16 | (__u32)p[11] << 24;
}

static __u32 tag_u32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (__u32)p[3] << 24;
}

/* line @l of @mem is tagged as line @l of channel @ch (any frame) */
static int tagged(const unsigned char *mem, unsigned int l, unsigned int bpl,
		  int ch)
{
	const unsigned char *p = mem + (size_t)l * bpl;

	return !memcmp(p, "MCAP", 4) && tag_u32(p + 4) == (__u32)ch &&
	       tag_u32(p + 12) == l;
}

/*
 * -p: the frame number of a partial frame (the largest tagged), and check
 * the lines carrying it; the others are missing. Returns the missing lines,
 * or -1 if no line is tagged at all.
 */
static long check_partial(struct mc_check *chk, const unsigned char *mem,
			  const struct v4l2_pix_format *pix,
			  const struct mc_fmt *f, int ch, __u32 *frame)
{
	unsigned int n = mc_fmt_lines(f, pix->height), l, found = 0;
	unsigned int bpl = pix->bytesperline;
	long missing = 0;
	__u32 max = 0;

	for (l = 0; l < n; l++) {
		if (!tagged(mem, l, bpl, ch))
			continue;
		if (!found++ || tag_frame(mem + (size_t)l * bpl) > max)
			max = tag_frame(mem + (size_t)l * bpl);
	}
	if (!found)
		return -1;
	for (l = 0; l < n; l++) {
		if (!tagged(mem, l, bpl, ch) ||
		    tag_frame(mem + (size_t)l * bpl) != max)
			missing++;
		else
			mc_check_line(chk, mem + (size_t)l * bpl, l, pix, f, ch,
				      max);
	}
	*frame = max;
	return missing;
}

int main(int argc, char **argv)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_pix_format *pix = &fmt.fmt.pix;
	unsigned long want = 0, nfr = 0, dropped = 0, missing = 0, partial = 0;
	int lossy = 0;
	long miss;
	const struct mc_fmt *f;
	struct mc_check chk = { .max_report = 10 };
	struct mc_node node;
	unsigned char *buf;
	__u32 frame, last = 0;
	const char *file;
	size_t got;
	FILE *fp;
	char s[5];
	int opt, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "n:ph")) != -1) {
		if (opt == 'n')
			want = strtoul(optarg, NULL, 0);
		else if (opt == 'p')
			lossy = 1;
		else
			usage();
	}
	if (optind != argc - 2)
		usage();
	file = argv[optind];
	ret = mc_node_open(&node, argv[optind + 1]);
	if (ret) {
		printf("mcap-rawcheck: SKIP: %s: %s\n", argv[optind + 1],
		       ret < 0 ? strerror(errno) : "not a multicap capture node");
		return MC_EXIT_SKIP;
	}
	if (ioctl(node.fd, VIDIOC_G_FMT, &fmt)) {
		printf("%s: G_FMT: %s\n", node.path, strerror(errno));
		return MC_EXIT_FAIL;
	}
	f = mc_fmt_by_fourcc(pix->pixelformat);
	if (!f || !pix->sizeimage) {
		printf("%s: format %s, sizeimage %u: not one of the card's\n",
		       node.path, mc_fourcc_str(pix->pixelformat, s),
		       pix->sizeimage);
		return MC_EXIT_FAIL;
	}
	chk.label = node.name;
	buf = malloc(pix->sizeimage);
	fp = fopen(file, "rb");
	if (!buf || !fp) {
		printf("%s: %s\n", file, strerror(errno));
		return MC_EXIT_FAIL;
	}
	printf("%s: %s, channel %d, %s %ux%u, bytesperline %u, sizeimage %u\n",
	       file, node.name, node.channel, f->name, pix->width, pix->height,
	       pix->bytesperline, pix->sizeimage);
	while ((got = fread(buf, 1, pix->sizeimage, fp)) > 0) {
		if (got < pix->sizeimage) {
			mc_fail(&chk, "frame %lu: only %zu of %u bytes (the "
				"file is not whole frames)", nfr, got,
				pix->sizeimage);
			break;
		}
		miss = 0;
		frame = tag_frame(buf);
		if (lossy) {
			miss = check_partial(&chk, buf, pix, f, node.channel,
					     &frame);
			if (miss < 0) {
				mc_fail(&chk, "frame %lu: no line tagged as "
					"channel %d's", nfr, node.channel);
				break;
			}
			missing += miss;
			partial += miss > 0;
		}
		if (nfr && frame <= last)
			mc_fail(&chk, "frame %lu: frame number %u not above the "
				"previous %u (stale or repeated frame)", nfr,
				frame, last);
		else if (nfr)
			dropped += frame - last - 1;
		if (!lossy)
			mc_check_frame(&chk, buf, pix->sizeimage, pix, f,
				       node.channel, frame, -1);
		printf("  frame %lu: frame number %u", nfr, frame);
		printf(miss ? ", %ld lines missing\n" : "\n", miss);
		last = frame;
		nfr++;
	}
	fclose(fp);
	free(buf);
	if (!nfr || (want && nfr != want))
		mc_fail(&chk, "%lu frames in %s, expected %lu", nfr, file,
			want ? want : 1);
	printf("mcap-rawcheck: %s: %s: frames %lu, lines %lu, dropped %lu, ",
	       chk.errors ? "FAIL" : "PASS", file, nfr, chk.lines, dropped);
	if (lossy)
		printf("missing %lu in %lu frames, ", missing, partial);
	printf("errors %lu\n", chk.errors);
	mc_node_close(&node);
	return chk.errors ? MC_EXIT_FAIL : MC_EXIT_PASS;
}
