// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-ctrls.c - a channel's V4L2 controls
 *
 * V4L2_CID_TEST_PATTERN selects the card's generator: the live input, colour
 * bars, or Tagged Lines (each line tagged with channel, frame and line, see
 * Documentation/admin-guide/media/multicap-sim.rst), used by the tests.
 * V4L2_CID_DV_RX_POWER_PRESENT reads the card's signal detect;
 * V4L2_CID_DV_RX_RGB_RANGE says how to interpret RGB input (and so the
 * quantization reported for RGB formats).
 *
 * Two controls of the driver's own (include/uapi/linux/multicap.h):
 * V4L2_CID_MULTICAP_PROGRESS_LINES sets the line step of progress events,
 * V4L2_CID_MULTICAP_TIMESTAMP_SOURCE whether buffer timestamps mark the
 * end of frame (default) or its start; it changes only while no buffers
 * are allocated (vb2_queue_init() leaves timestamp_flags to the driver,
 * and vb2 reads them at every DQBUF) and is grabbed while streaming.
 */

#include <linux/multicap.h>

#include "multicap.h"

static const char * const multicap_test_patterns[] = {
	"Disabled",
	"Color Bars",
	"Tagged Lines",
	NULL
};

static const char * const multicap_ts_sources[] = {
	"End of Frame",
	"Start of Frame",
	NULL
};

/* Buffer flags of each V4L2_MULTICAP_TIMESTAMP_* source */
static const u32 multicap_ts_flags[] = {
	[V4L2_MULTICAP_TIMESTAMP_EOF] = V4L2_BUF_FLAG_TSTAMP_SRC_EOF,
	[V4L2_MULTICAP_TIMESTAMP_SOF] = V4L2_BUF_FLAG_TSTAMP_SRC_SOE,
};

static const struct v4l2_ctrl_ops multicap_ctrl_ops;

static const struct v4l2_ctrl_config multicap_ctrl_progress = {
	.ops = &multicap_ctrl_ops,
	.id = V4L2_CID_MULTICAP_PROGRESS_LINES,
	.name = "Progress Event Lines",
	.type = V4L2_CTRL_TYPE_INTEGER,
	.min = 0,
	.max = MULTICAP_PROGRESS_LINES_MAX,
	.step = 1,
	.def = 0,
};

static const struct v4l2_ctrl_config multicap_ctrl_ts_source = {
	.ops = &multicap_ctrl_ops,
	.id = V4L2_CID_MULTICAP_TIMESTAMP_SOURCE,
	.name = "Timestamp Source",
	.type = V4L2_CTRL_TYPE_MENU,
	.max = V4L2_MULTICAP_TIMESTAMP_SOF,
	.def = V4L2_MULTICAP_TIMESTAMP_EOF,
	.qmenu = multicap_ts_sources,
};

static int multicap_s_ctrl(struct v4l2_ctrl *ctrl)
{
	struct multicap_channel *vc = container_of(ctrl->handler,
						   struct multicap_channel,
						   ctrl_handler);

	switch (ctrl->id) {
	case V4L2_CID_DV_RX_RGB_RANGE:
		vc->rgb_range = ctrl->val;
		/* The quantization of RGB formats follows it. */
		if (!vb2_is_busy(&vc->queue))
			multicap_format_refresh(vc);
		return 0;
	case V4L2_CID_MULTICAP_PROGRESS_LINES:
		WRITE_ONCE(vc->progress_lines, ctrl->val);
		multicap_events_update(vc);
		return 0;
	case V4L2_CID_MULTICAP_TIMESTAMP_SOURCE:
		/* Buffers of one queue all mark the same instant. */
		if (vb2_is_busy(&vc->queue))
			return -EBUSY;
		vc->ts_source = ctrl->val;
		vc->queue.timestamp_flags &= ~V4L2_BUF_FLAG_TSTAMP_SRC_MASK;
		vc->queue.timestamp_flags |= multicap_ts_flags[ctrl->val];
		return 0;
	case V4L2_CID_TEST_PATTERN:
		vc->tpg = ctrl->val;
		/* Takes effect at once; a stopped engine gets it at start. */
		if (multicap_hw_present(vc))
			multicap_ch_write(vc, MULTICAP_CH_TPG, vc->tpg);
		return 0;
	}
	return -EINVAL;
}

static int multicap_g_volatile_ctrl(struct v4l2_ctrl *ctrl)
{
	struct multicap_channel *vc = container_of(ctrl->handler,
						   struct multicap_channel,
						   ctrl_handler);
	u32 status = 0;

	if (ctrl->id != V4L2_CID_DV_RX_POWER_PRESENT)
		return -EINVAL;
	if (multicap_hw_present(vc))
		status = multicap_ch_read(vc, MULTICAP_CH_STATUS);
	ctrl->val = status != ~0U && (status & MULTICAP_STATUS_SIGNAL);
	return 0;
}

/* Control operations of a channel. */
static const struct v4l2_ctrl_ops multicap_ctrl_ops = {
	.g_volatile_ctrl = multicap_g_volatile_ctrl,
	.s_ctrl = multicap_s_ctrl,
};

/**
 * multicap_ctrls_init() - create a channel's controls
 * @vc: the channel
 *
 * Return: 0 or the control handler's error.
 */
int multicap_ctrls_init(struct multicap_channel *vc)
{
	struct v4l2_ctrl_handler *hdl = &vc->ctrl_handler;
	struct v4l2_ctrl *ctrl;

	v4l2_ctrl_handler_init(hdl, 5);
	ctrl = v4l2_ctrl_new_std(hdl, &multicap_ctrl_ops,
				 V4L2_CID_DV_RX_POWER_PRESENT, 0, 1, 0, 0);
	if (ctrl)
		ctrl->flags |= V4L2_CTRL_FLAG_VOLATILE;
	v4l2_ctrl_new_std_menu(hdl, &multicap_ctrl_ops, V4L2_CID_DV_RX_RGB_RANGE,
			       V4L2_DV_RGB_RANGE_FULL, 0, V4L2_DV_RGB_RANGE_AUTO);
	v4l2_ctrl_new_std_menu_items(hdl, &multicap_ctrl_ops,
				     V4L2_CID_TEST_PATTERN,
				     ARRAY_SIZE(multicap_test_patterns) - 2,
				     0, MULTICAP_TPG_LIVE,
				     multicap_test_patterns);
	if (vc->dev->caps & MULTICAP_CAP_EVENTS)
		v4l2_ctrl_new_custom(hdl, &multicap_ctrl_progress, NULL);
	vc->ts_ctrl = v4l2_ctrl_new_custom(hdl, &multicap_ctrl_ts_source, NULL);
	return hdl->error;
}
