// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-video.c - a channel's video capture node: ioctls, vb2 ops
 *
 * The format ioctls act on the node's one format, made deliverable by
 * multicap_format_adjust() (multicap-format.c); the input ioctls are in
 * multicap-input.c.
 */

#include <linux/module.h>
#include <media/v4l2-common.h>
#include <media/v4l2-event.h>
#include <media/v4l2-ioctl.h>
#include <media/videobuf2-dma-sg.h>

#include "multicap.h"

#define MULTICAP_MIN_BUFFERS		3U	/* allocated by REQBUFS */

static unsigned int lines_per_chunk = 16;
module_param(lines_per_chunk, uint, 0444);
MODULE_PARM_DESC(lines_per_chunk, "lines the card moves per chunk, 1-255 (default 16)");

/**
 * multicap_video_check_params() - validate the node's module parameters
 *
 * Return: 0, or -EINVAL with a message.
 */
int multicap_video_check_params(void)
{
	if (lines_per_chunk < 1 || lines_per_chunk > 255) {
		pr_err(MULTICAP_DRIVER_NAME ": lines_per_chunk=%u out of range 1-255\n",
		       lines_per_chunk);
		return -EINVAL;
	}
	return 0;
}

static int multicap_querycap(struct file *file, void *priv,
			     struct v4l2_capability *cap)
{
	struct multicap_channel *vc = video_drvdata(file);

	strscpy(cap->driver, MULTICAP_DRIVER_NAME, sizeof(cap->driver));
	/* Applications list nodes by card: one name per channel, as in sysfs. */
	strscpy(cap->card, vc->vdev.name, sizeof(cap->card));
	strscpy(cap->bus_info, vc->dev->bus_info, sizeof(cap->bus_info));
	return 0;
}

static int multicap_enum_fmt(struct file *file, void *priv,
			     struct v4l2_fmtdesc *f)
{
	const struct multicap_format *mf = multicap_format_by_index(f->index);

	if (!mf)
		return -EINVAL;
	f->pixelformat = mf->fourcc;
	return 0;
}

static int multicap_g_fmt(struct file *file, void *priv, struct v4l2_format *f)
{
	struct multicap_channel *vc = video_drvdata(file);

	f->fmt.pix = vc->fmt;
	return 0;
}

static int multicap_try_fmt(struct file *file, void *priv,
			    struct v4l2_format *f)
{
	multicap_format_adjust(video_drvdata(file), &f->fmt.pix);
	return 0;
}

static int multicap_s_fmt(struct file *file, void *priv, struct v4l2_format *f)
{
	struct multicap_channel *vc = video_drvdata(file);
	const struct multicap_format *mf;

	if (vb2_is_busy(&vc->queue))
		return -EBUSY;
	mf = multicap_format_adjust(vc, &f->fmt.pix);
	vc->fmt = f->fmt.pix;
	vc->mfmt = mf;
	return 0;
}

static int multicap_enum_framesizes(struct file *file, void *priv,
				    struct v4l2_frmsizeenum *fsize)
{
	struct multicap_channel *vc = video_drvdata(file);

	if (fsize->index || !multicap_format_supported(fsize->pixel_format))
		return -EINVAL;
	fsize->type = V4L2_FRMSIZE_TYPE_DISCRETE;
	fsize->discrete.width = vc->timings.bt.width;
	fsize->discrete.height = vc->timings.bt.height;
	return 0;
}

static int multicap_log_status(struct file *file, void *priv)
{
	struct multicap_channel *vc = video_drvdata(file);

	v4l2_ctrl_log_status(file, priv);
	multicap_stats_log(vc);
	return 0;
}

#ifdef CONFIG_VIDEO_ADV_DEBUG
/*
 * Raw register access; the V4L2 core allows it to CAP_SYS_ADMIN only.
 * Not the clock: reading CLOCK_LO re-latches it under the clock sync.
 */
static int multicap_check_register(struct multicap_channel *vc, u64 reg)
{
	if (reg >= MULTICAP_CH(vc->dev->nch) || (reg & 3) ||
	    reg == MULTICAP_REG_CLOCK_LO || reg == MULTICAP_REG_CLOCK_HI)
		return -EINVAL;
	return 0;
}

static int multicap_g_register(struct file *file, void *priv,
			       struct v4l2_dbg_register *reg)
{
	struct multicap_channel *vc = video_drvdata(file);
	int ret = multicap_check_register(vc, reg->reg);

	if (ret)
		return ret;
	reg->size = 4;
	reg->val = multicap_read(vc->dev, reg->reg);
	return 0;
}

static int multicap_s_register(struct file *file, void *priv,
			       const struct v4l2_dbg_register *reg)
{
	struct multicap_channel *vc = video_drvdata(file);
	int ret = multicap_check_register(vc, reg->reg);

	if (ret)
		return ret;
	multicap_write(vc->dev, reg->reg, reg->val);
	return 0;
}
#endif

/* The node's ioctls: vb2 helpers for buffers, ours for format and input. */
static const struct v4l2_ioctl_ops multicap_ioctl_ops = {
	.vidioc_querycap = multicap_querycap,
	.vidioc_enum_fmt_vid_cap = multicap_enum_fmt,
	.vidioc_g_fmt_vid_cap = multicap_g_fmt,
	.vidioc_s_fmt_vid_cap = multicap_s_fmt,
	.vidioc_try_fmt_vid_cap = multicap_try_fmt,
	.vidioc_enum_framesizes = multicap_enum_framesizes,
	.vidioc_enum_frameintervals = multicap_enum_frameintervals,
	.vidioc_enum_input = multicap_enum_input,
	.vidioc_g_input = multicap_g_input,
	.vidioc_s_input = multicap_s_input,
	.vidioc_s_dv_timings = multicap_s_dv_timings,
	.vidioc_g_dv_timings = multicap_g_dv_timings,
	.vidioc_query_dv_timings = multicap_query_dv_timings,
	.vidioc_enum_dv_timings = multicap_enum_dv_timings,
	.vidioc_dv_timings_cap = multicap_dv_timings_cap,
	.vidioc_g_parm = multicap_g_parm,
	.vidioc_s_parm = multicap_s_parm,
	.vidioc_reqbufs = vb2_ioctl_reqbufs,
	.vidioc_create_bufs = vb2_ioctl_create_bufs,
	.vidioc_prepare_buf = vb2_ioctl_prepare_buf,
	.vidioc_querybuf = vb2_ioctl_querybuf,
	.vidioc_qbuf = vb2_ioctl_qbuf,
	.vidioc_dqbuf = vb2_ioctl_dqbuf,
	.vidioc_expbuf = vb2_ioctl_expbuf,
	.vidioc_streamon = vb2_ioctl_streamon,
	.vidioc_streamoff = vb2_ioctl_streamoff,
	.vidioc_log_status = multicap_log_status,
	.vidioc_subscribe_event = multicap_subscribe_event,
	.vidioc_unsubscribe_event = v4l2_event_unsubscribe,
#ifdef CONFIG_VIDEO_ADV_DEBUG
	.vidioc_g_register = multicap_g_register,
	.vidioc_s_register = multicap_s_register,
#endif
};

static struct multicap_buffer *to_multicap_buffer(struct vb2_buffer *vb)
{
	return container_of(to_vb2_v4l2_buffer(vb), struct multicap_buffer, vb);
}

static int multicap_queue_setup(struct vb2_queue *q, unsigned int *nbuffers,
				unsigned int *nplanes, unsigned int sizes[],
				struct device *alloc_devs[])
{
	struct multicap_channel *vc = vb2_get_drv_priv(q);
	unsigned int size = vc->fmt.sizeimage;

	if (*nplanes)
		return sizes[0] < size ? -EINVAL : 0;
	/*
	 * The card drops a frame whenever its ring is empty: one buffer being
	 * filled and one with the application is not enough (read() asks for
	 * one only).
	 */
	*nbuffers = max(*nbuffers, MULTICAP_MIN_BUFFERS);
	*nplanes = 1;
	sizes[0] = size;
	return 0;
}

static int multicap_buf_init(struct vb2_buffer *vb)
{
	struct multicap_channel *vc = vb2_get_drv_priv(vb->vb2_queue);
	int ret;

	ret = multicap_desc_build(vc, to_multicap_buffer(vb), lines_per_chunk);
	if (ret)
		dev_warn_ratelimited(vc->dev->bus_dev,
				     "ch%u: buffer %u: no descriptors (%d)\n",
				     vc->index, vb->index, ret);
	return ret;
}

static int multicap_buf_prepare(struct vb2_buffer *vb)
{
	struct multicap_channel *vc = vb2_get_drv_priv(vb->vb2_queue);

	if (vb2_plane_size(vb, 0) < vc->fmt.sizeimage)
		return -EINVAL;
	vb2_set_plane_payload(vb, 0, vc->fmt.sizeimage);
	return 0;
}

static void multicap_buf_cleanup(struct vb2_buffer *vb)
{
	struct multicap_channel *vc = vb2_get_drv_priv(vb->vb2_queue);

	multicap_desc_free(vc, to_multicap_buffer(vb));
}

static void multicap_buf_queue(struct vb2_buffer *vb)
{
	struct multicap_channel *vc = vb2_get_drv_priv(vb->vb2_queue);

	multicap_ring_queue(vc, to_multicap_buffer(vb));
}

static int multicap_start_streaming(struct vb2_queue *q, unsigned int count)
{
	struct multicap_channel *vc = vb2_get_drv_priv(q);
	int ret = -ENODEV;

	if (!vc->gone)
		ret = multicap_engine_start(vc, lines_per_chunk);
	if (ret) {
		multicap_ring_return_all(vc, VB2_BUF_STATE_QUEUED);
		return ret;
	}
	multicap_watchdog_arm(vc);
	/* Every buffer of a stream marks the same instant of its frame. */
	v4l2_ctrl_grab(vc->ts_ctrl, true);
	return 0;
}

static void multicap_stop_streaming(struct vb2_queue *q)
{
	struct multicap_channel *vc = vb2_get_drv_priv(q);

	multicap_engine_stop(vc);
	v4l2_ctrl_grab(vc->ts_ctrl, false);
}

/* vb2 callbacks of a channel's queue. */
static const struct vb2_ops multicap_video_qops = {
	.queue_setup = multicap_queue_setup,
	.buf_init = multicap_buf_init,
	.buf_prepare = multicap_buf_prepare,
	.buf_cleanup = multicap_buf_cleanup,
	.buf_queue = multicap_buf_queue,
	.start_streaming = multicap_start_streaming,
	.stop_streaming = multicap_stop_streaming,
	MULTICAP_VB2_WAIT_OPS
};

/* A lost card's nodes stay until it is unbound, but only close works. */
static int multicap_open(struct file *file)
{
	struct multicap_channel *vc = video_drvdata(file);

	if (READ_ONCE(vc->gone))
		return -ENODEV;
	return v4l2_fh_open(file);
}

static long multicap_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct multicap_channel *vc = video_drvdata(file);

	if (READ_ONCE(vc->gone))
		return -ENODEV;
	return video_ioctl2(file, cmd, arg);
}

/* File operations of a channel's node: the V4L2 and vb2 cores', fenced. */
static const struct v4l2_file_operations multicap_fops = {
	.owner = THIS_MODULE,
	.open = multicap_open,
	.release = vb2_fop_release,
	.read = vb2_fop_read,
	.poll = vb2_fop_poll,
	.mmap = vb2_fop_mmap,
	.unlocked_ioctl = multicap_ioctl,
};

static int multicap_queue_init(struct multicap_channel *vc)
{
	struct vb2_queue *q = &vc->queue;

	q->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	q->io_modes = VB2_MMAP | VB2_USERPTR | VB2_DMABUF | VB2_READ;
	q->drv_priv = vc;
	q->buf_struct_size = sizeof(struct multicap_buffer);
	q->ops = &multicap_video_qops;
	q->mem_ops = &vb2_dma_sg_memops;
	q->timestamp_flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC |
			     V4L2_BUF_FLAG_TSTAMP_SRC_EOF;
	q->lock = &vc->vb_mutex;
	q->dev = vc->dev->bus_dev;
	return vb2_queue_init(q);
}

/**
 * multicap_video_register() - set up and register a channel's node
 * @vc: the channel, its controls and ring ready
 *
 * Return: 0 or a negative error code.
 */
int multicap_video_register(struct multicap_channel *vc)
{
	struct video_device *vdev = &vc->vdev;
	int ret;

	multicap_input_init(vc);
	vc->fmt.pixelformat = V4L2_PIX_FMT_YUYV;
	vc->mfmt = multicap_format_adjust(vc, &vc->fmt);

	ret = multicap_queue_init(vc);
	if (ret)
		return ret;

	/* sysfs name; udev's /dev/multicap/cardN/chM links parse it */
	snprintf(vdev->name, sizeof(vdev->name), "multicap card %u ch %u",
		 vc->dev->nr, vc->index);
	vdev->fops = &multicap_fops;
	vdev->ioctl_ops = &multicap_ioctl_ops;
	vdev->release = video_device_release_empty;
	vdev->v4l2_dev = &vc->dev->v4l2_dev;
	vdev->lock = &vc->vb_mutex;
	vdev->queue = &vc->queue;
	vdev->ctrl_handler = &vc->ctrl_handler;
	v4l2_prio_init(&vc->prio);
	vdev->prio = &vc->prio;
	vdev->vfl_dir = VFL_DIR_RX;
	vdev->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING |
			    V4L2_CAP_READWRITE;
	video_set_drvdata(vdev, vc);
	return video_register_device(vdev, VFL_TYPE_VIDEO, -1);
}

/**
 * multicap_video_disconnect() - the card is going: stop and fence the node
 * @vc: the channel
 *
 * Stops the engine and returns the buffers; afterwards no call on an open
 * file handle touches the card.
 */
void multicap_video_disconnect(struct multicap_channel *vc)
{
	mutex_lock(&vc->vb_mutex);
	if (vb2_is_streaming(&vc->queue)) {
		multicap_engine_stop(vc);
		vb2_queue_error(&vc->queue);
	}
	WRITE_ONCE(vc->gone, true);
	mutex_unlock(&vc->vb_mutex);
}

/**
 * multicap_video_unregister() - unregister a channel's node
 * @vc: the channel
 *
 * Open file handles keep the channel alive until they are closed.
 */
void multicap_video_unregister(struct multicap_channel *vc)
{
	video_unregister_device(&vc->vdev);
}
