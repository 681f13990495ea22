// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-ctrls.c - a channel's V4L2 controls
 *
 * V4L2_CID_TEST_PATTERN selects the card's generator: the live input, colour
 * bars, or Tagged Lines (each line tagged with channel, frame and line, see
 * Documentation/admin-guide/media/multicap-sim.rst), used by the tests.
 */

#include "multicap.h"

static const char * const multicap_test_patterns[] = {
	"Disabled",
	"Color Bars",
	"Tagged Lines",
	NULL
};

static int multicap_s_ctrl(struct v4l2_ctrl *ctrl)
{
	struct multicap_channel *vc = container_of(ctrl->handler,
						   struct multicap_channel,
						   ctrl_handler);

	switch (ctrl->id) {
	case V4L2_CID_TEST_PATTERN:
		vc->tpg = ctrl->val;
		/* Takes effect at once; a stopped engine gets it at start. */
		if (!vc->gone && !READ_ONCE(vc->dev->link_down))
			multicap_ch_write(vc, MULTICAP_CH_TPG, vc->tpg);
		return 0;
	}
	return -EINVAL;
}

/* Control operations of a channel. */
static const struct v4l2_ctrl_ops multicap_ctrl_ops = {
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

	v4l2_ctrl_handler_init(hdl, 1);
	v4l2_ctrl_new_std_menu_items(hdl, &multicap_ctrl_ops,
				     V4L2_CID_TEST_PATTERN,
				     ARRAY_SIZE(multicap_test_patterns) - 2,
				     0, MULTICAP_TPG_LIVE,
				     multicap_test_patterns);
	return hdl->error;
}
