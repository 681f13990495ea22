// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-events.c - frame notifications: FRAME_SYNC and line progress
 */

/**
 * DOC: multicap frame notifications
 *
 * A channel node offers, besides SOURCE_CHANGE and control events:
 *
 * - V4L2_EVENT_FRAME_SYNC at each start of frame the card captures into a
 *   buffer, with the sequence number that buffer will be dequeued with;
 * - V4L2_EVENT_MULTICAP_PROGRESS (include/uapi/linux/multicap.h) each time
 *   another V4L2_CID_MULTICAP_PROGRESS_LINES lines of the frame's first
 *   plane have landed: buffer index, sequence, lines landed, and the card
 *   instant they had landed, on CLOCK_MONOTONIC.
 *
 * Both need a card with CAPS.EVENTS; on another, subscribing fails with
 * -EINVAL and the control does not exist.
 *
 * The card only raises what is asked for (CH_EVENTS): start-of-frame
 * interrupts while a file handle is subscribed to FRAME_SYNC, progress
 * interrupts while the control is non-zero. Both are queued from the
 * completion pass (hard IRQ) into the fixed-size event queues of the file
 * handles: an application that never reads its events loses the oldest
 * ones and never slows the capture.
 *
 * Reading landed lines before VIDIOC_DQBUF: when a progress event arrives,
 * lines [0, lines) of the buffer's first plane are in memory. On
 * DMA-coherent platforms (x86, and most PCIe hosts) an MMAP or USERPTR
 * mapping sees them as they are. Where the DMA mapping needs CPU syncs
 * (bounce buffers, non-coherent caches) the driver syncs the newly landed
 * range for the CPU before queuing the event. The rest of the buffer
 * belongs to the card until DQBUF; the application must not write to it.
 */

#include <media/v4l2-event.h>
#include <media/videobuf2-dma-sg.h>
#include <linux/multicap.h>

#include "multicap.h"

/* Events kept per file handle; past that the oldest are dropped. */
#define MULTICAP_SYNC_EVENTS		8
#define MULTICAP_PROGRESS_EVENTS	64

/* CH_EVENTS from what the subscribers and the control ask. qlock held. */
static u32 multicap_events_wanted(struct multicap_channel *vc)
{
	u32 lines = min(vc->progress_lines, vc->fmt.height);
	u32 ev = FIELD_PREP(MULTICAP_EVENTS_PROGRESS_MSK, lines);

	if (atomic_read(&vc->sync_subs))
		ev |= MULTICAP_EVENTS_SOF;
	return ev;
}

/**
 * multicap_events_program() - tell a running engine which notifications
 * to raise
 * @vc: the channel, with its qlock held
 */
void multicap_events_program(struct multicap_channel *vc)
{
	u32 ev = multicap_events_wanted(vc);

	if (!vc->running || ev == vc->events ||
	    !(vc->dev->caps & MULTICAP_CAP_EVENTS))
		return;
	vc->events = ev;
	if (multicap_hw_present(vc))
		multicap_ch_write(vc, MULTICAP_CH_EVENTS, ev);
}

/**
 * multicap_events_update() - a subscription or the control changed:
 * update a running engine
 * @vc: the channel
 */
void multicap_events_update(struct multicap_channel *vc)
{
	unsigned long flags;

	spin_lock_irqsave(&vc->qlock, flags);
	multicap_events_program(vc);
	spin_unlock_irqrestore(&vc->qlock, flags);
}

static int multicap_sync_add(struct v4l2_subscribed_event *sev,
			     unsigned int elems)
{
	struct multicap_channel *vc = video_get_drvdata(sev->fh->vdev);

	atomic_inc(&vc->sync_subs);
	multicap_events_update(vc);
	return 0;
}

static void multicap_sync_del(struct v4l2_subscribed_event *sev)
{
	struct multicap_channel *vc = video_get_drvdata(sev->fh->vdev);

	atomic_dec(&vc->sync_subs);
	multicap_events_update(vc);
}

/* FRAME_SYNC subscriptions switch the card's start-of-frame interrupts. */
static const struct v4l2_subscribed_event_ops multicap_sync_ops = {
	.add = multicap_sync_add,
	.del = multicap_sync_del,
};

/**
 * multicap_subscribe_event() - VIDIOC_SUBSCRIBE_EVENT of a channel node
 * @fh: the file handle
 * @sub: the subscription
 *
 * Return: 0 or a negative error code.
 */
int multicap_subscribe_event(struct v4l2_fh *fh,
			     const struct v4l2_event_subscription *sub)
{
	struct multicap_channel *vc = video_get_drvdata(fh->vdev);
	bool events = vc->dev->caps & MULTICAP_CAP_EVENTS;

	switch (sub->type) {
	case V4L2_EVENT_SOURCE_CHANGE:
		return v4l2_src_change_event_subscribe(fh, sub);
	case V4L2_EVENT_FRAME_SYNC:
		if (!events)
			return -EINVAL;
		return v4l2_event_subscribe(fh, sub, MULTICAP_SYNC_EVENTS,
					    &multicap_sync_ops);
	case V4L2_EVENT_MULTICAP_PROGRESS:
		if (!events)
			return -EINVAL;
		return v4l2_event_subscribe(fh, sub, MULTICAP_PROGRESS_EVENTS,
					    NULL);
	}
	return v4l2_ctrl_subscribe_event(fh, sub);
}

/*
 * Make lines [from, to) of the buffer visible to the CPU where the mapping
 * needs it (bounce buffers, non-coherent caches; a no-op on coherent direct
 * mappings). dma_sync_sg_*() must be given the whole mapped list, so the
 * part is synced segment by segment with dma_sync_single_range_for_cpu().
 * That needs each DMA segment to be one scatterlist entry, contiguous in
 * memory: when an IOMMU merged entries, the whole buffer is synced.
 */
static void multicap_sync_landed(struct multicap_channel *vc,
				 struct multicap_buffer *buf, u32 from, u32 to)
{
	struct sg_table *sgt = vb2_dma_sg_plane_desc(&buf->vb.vb2_buf, 0);
	struct device *bus_dev = vc->dev->bus_dev;
	u64 start = (u64)from * vc->fmt.bytesperline;
	u64 end = (u64)to * vc->fmt.bytesperline;
	struct scatterlist *sg;
	u64 pos = 0, lo, hi;
	unsigned int i;

	if (buf->vb.vb2_buf.memory == VB2_MEMORY_DMABUF || start >= end)
		return;
	if (sgt->nents != sgt->orig_nents) {
		dma_sync_sgtable_for_cpu(bus_dev, sgt, DMA_FROM_DEVICE);
		return;
	}
	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (pos >= end)
			break;
		lo = max(pos, start);
		hi = min(pos + sg_dma_len(sg), end);
		if (lo < hi)
			dma_sync_single_range_for_cpu(bus_dev, sg_dma_address(sg),
						      lo - pos, hi - lo,
						      DMA_FROM_DEVICE);
		pos += sg_dma_len(sg);
	}
}

/**
 * multicap_events_frame() - notify the start and progress of a frame
 * @vc: the channel, with its qlock held
 * @buf: the buffer the frame goes to
 * @e: its ring entry, written back for @buf (the status carries its tag)
 * @status: the entry's status word, read before the rest of @e
 *
 * Context: the completion pass, any context.
 */
void multicap_events_frame(struct multicap_channel *vc,
			   struct multicap_buffer *buf,
			   const struct multicap_ring_entry *e, u32 status)
{
	u32 seq = vc->seq_base + le32_to_cpu(e->frame);
	struct v4l2_event_multicap_progress *p;
	struct v4l2_event ev = {};
	u32 lines;
	u64 when;

	if (!(status & (MULTICAP_DSTAT_STARTED | MULTICAP_DSTAT_DONE)))
		return;
	if ((vc->events & MULTICAP_EVENTS_SOF) && !buf->synced) {
		buf->synced = true;
		ev.type = V4L2_EVENT_FRAME_SYNC;
		ev.u.frame_sync.frame_sequence = seq;
		v4l2_event_queue(&vc->vdev, &ev);
	}
	if (!(vc->events & MULTICAP_EVENTS_PROGRESS_MSK))
		return;
	/*
	 * The card writes the time, then the count: a count read twice the
	 * same around the time makes a matching pair.
	 */
	do {
		lines = le32_to_cpu(READ_ONCE(e->lines));
		dma_rmb();
		when = le64_to_cpu(READ_ONCE(e->line_time));
		dma_rmb();
	} while (lines != le32_to_cpu(READ_ONCE(e->lines)));
	lines = min(lines, vc->fmt.height);
	if (lines <= buf->lines_told)
		return;
	multicap_sync_landed(vc, buf, buf->lines_told, lines);
	memset(&ev, 0, sizeof(ev));
	ev.type = V4L2_EVENT_MULTICAP_PROGRESS;
	p = (struct v4l2_event_multicap_progress *)ev.u.data;
	p->index = buf->vb.vb2_buf.index;
	p->sequence = seq;
	p->lines = lines;
	p->height = vc->fmt.height;
	p->timestamp = multicap_clock_to_mono(vc->dev, when);
	buf->lines_told = lines;
	v4l2_event_queue(&vc->vdev, &ev);
}
