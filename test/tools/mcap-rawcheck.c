// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-rawcheck - check "Tagged Lines" frames another client captured
 *                 into a file (e.g. read() from the node with dd)
 *
 * Usage: mcap-rawcheck [-n FRAMES] FILE node
 *
 *   -n  the file must hold exactly FRAMES frames (default: any number
 *       above 0, the file a whole number of frames)
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
	fprintf(stderr, "usage: mcap-rawcheck [-n FRAMES] FILE node\n");
	exit(MC_EXIT_FAIL);
}

static __u32 tag_frame(const unsigned char *p)
{
	return p[8] | p[9] << 8 | p[10] << 16 | (__u32)p[11] << 24;
}

int main(int argc, char **argv)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_pix_format *pix = &fmt.fmt.pix;
	unsigned long want = 0, nfr = 0, dropped = 0;
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
	while ((opt = getopt(argc, argv, "n:h")) != -1) {
		if (opt == 'n')
			want = strtoul(optarg, NULL, 0);
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
		frame = tag_frame(buf);
		if (nfr && frame <= last)
			mc_fail(&chk, "frame %lu: frame number %u not above the "
				"previous %u (stale or repeated frame)", nfr,
				frame, last);
		else if (nfr)
			dropped += frame - last - 1;
		mc_check_frame(&chk, buf, pix->sizeimage, pix, f, node.channel,
			       frame, -1);
		printf("  frame %lu: frame number %u\n", nfr, frame);
		last = frame;
		nfr++;
	}
	fclose(fp);
	free(buf);
	if (!nfr || (want && nfr != want))
		mc_fail(&chk, "%lu frames in %s, expected %lu", nfr, file,
			want ? want : 1);
	printf("mcap-rawcheck: %s: %s: frames %lu, lines %lu, dropped %lu, "
	       "errors %lu\n", chk.errors ? "FAIL" : "PASS", file, nfr,
	       chk.lines, dropped, chk.errors);
	mc_node_close(&node);
	return chk.errors ? MC_EXIT_FAIL : MC_EXIT_PASS;
}
