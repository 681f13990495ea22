// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-fuzz-bad.c - mcap-fuzz's calls that must not succeed
 *
 * Ioctls multicap does not implement (selection, DBG_*, standards, tuners,
 * EDID ...), ioctl numbers no table knows, and known ioctls on pointers
 * that cannot be read or written. DBG_S_REGISTER only ever writes back
 * what DBG_G_REGISTER just read (see mcap-fuzz.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "mcap-fuzz.h"

/* ---- not implemented by multicap: must not succeed -------------------- */

static void op_selection(struct fz_node *n, int *fd, int op)
{
	struct v4l2_selection s;
	int r;

	rndfill(&s, sizeof(s));
	s.type = rnd_type();
	s.target = rnd(2) ? rnd(0x104) : bval();
	r = xioctl(n, *fd, op, op == OP_G_SELECTION ? VIDIOC_G_SELECTION :
		   VIDIOC_S_SELECTION, &s);
	must_fail(n, op, r, "selection the driver does not implement");
}

void op_g_selection(struct fz_node *n, int *fd) { op_selection(n, fd, OP_G_SELECTION); }
void op_s_selection(struct fz_node *n, int *fd) { op_selection(n, fd, OP_S_SELECTION); }

static void fill_match(struct v4l2_dbg_match *m)
{
	m->type = rnd(2) ? V4L2_CHIP_MATCH_BRIDGE :
		  rnd(2) ? V4L2_CHIP_MATCH_SUBDEV : bval();
	m->addr = rnd(2) ? 0 : bval();
}

void op_dbg_g_register(struct fz_node *n, int *fd)
{
	struct v4l2_dbg_register r;

	rndfill(&r, sizeof(r));
	fill_match(&r.match);
	r.reg = rnd(2) ? rnd(0x400) & ~3 : bval();
	xioctl(n, *fd, OP_DBG_G_REGISTER, VIDIOC_DBG_G_REGISTER, &r);
}

/* write back what was just read, or a call that must fail; see the top */
void op_dbg_s_register(struct fz_node *n, int *fd)
{
	struct v4l2_dbg_register r;
	int ret;

	rndfill(&r, sizeof(r));
	r.match.type = V4L2_CHIP_MATCH_BRIDGE;
	r.match.addr = 0;
	r.reg = rnd(0x400) & ~3;
	if (rnd(2)) {
		/* a chip that does not exist: must fail */
		r.match.type = rnd(2) ? V4L2_CHIP_MATCH_SUBDEV : 0x7f;
		r.match.addr = 100 + rnd(100);
		ret = xioctl(n, *fd, OP_DBG_S_REGISTER, VIDIOC_DBG_S_REGISTER, &r);
		must_fail(n, OP_DBG_S_REGISTER, ret, "a chip that does not exist");
		return;
	}
	if (ioctl(*fd, VIDIOC_DBG_G_REGISTER, &r)) {
		/* nothing readable: the write must fail too */
		ret = xioctl(n, *fd, OP_DBG_S_REGISTER, VIDIOC_DBG_S_REGISTER, &r);
		must_fail(n, OP_DBG_S_REGISTER, ret, "a register G_REGISTER refused");
		return;
	}
	xioctl(n, *fd, OP_DBG_S_REGISTER, VIDIOC_DBG_S_REGISTER, &r);
}

void op_dbg_g_chip_info(struct fz_node *n, int *fd)
{
	struct v4l2_dbg_chip_info c;

	rndfill(&c, sizeof(c));
	fill_match(&c.match);
	xioctl(n, *fd, OP_DBG_G_CHIP_INFO, VIDIOC_DBG_G_CHIP_INFO, &c);
}

static const unsigned long unimpl[] = {
	VIDIOC_G_STD, VIDIOC_S_STD, VIDIOC_QUERYSTD, VIDIOC_ENUMSTD,
	VIDIOC_G_TUNER, VIDIOC_S_TUNER, VIDIOC_G_AUDIO, VIDIOC_S_AUDIO,
	VIDIOC_ENUMAUDIO, VIDIOC_G_FBUF, VIDIOC_S_FBUF, VIDIOC_OVERLAY,
	VIDIOC_G_CROP, VIDIOC_S_CROP, VIDIOC_CROPCAP, VIDIOC_G_JPEGCOMP,
	VIDIOC_G_ENC_INDEX, VIDIOC_ENCODER_CMD, VIDIOC_DECODER_CMD,
	VIDIOC_G_EDID, VIDIOC_S_EDID, VIDIOC_G_FREQUENCY, VIDIOC_S_FREQUENCY,
	VIDIOC_G_MODULATOR, VIDIOC_ENUMOUTPUT, VIDIOC_G_OUTPUT,
	VIDIOC_S_OUTPUT, VIDIOC_G_SLICED_VBI_CAP, VIDIOC_S_HW_FREQ_SEEK,
	VIDIOC_ENUM_FREQ_BANDS,
};

void op_unimpl(struct fz_node *n, int *fd)
{
	unsigned int i = rnd(sizeof(unimpl) / sizeof(unimpl[0]));
	int r;

	rndfill(scratch, 4096);
	if (unimpl[i] == VIDIOC_G_EDID || unimpl[i] == VIDIOC_S_EDID) {
		struct v4l2_edid *e = (struct v4l2_edid *)scratch;

		e->edid = scratch + 1024;
		e->blocks = rnd(4);
	}
	r = xioctl(n, *fd, OP_UNIMPL, unimpl[i], scratch);
	if (!r)
		fz_warn(n, OP_UNIMPL, "ioctl 0x%08lx the driver lacks succeeded",
			unimpl[i]);
}

/* ---- random ioctl numbers and bad pointers ---------------------------- */

static const unsigned long known[] = {
	VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT, VIDIOC_G_FMT, VIDIOC_S_FMT,
	VIDIOC_TRY_FMT, VIDIOC_REQBUFS, VIDIOC_CREATE_BUFS, VIDIOC_QUERYBUF,
	VIDIOC_PREPARE_BUF, VIDIOC_QBUF, VIDIOC_DQBUF, VIDIOC_EXPBUF,
	VIDIOC_STREAMON, VIDIOC_STREAMOFF, VIDIOC_G_PARM, VIDIOC_S_PARM,
	VIDIOC_ENUM_FRAMESIZES, VIDIOC_ENUM_FRAMEINTERVALS, VIDIOC_ENUMINPUT,
	VIDIOC_G_INPUT, VIDIOC_S_INPUT, VIDIOC_G_DV_TIMINGS,
	VIDIOC_S_DV_TIMINGS, VIDIOC_QUERY_DV_TIMINGS, VIDIOC_ENUM_DV_TIMINGS,
	VIDIOC_DV_TIMINGS_CAP, VIDIOC_G_EXT_CTRLS, VIDIOC_S_EXT_CTRLS,
	VIDIOC_TRY_EXT_CTRLS, VIDIOC_QUERYCTRL, VIDIOC_QUERY_EXT_CTRL,
	VIDIOC_QUERYMENU, VIDIOC_G_CTRL, VIDIOC_S_CTRL,
	VIDIOC_SUBSCRIBE_EVENT, VIDIOC_UNSUBSCRIBE_EVENT, VIDIOC_DQEVENT,
	VIDIOC_G_PRIORITY, VIDIOC_S_PRIORITY, VIDIOC_G_SELECTION,
	VIDIOC_S_SELECTION, VIDIOC_DBG_G_REGISTER, VIDIOC_DBG_S_REGISTER,
	VIDIOC_DBG_G_CHIP_INFO,
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

static int is_known(unsigned long cmd)
{
	unsigned int i;

	for (i = 0; i < NKNOWN; i++)
		if (known[i] == cmd)
			return 1;
	for (i = 0; i < sizeof(unimpl) / sizeof(unimpl[0]); i++)
		if (unimpl[i] == cmd)
			return 1;
	return cmd == VIDIOC_LOG_STATUS;
}

/*
 * Whether a 'V' command has the number of one we know: the core also takes
 * other sizes of some of them (the 32-bit time_t layouts of QUERYBUF, QBUF,
 * DQBUF, PREPARE_BUF and DQEVENT), so their success is no finding.
 */
static int known_nr(unsigned long cmd)
{
	unsigned int i;

	if (_IOC_TYPE(cmd) != 'V')
		return 0;
	for (i = 0; i < NKNOWN; i++)
		if (_IOC_NR(known[i]) == _IOC_NR(cmd))
			return 1;
	return 0;
}

/*
 * A number no table above knows: random 'V' commands, known ones with
 * another direction or size, or other types. The generic file ioctls of
 * the VFS (types 0, 'T' with FIONBIO/FIOASYNC, 'f', 'X' with FIFREEZE,
 * 0x94) are left out: they act on the file or the filesystem, not on the
 * driver, and FIONBIO would make the handle blocking.
 */
static unsigned long rnd_cmd(void)
{
	unsigned long cmd;
	unsigned int type;

	do {
		switch (rnd(3)) {
		case 0:
			cmd = _IOC(rnd(4), 'V', rnd(256), rnd(2) ? rnd(512) : rnd(SCRATCH_SIZE / 2));
			break;
		case 1:
			cmd = known[rnd(NKNOWN)];
			cmd = _IOC(rnd(4), 'V', _IOC_NR(cmd),
				   _IOC_SIZE(cmd) + (rnd(2) ? -4 : 4) * (1 + rnd(4)));
			break;
		default:
			cmd = (__u32)rnd64() & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT);
			cmd |= (unsigned long)rnd(SCRATCH_SIZE / 2) << _IOC_SIZESHIFT;
			break;
		}
		type = _IOC_TYPE(cmd);
	} while (is_known(cmd) || type == 0 || type == 'T' || type == 'f' ||
		 type == 'X' || type == 0x94);
	return cmd;
}

void op_random(struct fz_node *n, int *fd)
{
	unsigned long cmd = rnd_cmd();
	int r;

	rndfill(scratch, SCRATCH_SIZE);
	note(n, OP_RANDOM, cmd, scratch, _IOC_SIZE(cmd));
	r = rec(n, OP_RANDOM, ioctl(*fd, cmd, scratch));
	if (!r && !known_nr(cmd))
		fz_warn(n, OP_RANDOM, "unknown ioctl 0x%08lx succeeded", cmd);
}

/*
 * Bytes of an ioctl's argument the V4L2 core copies in before the handler
 * runs: for the ioctls flagged INFO_FL_CLEAR(struct, field) in
 * v4l2-ioctl.c (6.1) only up to the end of that field, the rest is zeroed.
 */
#define COPY_TO(type, field) \
	(offsetof(struct type, field) + sizeof(((struct type *)0)->field))

static size_t core_copy_in(unsigned long cmd)
{
	switch (cmd) {
	case VIDIOC_QUERYBUF: return COPY_TO(v4l2_buffer, length);
	case VIDIOC_EXPBUF: return COPY_TO(v4l2_exportbuffer, flags);
	case VIDIOC_G_PARM: return COPY_TO(v4l2_streamparm, type);
	case VIDIOC_ENUMINPUT: return COPY_TO(v4l2_input, index);
	case VIDIOC_G_CTRL: return COPY_TO(v4l2_control, id);
	case VIDIOC_QUERYCTRL: return COPY_TO(v4l2_queryctrl, id);
	case VIDIOC_QUERYMENU: return COPY_TO(v4l2_querymenu, index);
	case VIDIOC_ENUM_FRAMESIZES:
		return COPY_TO(v4l2_frmsizeenum, pixel_format);
	case VIDIOC_ENUM_FRAMEINTERVALS: return COPY_TO(v4l2_frmivalenum, height);
	case VIDIOC_S_DV_TIMINGS: return COPY_TO(v4l2_dv_timings, bt.flags);
	case VIDIOC_ENUM_DV_TIMINGS: return COPY_TO(v4l2_enum_dv_timings, pad);
	case VIDIOC_DV_TIMINGS_CAP: return COPY_TO(v4l2_dv_timings_cap, pad);
	case VIDIOC_G_SELECTION:
	case VIDIOC_S_SELECTION: return COPY_TO(v4l2_selection, r);
	case VIDIOC_DBG_G_CHIP_INFO: return COPY_TO(v4l2_dbg_chip_info, match);
	case VIDIOC_QUERY_EXT_CTRL: return COPY_TO(v4l2_query_ext_ctrl, id);
	}
	return _IOC_SIZE(cmd);
}

/* bytes readable at @p, a pointer from bad_ptr() */
static size_t readable_at(const void *p)
{
	uintptr_t a = (uintptr_t)p, g = (uintptr_t)guard;

	return a >= g && a < g + pagesz ? g + pagesz - a : 0;
}

void op_badptr(struct fz_node *n, int *fd)
{
	unsigned long cmd = known[rnd(NKNOWN)];
	void *p = bad_ptr(_IOC_SIZE(cmd));
	size_t in = core_copy_in(cmd), ok = readable_at(p);
	int r;

	note(n, OP_BADPTR, cmd, p, 0);
	r = rec(n, OP_BADPTR, ioctl(*fd, cmd, p));
	/*
	 * What the kernel reads must fault first. A result is only copied
	 * out after success, so a read-only ioctl may fail its own way, and
	 * so may one whose input part (core_copy_in()) lies in the readable
	 * page before the guard: the handler ran on it.
	 */
	if (!r)
		fz_warn(n, OP_BADPTR, "ioctl 0x%08lx succeeded on a bad pointer", cmd);
	else if (errno != EFAULT && errno != ENOTTY &&
		 (_IOC_DIR(cmd) & _IOC_WRITE) && in > ok)
		fz_warn(n, OP_BADPTR, "ioctl 0x%08lx on a bad pointer (%zu of the "
			"%zu bytes read in readable): %m", cmd, ok, in);
}
