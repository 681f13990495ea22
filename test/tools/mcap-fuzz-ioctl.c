// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-fuzz-ioctl.c - mcap-fuzz's calls of the ioctls multicap implements
 *
 * QUERYCAP, formats, stream parameters, frame sizes and intervals, inputs,
 * DV timings, controls, events, priority and LOG_STATUS: each with a mix
 * of well-formed, boundary and random arguments, and each answer checked
 * against what the argument allows (the buffer ioctls are in
 * mcap-fuzz-queue.c).
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/ioctl.h>
#include <linux/v4l2-dv-timings.h>

#include "mcap-fuzz.h"

void refresh_fmt(struct fz_node *n, int fd)
{
	struct v4l2_format f = { .type = CAP };

	if (!ioctl(fd, VIDIOC_G_FMT, &f))
		n->pix = f.fmt.pix;
}

void op_querycap(struct fz_node *n, int *fd)
{
	struct v4l2_capability c;
	__u32 need = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING |
		     V4L2_CAP_READWRITE;

	rndfill(&c, sizeof(c));
	if (xioctl(n, *fd, OP_QUERYCAP, VIDIOC_QUERYCAP, &c))
		fz_warn(n, OP_QUERYCAP, "failed: %m");
	else if ((c.device_caps & need) != need || strcmp((char *)c.driver, MC_DRIVER))
		fz_warn(n, OP_QUERYCAP, "driver %.16s device_caps 0x%08x",
			(char *)c.driver, c.device_caps);
}

/* ---- formats ---------------------------------------------------------- */

void fill_pix(struct fz_node *n, struct v4l2_pix_format *pix)
{
	const struct mc_fmt *f = &mc_formats[rnd(mc_nformats)];
	unsigned int packed;

	rndfill(pix, sizeof(*pix));
	switch (rnd(10)) {
	case 0: pix->pixelformat = bval(); break;
	case 1: pix->pixelformat = V4L2_PIX_FMT_MJPEG; break;
	default: pix->pixelformat = f->fourcc; break;
	}
	pix->width = rnd(2) ? n->pix.width : bval();
	pix->height = rnd(2) ? n->pix.height : bval();
	packed = n->pix.width * f->bpp;
	switch (rnd(10)) {
	case 0: case 1: case 2: pix->bytesperline = 0; break;
	case 3: pix->bytesperline = packed; break;
	case 4: pix->bytesperline = packed + rnd(256); break;
	case 5: pix->bytesperline = packed - 1; break;
	case 6: pix->bytesperline = 65536 + rnd(2); break;
	case 7: pix->bytesperline = packed + 1; break;
	default: pix->bytesperline = bval(); break;
	}
	if (rnd(2))
		pix->field = rnd(2) ? V4L2_FIELD_NONE : V4L2_FIELD_ANY;
	if (rnd(2))
		pix->priv = rnd(2) ? 0 : V4L2_PIX_FMT_PRIV_MAGIC;
}

static void check_pix(struct fz_node *n, int op, const struct v4l2_pix_format *p)
{
	const struct mc_fmt *f = mc_fmt_by_fourcc(p->pixelformat);
	unsigned int packed;

	if (!f) {
		fz_warn(n, op, "returned unsupported pixelformat 0x%08x",
			p->pixelformat);
		return;
	}
	packed = p->width * f->bpp;
	if (!p->width || !p->height || p->field != V4L2_FIELD_NONE ||
	    p->bytesperline < packed ||
	    p->bytesperline > (packed > 65536 ? packed : 65536) ||
	    p->sizeimage != mc_fmt_sizeimage(f, p->bytesperline, p->height))
		fz_warn(n, op, "returned impossible format %ux%u field %u bpl %u size %u",
			p->width, p->height, p->field, p->bytesperline,
			p->sizeimage);
}

void op_enum_fmt(struct fz_node *n, int *fd)
{
	struct v4l2_fmtdesc d;
	int r;

	rndfill(&d, sizeof(d));
	d.index = rnd(2) ? rnd(10) : bval();
	d.type = rnd_type();
	if (rnd(2))
		d.mbus_code = 0;
	r = xioctl(n, *fd, OP_ENUM_FMT, VIDIOC_ENUM_FMT, &d);
	if (d.type == CAP && d.index < mc_nformats && r)
		fz_warn(n, OP_ENUM_FMT, "index %u failed: %m", d.index);
	if (d.index >= mc_nformats)
		must_fail(n, OP_ENUM_FMT, r, "index out of range");
}

void op_g_fmt(struct fz_node *n, int *fd)
{
	struct v4l2_format f;
	int r;

	rndfill(&f, sizeof(f));
	f.type = rnd_type();
	r = xioctl(n, *fd, OP_G_FMT, VIDIOC_G_FMT, &f);
	if (f.type == CAP) {
		if (r)
			fz_warn(n, OP_G_FMT, "failed: %m");
		else
			n->pix = f.fmt.pix;
	} else {
		must_fail(n, OP_G_FMT, r, "a foreign buffer type");
	}
}

static void op_s_try_fmt(struct fz_node *n, int *fd, int op)
{
	struct v4l2_format f;
	int r;

	rndfill(&f, sizeof(f));
	f.type = rnd_type();
	fill_pix(n, &f.fmt.pix);
	r = xioctl(n, *fd, op, op == OP_S_FMT ? VIDIOC_S_FMT : VIDIOC_TRY_FMT, &f);
	if (f.type != CAP) {
		must_fail(n, op, r, "a foreign buffer type");
		return;
	}
	if (r) {
		if (op == OP_TRY_FMT)
			fz_warn(n, op, "failed: %m");
		return;
	}
	check_pix(n, op, &f.fmt.pix);
	if (op == OP_S_FMT)
		n->pix = f.fmt.pix;
}

void op_s_fmt(struct fz_node *n, int *fd) { op_s_try_fmt(n, fd, OP_S_FMT); }
void op_try_fmt(struct fz_node *n, int *fd) { op_s_try_fmt(n, fd, OP_TRY_FMT); }

/* ---- parm, enum, input ------------------------------------------------ */

void op_g_parm(struct fz_node *n, int *fd)
{
	struct v4l2_streamparm p;
	int r;

	rndfill(&p, sizeof(p));
	p.type = rnd_type();
	r = xioctl(n, *fd, OP_G_PARM, VIDIOC_G_PARM, &p);
	if (p.type == CAP && r)
		fz_warn(n, OP_G_PARM, "failed: %m");
}

void op_s_parm(struct fz_node *n, int *fd)
{
	struct v4l2_streamparm p;
	int r;

	rndfill(&p, sizeof(p));
	p.type = rnd_type();
	switch (rnd(4)) {
	case 0:
		break;
	case 1:
		p.parm.capture.timeperframe.numerator = bval();
		p.parm.capture.timeperframe.denominator = bval();
		break;
	default:
		p.parm.capture.timeperframe.numerator = 1 + rnd(4);
		p.parm.capture.timeperframe.denominator = 1 + rnd(120);
		break;
	}
	r = xioctl(n, *fd, OP_S_PARM, VIDIOC_S_PARM, &p);
	if (p.type != CAP)
		must_fail(n, OP_S_PARM, r, "a foreign buffer type");
	else if (!r && (!p.parm.capture.timeperframe.numerator ||
			!p.parm.capture.timeperframe.denominator))
		fz_warn(n, OP_S_PARM, "returned timeperframe %u/%u",
			p.parm.capture.timeperframe.numerator,
			p.parm.capture.timeperframe.denominator);
}

void op_enum_framesizes(struct fz_node *n, int *fd)
{
	struct v4l2_frmsizeenum s;
	int r;

	rndfill(&s, sizeof(s));
	s.index = rnd(2) ? rnd(3) : bval();
	s.pixel_format = rnd(4) ? mc_formats[rnd(mc_nformats)].fourcc : bval();
	r = xioctl(n, *fd, OP_ENUM_FRAMESIZES, VIDIOC_ENUM_FRAMESIZES, &s);
	if (s.index)
		must_fail(n, OP_ENUM_FRAMESIZES, r, "index > 0");
}

void op_enum_frameintervals(struct fz_node *n, int *fd)
{
	struct v4l2_frmivalenum f;
	int r;

	rndfill(&f, sizeof(f));
	f.index = rnd(2) ? rnd(20) : bval();
	f.pixel_format = rnd(4) ? mc_formats[rnd(mc_nformats)].fourcc : bval();
	f.width = rnd(4) ? n->pix.width : bval();
	f.height = rnd(4) ? n->pix.height : bval();
	r = xioctl(n, *fd, OP_ENUM_FRAMEINTERVALS, VIDIOC_ENUM_FRAMEINTERVALS, &f);
	if (!r && (f.type != V4L2_FRMIVAL_TYPE_DISCRETE ||
		   !f.discrete.numerator || !f.discrete.denominator))
		fz_warn(n, OP_ENUM_FRAMEINTERVALS, "type %u interval %u/%u", f.type,
			f.discrete.numerator, f.discrete.denominator);
}

void op_enuminput(struct fz_node *n, int *fd)
{
	struct v4l2_input in;
	int r;

	rndfill(&in, sizeof(in));
	in.index = rnd(2) ? rnd(3) : bval();
	r = xioctl(n, *fd, OP_ENUMINPUT, VIDIOC_ENUMINPUT, &in);
	if (in.index)
		must_fail(n, OP_ENUMINPUT, r, "index > 0");
	else if (r)
		fz_warn(n, OP_ENUMINPUT, "input 0: %m");
}

void op_g_input(struct fz_node *n, int *fd)
{
	int i = bval();

	if (xioctl(n, *fd, OP_G_INPUT, VIDIOC_G_INPUT, &i) || i)
		fz_warn(n, OP_G_INPUT, "input %d: %m", i);
}

void op_s_input(struct fz_node *n, int *fd)
{
	int i = rnd(2) ? 0 : bval();

	if (!xioctl(n, *fd, OP_S_INPUT, VIDIOC_S_INPUT, &i) && i)
		fz_warn(n, OP_S_INPUT, "input %d accepted", i);
}

/* ---- DV timings ------------------------------------------------------- */

void op_g_dv_timings(struct fz_node *n, int *fd)
{
	struct v4l2_dv_timings t;

	rndfill(&t, sizeof(t));
	if (xioctl(n, *fd, OP_G_DV_TIMINGS, VIDIOC_G_DV_TIMINGS, &t))
		fz_warn(n, OP_G_DV_TIMINGS, "failed: %m");
}

void op_query_dv_timings(struct fz_node *n, int *fd)
{
	struct v4l2_dv_timings t;

	rndfill(&t, sizeof(t));
	xioctl(n, *fd, OP_QUERY_DV_TIMINGS, VIDIOC_QUERY_DV_TIMINGS, &t);
}

void op_s_dv_timings(struct fz_node *n, int *fd)
{
	struct v4l2_enum_dv_timings e = { .index = rnd(64) };
	struct v4l2_dv_timings t = n->home;
	int r, odd = 0;

	switch (rnd(10)) {
	case 0: case 1: case 2: case 3:
		break;			/* home: usually a no-op */
	case 4:				/* a standard mode (may be large) */
		if (rnd(4) || ioctl(*fd, VIDIOC_ENUM_DV_TIMINGS, &e))
			break;
		t = e.timings;
		break;
	case 5:				/* home, slightly off */
		t.bt.width += rnd(2) ? 2 : 1;
		t.bt.height += rnd(2) ? 2 : 1;
		break;
	case 6:
		t.bt.pixelclock = rnd(2) ? rnd64() : t.bt.pixelclock / 2;
		t.bt.interlaced = rnd(2);
		t.bt.polarities = bval();
		t.bt.flags = bval();
		break;
	case 7:
		t.type = bval();
		break;
	default:
		rndfill(&t, sizeof(t));
		if (rnd(2)) {
			t.type = V4L2_DV_BT_656_1120;
			t.bt.width = bval() & 0x1fff;
			t.bt.height = bval() & 0xfff;
		}
		break;
	}
	odd = (t.bt.width & 1) || (t.bt.height & 1);
	r = xioctl(n, *fd, OP_S_DV_TIMINGS, VIDIOC_S_DV_TIMINGS, &t);
	if (odd)
		must_fail(n, OP_S_DV_TIMINGS, r, "an odd size");
	if (t.type != V4L2_DV_BT_656_1120)
		must_fail(n, OP_S_DV_TIMINGS, r, "an unknown type");
	if (!r)
		refresh_fmt(n, *fd);
}

void op_enum_dv_timings(struct fz_node *n, int *fd)
{
	struct v4l2_enum_dv_timings e;
	int r;

	rndfill(&e, sizeof(e));
	e.index = rnd(2) ? rnd(80) : bval();
	e.pad = rnd(4) ? 0 : bval();
	if (rnd(2))
		memset(e.reserved, 0, sizeof(e.reserved));
	r = xioctl(n, *fd, OP_ENUM_DV_TIMINGS, VIDIOC_ENUM_DV_TIMINGS, &e);
	if (!r && (e.timings.bt.width > 4096 || e.timings.bt.height > 2160))
		fz_warn(n, OP_ENUM_DV_TIMINGS, "%ux%u beyond DV_TIMINGS_CAP",
			e.timings.bt.width, e.timings.bt.height);
}

void op_dv_timings_cap(struct fz_node *n, int *fd)
{
	struct v4l2_dv_timings_cap c;

	rndfill(&c, sizeof(c));
	c.pad = rnd(4) ? 0 : bval();
	xioctl(n, *fd, OP_DV_TIMINGS_CAP, VIDIOC_DV_TIMINGS_CAP, &c);
}

/* ---- controls --------------------------------------------------------- */

static __u32 rnd_cid(void)
{
	static const __u32 ids[] = {
		V4L2_CID_DV_RX_POWER_PRESENT, V4L2_CID_DV_RX_RGB_RANGE,
		V4L2_CID_TEST_PATTERN, V4L2_CID_BRIGHTNESS, V4L2_CID_USER_CLASS,
		V4L2_CID_DV_CLASS, V4L2_CID_IMAGE_PROC_CLASS, V4L2_CID_BASE,
		V4L2_CID_PRIVATE_BASE, V4L2_CID_DV_RX_IT_CONTENT_TYPE, 0,
		0xffffffff,
	};
	__u32 id = ids[rnd(sizeof(ids) / sizeof(ids[0]))];

	if (chance(8))
		id = bval();
	if (chance(4))
		id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	if (chance(8))
		id |= V4L2_CTRL_FLAG_NEXT_COMPOUND;
	return id;
}

static __s32 rnd_ctrl_val(void)
{
	return rnd(2) ? (__s32)rnd(4) - 1 : (__s32)bval();
}

static void op_ext_ctrls(struct fz_node *n, int *fd, int op)
{
	static const __u32 which[] = {
		V4L2_CTRL_WHICH_CUR_VAL, V4L2_CTRL_WHICH_DEF_VAL,
		V4L2_CTRL_WHICH_REQUEST_VAL, V4L2_CTRL_CLASS_DV,
		V4L2_CTRL_CLASS_IMAGE_PROC, V4L2_CTRL_CLASS_USER,
		V4L2_CTRL_CLASS_CAMERA,
	};
	static const unsigned long req[] = {
		[OP_G_EXT_CTRLS] = VIDIOC_G_EXT_CTRLS,
		[OP_S_EXT_CTRLS] = VIDIOC_S_EXT_CTRLS,
		[OP_TRY_EXT_CTRLS] = VIDIOC_TRY_EXT_CTRLS,
	};
	struct v4l2_ext_controls c;
	__u32 i, fill;

	rndfill(&c, sizeof(c));
	c.which = rnd(8) ? which[rnd(sizeof(which) / sizeof(which[0]))] : bval();
	switch (rnd(8)) {
	case 0: c.count = 0; break;
	case 1: c.count = rnd(2) ? 1024 + rnd(2) : NCTRLS; break;
	case 2: c.count = bval(); break;
	default: c.count = 1 + rnd(4); break;
	}
	if (c.which != V4L2_CTRL_WHICH_REQUEST_VAL || rnd(2))
		c.request_fd = rnd(4) ? 0 : bval();
	memset(c.reserved, 0, sizeof(c.reserved));
	fill = c.count < NCTRLS ? c.count : NCTRLS;
	for (i = 0; i < fill; i++) {
		memset(&ctrls[i], 0, sizeof(ctrls[i]));
		ctrls[i].id = rnd_cid() & ~(V4L2_CTRL_FLAG_NEXT_CTRL |
					    (rnd(8) ? V4L2_CTRL_FLAG_NEXT_COMPOUND : 0));
		ctrls[i].value = rnd_ctrl_val();
		if (chance(8))
			ctrls[i].size = bval();
		if (chance(16))
			ctrls[i].reserved2[0] = bval();
	}
	c.controls = chance(20) && c.count ? bad_ptr(sizeof(ctrls[0]) * c.count) :
		     ctrls;
	xioctl(n, *fd, op, req[op], &c);
}

void op_g_ext_ctrls(struct fz_node *n, int *fd) { op_ext_ctrls(n, fd, OP_G_EXT_CTRLS); }
void op_s_ext_ctrls(struct fz_node *n, int *fd) { op_ext_ctrls(n, fd, OP_S_EXT_CTRLS); }
void op_try_ext_ctrls(struct fz_node *n, int *fd) { op_ext_ctrls(n, fd, OP_TRY_EXT_CTRLS); }

void op_queryctrl(struct fz_node *n, int *fd)
{
	struct v4l2_queryctrl q;

	rndfill(&q, sizeof(q));
	q.id = rnd_cid();
	xioctl(n, *fd, OP_QUERYCTRL, VIDIOC_QUERYCTRL, &q);
}

void op_query_ext_ctrl(struct fz_node *n, int *fd)
{
	struct v4l2_query_ext_ctrl q;

	rndfill(&q, sizeof(q));
	q.id = rnd_cid();
	if (rnd(2))
		memset(q.reserved, 0, sizeof(q.reserved));
	xioctl(n, *fd, OP_QUERY_EXT_CTRL, VIDIOC_QUERY_EXT_CTRL, &q);
}

void op_querymenu(struct fz_node *n, int *fd)
{
	struct v4l2_querymenu q;

	rndfill(&q, sizeof(q));
	q.id = rnd_cid() & ~V4L2_CTRL_FLAG_NEXT_CTRL;
	q.index = rnd(2) ? rnd(5) : bval();
	xioctl(n, *fd, OP_QUERYMENU, VIDIOC_QUERYMENU, &q);
}

void op_g_ctrl(struct fz_node *n, int *fd)
{
	struct v4l2_control c = { .id = rnd_cid(), .value = bval() };

	xioctl(n, *fd, OP_G_CTRL, VIDIOC_G_CTRL, &c);
}

void op_s_ctrl(struct fz_node *n, int *fd)
{
	struct v4l2_control c = { .id = rnd_cid(), .value = rnd_ctrl_val() };
	int r = xioctl(n, *fd, OP_S_CTRL, VIDIOC_S_CTRL, &c);

	if (c.id == V4L2_CID_DV_RX_POWER_PRESENT)
		must_fail(n, OP_S_CTRL, r, "a read-only control");
	if (c.id == V4L2_CID_TEST_PATTERN && (c.value < 0 || c.value > 2))
		must_fail(n, OP_S_CTRL, r, "a test pattern out of range");
}

/* ---- events, priority, log -------------------------------------------- */

static void fill_sub(struct v4l2_event_subscription *s)
{
	static const __u32 types[] = {
		V4L2_EVENT_ALL, V4L2_EVENT_VSYNC, V4L2_EVENT_EOS,
		V4L2_EVENT_CTRL, V4L2_EVENT_FRAME_SYNC,
		V4L2_EVENT_SOURCE_CHANGE, V4L2_EVENT_MOTION_DET,
		V4L2_EVENT_PRIVATE_START,
	};

	rndfill(s, sizeof(*s));
	s->type = rnd(8) ? types[rnd(sizeof(types) / sizeof(types[0]))] : bval();
	s->id = rnd(2) ? rnd_cid() & ~(V4L2_CTRL_FLAG_NEXT_CTRL |
				       V4L2_CTRL_FLAG_NEXT_COMPOUND) : rnd(2);
	s->flags = rnd(2) ? rnd(4) : bval();
	if (rnd(2))
		memset(s->reserved, 0, sizeof(s->reserved));
}

void op_subscribe(struct fz_node *n, int *fd)
{
	struct v4l2_event_subscription s;

	fill_sub(&s);
	xioctl(n, *fd, OP_SUBSCRIBE_EVENT, VIDIOC_SUBSCRIBE_EVENT, &s);
}

void op_unsubscribe(struct fz_node *n, int *fd)
{
	struct v4l2_event_subscription s;

	fill_sub(&s);
	xioctl(n, *fd, OP_UNSUBSCRIBE_EVENT, VIDIOC_UNSUBSCRIBE_EVENT, &s);
}

void op_dqevent(struct fz_node *n, int *fd)
{
	struct v4l2_event e;

	rndfill(&e, sizeof(e));
	xioctl(n, *fd, OP_DQEVENT, VIDIOC_DQEVENT, &e);
}

void op_g_priority(struct fz_node *n, int *fd)
{
	enum v4l2_priority p = bval();

	if (xioctl(n, *fd, OP_G_PRIORITY, VIDIOC_G_PRIORITY, &p) ||
	    p < V4L2_PRIORITY_BACKGROUND || p > V4L2_PRIORITY_RECORD)
		fz_warn(n, OP_G_PRIORITY, "priority %u: %m", p);
}

void op_s_priority(struct fz_node *n, int *fd)
{
	enum v4l2_priority p = rnd(4) ? rnd(5) : bval();
	int r = xioctl(n, *fd, OP_S_PRIORITY, VIDIOC_S_PRIORITY, &p);

	if (p < V4L2_PRIORITY_BACKGROUND || p > V4L2_PRIORITY_RECORD)
		must_fail(n, OP_S_PRIORITY, r, "an invalid priority");
}

void op_log_status(struct fz_node *n, int *fd)
{
	xioctl(n, *fd, OP_LOG_STATUS, VIDIOC_LOG_STATUS, NULL);
}
