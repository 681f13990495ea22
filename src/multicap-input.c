// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-input.c - a channel's input: DV timings, signal, frame rate
 *
 * Each channel has one digital video input. The card reports what it
 * detects (signal, lock, active size, totals, pixel clock); the driver
 * captures at the timings set with S_DV_TIMINGS (the format follows them)
 * and the card keeps delivering frames of that size at that rate whatever
 * the input does, showing its no-signal picture while the input is absent
 * or different. Every change of the input raises V4L2_EVENT_SOURCE_CHANGE
 * so the application can query the new timings and renegotiate.
 *
 * Frame-rate decimation: the card captures one frame in N of the input's;
 * S_PARM picks the N nearest to the asked interval.
 */

#include <linux/gcd.h>
#include <linux/v4l2-dv-timings.h>
#include <media/v4l2-dv-timings.h>
#include <media/v4l2-event.h>

#include "multicap.h"

#define MULTICAP_MAX_DECIMATE	(MULTICAP_DECIMATE_MAX + 1)
/* A detected pixel clock within 0.5% matches a standard's. */
#define MULTICAP_PCLK_TOLERANCE	200

static const struct v4l2_dv_timings_cap multicap_timings_cap = {
	.type = V4L2_DV_BT_656_1120,
	.bt = {
		.min_width = 64,
		.max_width = 4096,
		.min_height = 64,
		.max_height = 2160,
		.min_pixelclock = 1000000,
		.max_pixelclock = 600000000,
		.standards = V4L2_DV_BT_STD_CEA861 | V4L2_DV_BT_STD_DMT |
			     V4L2_DV_BT_STD_CVT,
		.capabilities = V4L2_DV_BT_CAP_PROGRESSIVE,
	},
};

/* A standard mode with the same active size, totals and pixel clock. */
static bool multicap_find_standard(struct v4l2_dv_timings *t)
{
	const struct v4l2_bt_timings *bt = &t->bt;
	unsigned int i;

	for (i = 0; v4l2_dv_timings_presets[i].bt.width; i++) {
		const struct v4l2_bt_timings *p = &v4l2_dv_timings_presets[i].bt;
		u64 delta = div_u64(p->pixelclock, MULTICAP_PCLK_TOLERANCE);

		if (p->width == bt->width && p->height == bt->height &&
		    !p->interlaced &&
		    V4L2_DV_BT_FRAME_WIDTH(p) == V4L2_DV_BT_FRAME_WIDTH(bt) &&
		    V4L2_DV_BT_FRAME_HEIGHT(p) == V4L2_DV_BT_FRAME_HEIGHT(bt) &&
		    p->pixelclock + delta >= bt->pixelclock &&
		    p->pixelclock <= bt->pixelclock + delta &&
		    v4l2_valid_dv_timings(&v4l2_dv_timings_presets[i],
					  &multicap_timings_cap, NULL, NULL)) {
			*t = v4l2_dv_timings_presets[i];
			return true;
		}
	}
	return false;
}

/**
 * multicap_detect_timings() - the timings of the signal at a channel's input
 * @vc: the channel
 * @t: filled in on success: a standard mode when one matches
 *
 * Return: 0, -ENOLINK without signal, -ENOLCK while it is unstable,
 * -ERANGE if it is outside what the card captures, -ENODEV if the card
 * is gone.
 */
static int multicap_detect_timings(struct multicap_channel *vc,
				   struct v4l2_dv_timings *t)
{
	struct v4l2_bt_timings *bt = &t->bt;
	u32 status, size, total, hblank, vblank;

	if (!multicap_hw_present(vc))
		return -ENODEV;
	status = multicap_ch_read(vc, MULTICAP_CH_STATUS);
	if (status == ~0U)
		return -ENODEV;
	if (!(status & MULTICAP_STATUS_SIGNAL))
		return -ENOLINK;
	if (!(status & MULTICAP_STATUS_LOCKED))
		return -ENOLCK;
	size = multicap_ch_read(vc, MULTICAP_CH_IN_SIZE);
	total = multicap_ch_read(vc, MULTICAP_CH_IN_TOTAL);

	memset(t, 0, sizeof(*t));
	t->type = V4L2_DV_BT_656_1120;
	bt->width = FIELD_GET(MULTICAP_IN_WIDTH_MSK, size);
	bt->height = FIELD_GET(MULTICAP_IN_HEIGHT_MSK, size);
	bt->pixelclock = (u64)multicap_ch_read(vc, MULTICAP_CH_IN_PIXCLK_KHZ) * 1000;
	hblank = FIELD_GET(MULTICAP_IN_HTOTAL_MSK, total) - bt->width;
	vblank = FIELD_GET(MULTICAP_IN_VTOTAL_MSK, total) - bt->height;
	/* The card reports totals only; spread the blanking like CVT does. */
	bt->hfrontporch = hblank / 4;
	bt->hsync = hblank / 4;
	bt->hbackporch = hblank - bt->hfrontporch - bt->hsync;
	bt->vfrontporch = vblank / 4;
	bt->vsync = vblank / 4;
	bt->vbackporch = vblank - bt->vfrontporch - bt->vsync;
	if (FIELD_GET(MULTICAP_IN_HTOTAL_MSK, total) < bt->width ||
	    FIELD_GET(MULTICAP_IN_VTOTAL_MSK, total) < bt->height)
		return -ERANGE;
	if (multicap_find_standard(t))
		return 0;
	return v4l2_valid_dv_timings(t, &multicap_timings_cap, NULL, NULL) ?
	       0 : -ERANGE;
}

/**
 * multicap_input_init() - start with the detected timings, else VGA
 * @vc: the channel
 */
void multicap_input_init(struct multicap_channel *vc)
{
	static const struct v4l2_dv_timings vga = V4L2_DV_BT_DMT_640X480P60;

	if (multicap_detect_timings(vc, &vc->timings))
		vc->timings = vga;
	vc->decimate = 0;
}

/**
 * multicap_frame_ns() - frame period of a channel's timings
 * @vc: the channel
 *
 * Return: the period in nanoseconds, before decimation.
 */
u32 multicap_frame_ns(struct multicap_channel *vc)
{
	const struct v4l2_bt_timings *bt = &vc->timings.bt;

	u64 ns = div64_u64((u64)V4L2_DV_BT_FRAME_WIDTH(bt) *
			   V4L2_DV_BT_FRAME_HEIGHT(bt) * NSEC_PER_SEC,
			   bt->pixelclock);

	return min_t(u64, ns, U32_MAX);
}

/**
 * multicap_input_changed() - check a channel for an input change, report it
 * @vc: the channel
 *
 * Called when the card raises the channel's INPUT cause (any context). Queues
 * V4L2_EVENT_SOURCE_CHANGE when the card flags a change of its input.
 */
void multicap_input_changed(struct multicap_channel *vc)
{
	static const struct v4l2_event ev = {
		.type = V4L2_EVENT_SOURCE_CHANGE,
		.u.src_change.changes = V4L2_EVENT_SRC_CH_RESOLUTION,
	};
	u32 status = multicap_ch_read(vc, MULTICAP_CH_STATUS);

	/* Only a registered node has event queues to report to. */
	if (!video_is_registered(&vc->vdev) || status == ~0U ||
	    !(status & MULTICAP_STATUS_INPUT_CHANGED))
		return;
	multicap_ch_write(vc, MULTICAP_CH_STATUS, MULTICAP_STATUS_INPUT_CHANGED);
	atomic64_inc(&vc->source_changes);
	v4l2_event_queue(&vc->vdev, &ev);
}

/*
 * The input ioctls below are called through multicap_ioctl_ops
 * (multicap-video.c), under the node's vb_mutex.
 */

/**
 * multicap_enum_input() - VIDIOC_ENUMINPUT: the channel's one input
 * @file: the node's file
 * @priv: the file handle
 * @inp: index in, name, type, capabilities and signal status out
 *
 * The status comes from timing detection: no sync while the input is
 * unstable or out of range, no signal for any other failure.
 *
 * Return: 0, or -EINVAL for an index other than 0.
 */
int multicap_enum_input(struct file *file, void *priv,
			struct v4l2_input *inp)
{
	struct multicap_channel *vc = video_drvdata(file);
	struct v4l2_dv_timings t;

	if (inp->index)
		return -EINVAL;
	snprintf(inp->name, sizeof(inp->name), "HDMI %u", vc->index);
	inp->type = V4L2_INPUT_TYPE_CAMERA;
	inp->capabilities = V4L2_IN_CAP_DV_TIMINGS;
	switch (multicap_detect_timings(vc, &t)) {
	case 0:
		break;
	case -ENOLCK:
	case -ERANGE:
		inp->status = V4L2_IN_ST_NO_SYNC;
		break;
	default:
		inp->status = V4L2_IN_ST_NO_SIGNAL;
		break;
	}
	return 0;
}

/**
 * multicap_g_input() - VIDIOC_G_INPUT: always input 0
 * @file: the node's file
 * @priv: the file handle
 * @i: set to 0
 *
 * Return: 0.
 */
int multicap_g_input(struct file *file, void *priv, unsigned int *i)
{
	*i = 0;
	return 0;
}

/**
 * multicap_s_input() - VIDIOC_S_INPUT: only input 0 exists
 * @file: the node's file
 * @priv: the file handle
 * @i: the input asked for
 *
 * Return: 0 for input 0, else -EINVAL.
 */
int multicap_s_input(struct file *file, void *priv, unsigned int i)
{
	return i ? -EINVAL : 0;
}

/**
 * multicap_s_dv_timings() - VIDIOC_S_DV_TIMINGS: the timings to capture at
 * @file: the node's file
 * @priv: the file handle
 * @t: the timings; snapped onto an identical standard mode when set
 *
 * New timings reset decimation and recompute the node's format for the
 * new size.
 *
 * Return: 0 (also for the current timings), -EINVAL for timings the card
 * cannot capture or an odd size, -EBUSY while buffers are allocated.
 */
int multicap_s_dv_timings(struct file *file, void *priv,
			  struct v4l2_dv_timings *t)
{
	struct multicap_channel *vc = video_drvdata(file);

	/* Even sizes only: 4:2:x chroma needs pairs of pixels and lines. */
	if (!v4l2_valid_dv_timings(t, &multicap_timings_cap, NULL, NULL) ||
	    (t->bt.width & 1) || (t->bt.height & 1))
		return -EINVAL;
	if (v4l2_match_dv_timings(t, &vc->timings, 0, false))
		return 0;
	if (vb2_is_busy(&vc->queue))
		return -EBUSY;
	v4l2_find_dv_timings_cap(t, &multicap_timings_cap, 0, NULL, NULL);
	vc->timings = *t;
	vc->decimate = 0;
	multicap_format_timings_changed(vc);
	return 0;
}

/**
 * multicap_g_dv_timings() - VIDIOC_G_DV_TIMINGS: the timings captured at
 * @file: the node's file
 * @priv: the file handle
 * @t: filled with the channel's timings
 *
 * Return: 0.
 */
int multicap_g_dv_timings(struct file *file, void *priv,
			  struct v4l2_dv_timings *t)
{
	struct multicap_channel *vc = video_drvdata(file);

	*t = vc->timings;
	return 0;
}

/**
 * multicap_query_dv_timings() - VIDIOC_QUERY_DV_TIMINGS: detect the input
 * @file: the node's file
 * @priv: the file handle
 * @t: filled with the detected timings on success
 *
 * Return: as multicap_detect_timings().
 */
int multicap_query_dv_timings(struct file *file, void *priv,
			      struct v4l2_dv_timings *t)
{
	return multicap_detect_timings(video_drvdata(file), t);
}

/**
 * multicap_enum_dv_timings() - VIDIOC_ENUM_DV_TIMINGS: the standard modes
 * @file: the node's file
 * @priv: the file handle
 * @t: index in, the index-th standard mode the card can capture out
 *
 * Return: 0, or -EINVAL past the last one.
 */
int multicap_enum_dv_timings(struct file *file, void *priv,
			     struct v4l2_enum_dv_timings *t)
{
	return v4l2_enum_dv_timings_cap(t, &multicap_timings_cap, NULL, NULL);
}

/**
 * multicap_dv_timings_cap() - VIDIOC_DV_TIMINGS_CAP: what the card captures
 * @file: the node's file
 * @priv: the file handle
 * @cap: filled with the card's timing limits
 *
 * Return: 0.
 */
int multicap_dv_timings_cap(struct file *file, void *priv,
			    struct v4l2_dv_timings_cap *cap)
{
	*cap = multicap_timings_cap;
	return 0;
}

/* The interval of one frame in @n of the input's. */
static struct v4l2_fract multicap_interval(struct multicap_channel *vc,
					   unsigned int n)
{
	struct v4l2_fract f = v4l2_calc_timeperframe(&vc->timings);
	unsigned long g;

	f.numerator *= n;
	g = gcd(f.numerator, f.denominator);
	if (g) {
		f.numerator /= g;
		f.denominator /= g;
	}
	return f;
}

/**
 * multicap_g_parm() - VIDIOC_G_PARM: the capture frame interval
 * @file: the node's file
 * @priv: the file handle
 * @a: filled with the input's frame interval times the decimation factor
 *
 * Return: 0, or -EINVAL for a buffer type other than video capture.
 */
int multicap_g_parm(struct file *file, void *priv,
		    struct v4l2_streamparm *a)
{
	struct multicap_channel *vc = video_drvdata(file);

	if (a->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
		return -EINVAL;
	memset(&a->parm, 0, sizeof(a->parm));
	a->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
	a->parm.capture.timeperframe = multicap_interval(vc, vc->decimate + 1);
	a->parm.capture.readbuffers = 2;
	return 0;
}

/**
 * multicap_s_parm() - VIDIOC_S_PARM: pick the decimation nearest an interval
 * @file: the node's file
 * @priv: the file handle
 * @a: the interval asked for in, the interval set out
 *
 * Keeps one frame in N of the input's, N from 1 to MULTICAP_MAX_DECIMATE
 * and no slower than one frame per second; applied at once, also while
 * streaming. An interval with a zero term leaves the decimation as is.
 *
 * Return: 0, or -EINVAL for a buffer type other than video capture.
 */
int multicap_s_parm(struct file *file, void *priv,
		    struct v4l2_streamparm *a)
{
	struct multicap_channel *vc = video_drvdata(file);
	struct v4l2_fract want = a->parm.capture.timeperframe;
	struct v4l2_fract in = v4l2_calc_timeperframe(&vc->timings);
	u64 n, num, den, rem;

	if (a->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
		return -EINVAL;
	if (want.numerator && want.denominator && in.numerator) {
		/*
		 * n = want / in, rounded to the nearest the card can do. Both
		 * products need 64 bits, so does the divisor: not do_div().
		 */
		num = (u64)want.numerator * in.denominator;
		den = (u64)want.denominator * in.numerator;
		n = div64_u64_rem(num, den, &rem);
		if (rem >= den - rem)
			n++;
		/* No slower than 1 frame per second, as ENUM_FRAMEINTERVALS */
		n = min_t(u64, n, max(1U, in.denominator / in.numerator));
		vc->decimate = clamp_t(u64, n, 1, MULTICAP_MAX_DECIMATE) - 1;
		if (multicap_hw_present(vc))
			multicap_ch_write(vc, MULTICAP_CH_DECIMATE, vc->decimate);
	}
	return multicap_g_parm(file, priv, a);
}

/**
 * multicap_enum_frameintervals() - VIDIOC_ENUM_FRAMEINTERVALS
 * @file: the node's file
 * @priv: the file handle
 * @fival: format, size and index in; the index-th interval out
 *
 * Interval N is one frame in N + 1 of the input's, for the current size
 * and any supported format; after the first, none longer than a second.
 *
 * Return: 0, or -EINVAL past the last interval or for another size or an
 * unsupported format.
 */
int multicap_enum_frameintervals(struct file *file, void *priv,
				 struct v4l2_frmivalenum *fival)
{
	struct multicap_channel *vc = video_drvdata(file);
	struct v4l2_fract f;

	if (!multicap_format_supported(fival->pixel_format) ||
	    fival->width != vc->fmt.width || fival->height != vc->fmt.height ||
	    fival->index >= MULTICAP_MAX_DECIMATE)
		return -EINVAL;
	f = multicap_interval(vc, fival->index + 1);
	/* Rates below 1 frame per second are of no use to anyone. */
	if (fival->index && f.numerator > f.denominator)
		return -EINVAL;
	fival->type = V4L2_FRMIVAL_TYPE_DISCRETE;
	fival->discrete = f;
	return 0;
}
