// SPDX-License-Identifier: GPL-2.0
/*
 * common.c - the "Tagged Lines" frame checker of the multicap test tools
 *
 * See common.h for the interface; the V4L2 helpers are tools/mcap-v4l2.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* ---- checking --------------------------------------------------------- */

void mc_fail(struct mc_check *c, const char *fmt, ...)
{
	va_list ap;

	c->errors++;
	if (c->reported > c->max_report)
		return;
	if (c->reported++ == c->max_report) {
		printf("%s: further mismatches not shown\n", c->label);
		return;
	}
	printf("%s: MISMATCH ", c->label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

__u32 mc_le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (__u32)p[3] << 24;
}

/* bytes k = k & 0xff for k < 256 + @len: expected payload is a window */
static const unsigned char *ramp(size_t len)
{
	static unsigned char *buf;
	static size_t size;
	unsigned char *n;
	size_t k;

	if (len + 256 <= size)
		return buf;
	n = realloc(buf, len + 256);
	if (!n) {
		perror("realloc");
		exit(MC_EXIT_FAIL);
	}
	buf = n;
	size = len + 256;
	for (k = 0; k < size; k++)
		buf[k] = k & 0xff;
	return buf;
}

static void check_line(struct mc_check *c, const unsigned char *p,
		       unsigned int line, unsigned int act, unsigned int bpl,
		       int channel, __u32 seq, int canary)
{
	unsigned int i, bad = 0, first = 0;
	unsigned char e, fe = 0, fg = 0;
	__u32 v;

	if (memcmp(p, "MCAP", 4))
		mc_fail(c, "seq %u line %u off 0: magic expected 4d434150 "
			"got %02x%02x%02x%02x", seq, line, p[0], p[1], p[2],
			p[3]);
	v = mc_le32(p + 4);
	if (channel >= 0 && v != (__u32)channel)
		mc_fail(c, "seq %u line %u off 4: channel expected %d got %u",
			seq, line, channel, v);
	v = mc_le32(p + 8);
	if (v != seq)
		mc_fail(c, "seq %u line %u off 8: frame expected %u got %u",
			seq, line, seq, v);
	v = mc_le32(p + 12);
	if (v != line)
		mc_fail(c, "seq %u line %u off 12: line expected %u got %u",
			seq, line, line, v);
	e = (unsigned char)(seq + line + MC_TAG_LEN);
	if (!memcmp(p + MC_TAG_LEN, ramp(act) + e, act - MC_TAG_LEN))
		goto padding;
	for (i = MC_TAG_LEN; i < act; i++, e++) {
		if (p[i] != e && !bad++) {
			first = i;
			fe = e;
			fg = p[i];
		}
	}
	if (bad)
		mc_fail(c, "seq %u line %u off %u: payload expected 0x%02x "
			"got 0x%02x (%u bad bytes in line)", seq, line, first,
			fe, fg, bad);
padding:
	if (canary < 0)
		return;
	bad = 0;
	for (i = act; i < bpl; i++) {
		if (p[i] != canary && !bad++) {
			first = i;
			fg = p[i];
		}
	}
	if (bad)
		mc_fail(c, "seq %u line %u off %u: padding expected 0x%02x "
			"got 0x%02x (%u bad bytes in padding)", seq, line,
			first, canary, fg, bad);
}

unsigned long mc_check_line(struct mc_check *c, const unsigned char *p,
			    unsigned int line, const struct v4l2_pix_format *pix,
			    const struct mc_fmt *f, int channel, __u32 seq)
{
	unsigned long before = c->errors;

	check_line(c, p, line, mc_fmt_active(f, pix->width), pix->bytesperline,
		   channel, seq, -1);
	c->lines++;
	return c->errors - before;
}

unsigned long mc_check_frame(struct mc_check *c, const unsigned char *mem,
			     size_t len, const struct v4l2_pix_format *pix,
			     const struct mc_fmt *f, int channel, __u32 seq,
			     int canary)
{
	unsigned long before = c->errors;
	unsigned int bpl = pix->bytesperline;
	unsigned int act = mc_fmt_active(f, pix->width);
	unsigned int n = mc_fmt_lines(f, pix->height), l;
	size_t i;

	if ((size_t)n * bpl > len || pix->sizeimage > len || act > bpl ||
	    act < MC_TAG_LEN) {
		mc_fail(c, "seq %u: bad geometry: %u lines x bpl %u, active %u,"
			" sizeimage %u, buffer %zu", seq, n, bpl, act,
			pix->sizeimage, len);
		return c->errors - before;
	}
	for (l = 0; l < n; l++, c->lines++)
		check_line(c, mem + (size_t)l * bpl, l, act, bpl, channel,
			   seq, canary);
	if (canary < 0)
		return c->errors - before;
	for (i = pix->sizeimage; i < len; i++) {
		if (mem[i] != canary) {
			mc_fail(c, "seq %u: slack after sizeimage off %zu: "
				"expected 0x%02x got 0x%02x", seq, i, canary,
				mem[i]);
			break;
		}
	}
	return c->errors - before;
}
