/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * multicap.h - the multicap driver's own controls and events
 *
 * Everything else is standard V4L2. The control base and the event type
 * are the driver's private ranges; on merging, the control base gets its
 * V4L2_CID_USER_*_BASE entry in v4l2-controls.h.
 */
#ifndef _UAPI_LINUX_MULTICAP_H
#define _UAPI_LINUX_MULTICAP_H

#include <linux/types.h>
#include <linux/videodev2.h>

/* Clear of every range mainline reserves (UVC 0x11e0, RKISP1 0x1220, ...) */
#define V4L2_CID_USER_MULTICAP_BASE	(V4L2_CID_USER_BASE + 0x1280)

/*
 * Lines of the first plane between two V4L2_EVENT_MULTICAP_PROGRESS events
 * of a frame, 0 = off (the default). The card reports at chunk
 * boundaries, so an event comes at the first chunk boundary at or after
 * each multiple, and the last one of a frame when the plane's last line
 * has landed. Values above the frame height are clamped to the height
 * (one event a frame); a value need not divide the height.
 */
#define V4L2_CID_MULTICAP_PROGRESS_LINES	(V4L2_CID_USER_MULTICAP_BASE + 0)

/*
 * Which instant the buffer timestamp marks, both on the card's clock:
 * 0 = end of frame, when its last line landed (V4L2_BUF_FLAG_TSTAMP_SRC_EOF,
 * the default), 1 = start of frame, its first active line
 * (V4L2_BUF_FLAG_TSTAMP_SRC_SOE). Not settable while streaming.
 */
#define V4L2_CID_MULTICAP_TIMESTAMP_SOURCE	(V4L2_CID_USER_MULTICAP_BASE + 1)

enum v4l2_multicap_timestamp_source {
	V4L2_MULTICAP_TIMESTAMP_EOF = 0,
	V4L2_MULTICAP_TIMESTAMP_SOF = 1,
};

/* More lines of the frame being captured have landed in its buffer. */
#define V4L2_EVENT_MULTICAP_PROGRESS	(V4L2_EVENT_PRIVATE_START + 0x1000)

/**
 * struct v4l2_event_multicap_progress - payload of V4L2_EVENT_MULTICAP_PROGRESS
 * @index: index of the buffer being filled
 * @sequence: the sequence number that buffer will be dequeued with
 * @lines: lines of the first plane landed so far, counted from the top
 * @height: lines of the first plane in the frame
 * @timestamp: CLOCK_MONOTONIC time, in ns, at which @lines had landed
 *	(the card's clock, converted like buffer timestamps)
 * @reserved: zero
 *
 * Found in struct v4l2_event u.data. The lines are in memory when the
 * event is queued; see the driver documentation for reading them before
 * VIDIOC_DQBUF. A frame the card then fails is not delivered: its
 * buffer goes back to the card and @sequence shows as a gap.
 */
struct v4l2_event_multicap_progress {
	__u32 index;
	__u32 sequence;
	__u32 lines;
	__u32 height;
	__u64 timestamp;
	__u32 reserved[10];
};

#endif /* _UAPI_LINUX_MULTICAP_H */
