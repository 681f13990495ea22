/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common.h - the "Tagged Lines" frame checker of the multicap test tools
 *
 * The V4L2 helpers (nodes, formats, controls, buffer queues, time) are
 * tools/mcap-v4l2.h, shared with the user-facing tools; this adds what only
 * checks frames.
 *
 * Exit codes of all tools: 0 pass, 1 fail, 77 skip.
 */
#ifndef MC_COMMON_H
#define MC_COMMON_H

#include "mcap-v4l2.h"

#define MC_CANARY	0xa5

/* a little-endian 32-bit word, as the Tagged Lines tags hold them */
__u32 mc_le32(const unsigned char *p);

/* ---- checking --------------------------------------------------------- */

struct mc_check {
	const char *label;	/* e.g. "video3/ch1" */
	unsigned int max_report;
	unsigned int reported;
	unsigned long lines;	/* lines checked */
	unsigned long errors;
};

__attribute__((format(printf, 2, 3)))
void mc_fail(struct mc_check *c, const char *fmt, ...);
/*
 * Check every tagged line of a frame in @mem (@len bytes): magic, channel
 * (skipped if @channel < 0), frame number == @seq, line index, payload; and
 * if @canary >= 0 that padding and slack after sizeimage hold the canary.
 * Returns the number of errors found in this frame.
 */
unsigned long mc_check_frame(struct mc_check *c, const unsigned char *mem,
			     size_t len, const struct v4l2_pix_format *pix,
			     const struct mc_fmt *f, int channel, __u32 seq,
			     int canary);
/* One line of a frame, as mc_check_frame() checks it (padding unchecked). */
unsigned long mc_check_line(struct mc_check *c, const unsigned char *p,
			    unsigned int line, const struct v4l2_pix_format *pix,
			    const struct mc_fmt *f, int channel, __u32 seq);

#endif /* MC_COMMON_H */
