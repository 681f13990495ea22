// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-dma.c - descriptor lists, the frame ring, frame assembly
 */

/**
 * DOC: multicap DMA
 *
 * Every buffer gets a descriptor list, built once in buf_init from the
 * buffer's DMA scatter-gather list: one run of bytes per chunk of lines,
 * split at every segment boundary and, when bytesperline leaves padding, at
 * every line end so the padding is never written. The last descriptor of a
 * chunk carries EOC, the last of the frame EOF and IRQ: one interrupt a frame.
 *
 * Queuing a buffer writes one entry (list address, count, a new
 * generation tag) into the channel's frame ring and advances RING_PROD;
 * the engine takes an entry at each start of frame, so it never waits on
 * the driver while buffers are queued. With the ring empty the card drops
 * the frame whole and counts it. The card echoes the tag in every status
 * word it writes for that use of the entry, so nothing is cleared at
 * queue time: queuing is O(1) whatever the descriptor count.
 *
 * Completion (multicap_ring_complete(), from the hard IRQ or the polling
 * timer): entries whose status carries the buffer's tag and DONE are taken
 * in ring order, one entry read per frame. A good entry (no error, every
 * descriptor counted) completes its buffer with sequence = card frame
 * number and the card's end-of-frame (or start-of-frame) time on
 * CLOCK_MONOTONIC; only otherwise are the descriptors read, the buffer
 * goes back on the ring and a chunk-error drop is counted, so a torn frame
 * never reaches userspace. A jump in frame numbers is attributed to FIFO
 * overflow (card counter) or to an empty ring. Buffers are handed to vb2
 * after qlock is dropped.
 *
 * A buffer leaves the ring only through completion or after the engine is
 * stopped and idle, so the card never writes a buffer userspace owns.
 */

#include <linux/dma-mapping.h>
#include <linux/iopoll.h>
#include <media/v4l2-common.h>
#include <media/videobuf2-dma-sg.h>
#include <linux/multicap.h>

#include "multicap.h"

#define MULTICAP_STOP_TIMEOUT_US	(500 * USEC_PER_MSEC)
#define MULTICAP_RESET_TIMEOUT_US	(100 * USEC_PER_MSEC)

/* Walks the buffer's DMA segments while descriptors are emitted. */
struct multicap_desc_cursor {
	struct scatterlist *sg;
	unsigned int nents;
	u64 seg_start;
	u32 line_bytes;
	struct multicap_desc *out;
	u32 n;
};

/* Emit the bytes [dst, dst + len) of the buffer, fed from @src onwards. */
static int multicap_desc_emit(struct multicap_desc_cursor *c, u64 dst,
			      u32 src, u32 len)
{
	while (len) {
		u64 seg_len, in_seg;
		u32 n;

		while (c->nents && c->seg_start + sg_dma_len(c->sg) <= dst) {
			c->seg_start += sg_dma_len(c->sg);
			c->sg = sg_next(c->sg);
			c->nents--;
		}
		/* Never describe bytes beyond what the buffer mapped. */
		if (!c->nents)
			return -EINVAL;
		seg_len = sg_dma_len(c->sg);
		in_seg = dst - c->seg_start;
		n = min_t(u64, len, seg_len - in_seg);
		n = min_t(u32, n, MULTICAP_DESC_MAX_LEN);
		if (c->out) {
			struct multicap_desc *d = &c->out[c->n];

			d->addr = cpu_to_le64(sg_dma_address(c->sg) + in_seg);
			d->len = cpu_to_le32(n);
			d->ctrl = cpu_to_le32(FIELD_PREP(MULTICAP_DESC_LINE_MSK,
							 src / c->line_bytes));
			d->offset = cpu_to_le32(src);
			d->status = 0;
			d->frame = 0;
			d->rsvd = 0;
		}
		c->n++;
		dst += n;
		src += n;
		len -= n;
	}
	return 0;
}

static void multicap_desc_flag(struct multicap_desc_cursor *c, u32 flag)
{
	if (c->out && c->n)
		c->out[c->n - 1].ctrl |= cpu_to_le32(flag);
}

/* One pass over the frame: counts descriptors, and fills them if c->out. */
static int multicap_desc_walk(struct multicap_desc_cursor *c,
			      struct sg_table *sgt,
			      const struct v4l2_pix_format *pix,
			      unsigned int lines_per_chunk)
{
	u32 lines = multicap_stream_lines(pix);
	u32 line_bytes = c->line_bytes;
	u32 bpl = pix->bytesperline;
	u32 l0, l1, l;
	int ret = 0;

	c->sg = sgt->sgl;
	c->nents = sgt->nents;
	c->seg_start = 0;
	c->n = 0;
	for (l0 = 0; l0 < lines && !ret; l0 = l1) {
		l1 = min(l0 + lines_per_chunk, lines);
		if (bpl == line_bytes) {
			ret = multicap_desc_emit(c, (u64)l0 * bpl, l0 * line_bytes,
						 (l1 - l0) * line_bytes);
		} else {
			for (l = l0; l < l1 && !ret; l++)
				ret = multicap_desc_emit(c, (u64)l * bpl,
							 l * line_bytes,
							 line_bytes);
		}
		multicap_desc_flag(c, MULTICAP_DESC_EOC);
	}
	if (c->out && c->n) {
		c->out[0].ctrl |= cpu_to_le32(MULTICAP_DESC_SOF);
		multicap_desc_flag(c, MULTICAP_DESC_EOF | MULTICAP_DESC_IRQ);
	}
	return ret;
}

/**
 * multicap_desc_build() - build a buffer's descriptor list
 * @vc: the channel, whose current format the list describes
 * @buf: the buffer, with its memory mapped for DMA
 * @lines_per_chunk: lines the card moves per chunk
 *
 * Return: 0, -EINVAL if the buffer is too small for the format, -ENOMEM.
 */
int multicap_desc_build(struct multicap_channel *vc,
			struct multicap_buffer *buf,
			unsigned int lines_per_chunk)
{
	struct sg_table *sgt = vb2_dma_sg_plane_desc(&buf->vb.vb2_buf, 0);
	const struct v4l2_pix_format *pix = &vc->fmt;
	struct multicap_desc_cursor c = {
		.line_bytes = pix->width *
			      v4l2_format_info(pix->pixelformat)->bpp[0],
	};
	int ret;

	if (vb2_plane_size(&buf->vb.vb2_buf, 0) < pix->sizeimage)
		return -EINVAL;
	ret = multicap_desc_walk(&c, sgt, pix, lines_per_chunk);
	if (ret)
		return ret;

	buf->ndescs = c.n;
	buf->descs = dma_alloc_coherent(vc->dev->bus_dev,
					array_size(c.n, sizeof(*buf->descs)),
					&buf->descs_dma, GFP_KERNEL);
	if (!buf->descs)
		return -ENOMEM;
	c.out = buf->descs;
	return multicap_desc_walk(&c, sgt, pix, lines_per_chunk);
}

/**
 * multicap_desc_free() - free a buffer's descriptor list
 * @vc: the channel
 * @buf: the buffer
 */
void multicap_desc_free(struct multicap_channel *vc,
			struct multicap_buffer *buf)
{
	if (!buf->descs)
		return;
	dma_free_coherent(vc->dev->bus_dev, array_size(buf->ndescs, sizeof(*buf->descs)),
			  buf->descs, buf->descs_dma);
	buf->descs = NULL;
}

/**
 * multicap_ring_alloc() - allocate a channel's frame ring
 * @vc: the channel
 *
 * Return: 0 or -ENOMEM.
 */
int multicap_ring_alloc(struct multicap_channel *vc)
{
	vc->ring = dma_alloc_coherent(vc->dev->bus_dev,
				      MULTICAP_RING_SIZE * sizeof(*vc->ring),
				      &vc->ring_dma, GFP_KERNEL);
	return vc->ring ? 0 : -ENOMEM;
}

/**
 * multicap_ring_free() - free a channel's frame ring
 * @vc: the channel, its engine stopped
 */
void multicap_ring_free(struct multicap_channel *vc)
{
	if (vc->ring)
		dma_free_coherent(vc->dev->bus_dev,
				  MULTICAP_RING_SIZE * sizeof(*vc->ring),
				  vc->ring, vc->ring_dma);
	vc->ring = NULL;
}

/*
 * Hand a buffer to the engine. qlock held, engine running. O(1): the new
 * tag tells this use of the descriptor list from the last, so their
 * status words need no clearing.
 */
static void multicap_ring_push(struct multicap_channel *vc,
			       struct multicap_buffer *buf)
{
	struct multicap_ring_entry *e = &vc->ring[vc->prod % MULTICAP_RING_SIZE];

	/* Tag 0 is what a cleared status word carries: never use it. */
	if (!++vc->tag)
		vc->tag = 1;
	buf->tag = vc->tag;
	buf->synced = false;
	buf->lines_told = 0;
	e->list_addr = cpu_to_le64(buf->descs_dma);
	e->count = cpu_to_le32(buf->ndescs);
	e->tag = cpu_to_le32(buf->tag);
	e->status = 0;
	e->lines = 0;
	vc->prod = (vc->prod + 1) & MULTICAP_RING_IDX_MSK;
	/* The entry must be visible before the card sees the new index. */
	dma_wmb();
	multicap_ch_write(vc, MULTICAP_CH_RING_PROD, vc->prod);
}

/**
 * multicap_ring_queue() - queue a buffer for capture
 * @vc: the channel
 * @buf: the buffer
 *
 * Before the engine starts, the buffer only joins the list; start hands
 * every listed buffer to the ring.
 */
void multicap_ring_queue(struct multicap_channel *vc,
			 struct multicap_buffer *buf)
{
	unsigned long flags;

	spin_lock_irqsave(&vc->qlock, flags);
	list_add_tail(&buf->list, &vc->queued);
	if (vc->running)
		multicap_ring_push(vc, buf);
	spin_unlock_irqrestore(&vc->qlock, flags);
}

/* Program the engine from the channel's state and hand it every listed buffer. */
static int multicap_engine_program(struct multicap_channel *vc)
{
	struct multicap_buffer *buf;
	unsigned long flags;

	multicap_ch_write(vc, MULTICAP_CH_CTRL, MULTICAP_CTRL_RESET);
	if (multicap_ch_read(vc, MULTICAP_CH_CTRL) == ~0U) {
		multicap_card_lost(vc->dev);
		return -ENODEV;
	}
	multicap_ch_write(vc, MULTICAP_CH_FORMAT,
			  FIELD_PREP(MULTICAP_FORMAT_PIXFMT_MSK, vc->mfmt->hw) |
			  FIELD_PREP(MULTICAP_FORMAT_LINES_MSK,
				     vc->lines_per_chunk));
	multicap_ch_write(vc, MULTICAP_CH_TPG, vc->tpg);
	multicap_ch_write(vc, MULTICAP_CH_DECIMATE, vc->decimate);
	multicap_ch_write(vc, MULTICAP_CH_CAP_SIZE,
			  FIELD_PREP(MULTICAP_IN_WIDTH_MSK, vc->fmt.width) |
			  FIELD_PREP(MULTICAP_IN_HEIGHT_MSK, vc->fmt.height));
	multicap_ch_write(vc, MULTICAP_CH_CAP_FRAME_NS, multicap_frame_ns(vc));
	multicap_ch_write(vc, MULTICAP_CH_RING_BASE_LO, lower_32_bits(vc->ring_dma));
	multicap_ch_write(vc, MULTICAP_CH_RING_BASE_HI, upper_32_bits(vc->ring_dma));
	multicap_ch_write(vc, MULTICAP_CH_RING_SIZE, MULTICAP_RING_SIZE);

	spin_lock_irqsave(&vc->qlock, flags);
	vc->prod = 0;
	vc->tail = 0;
	vc->next_frame = 0;
	vc->last_overflow = 0;
	WRITE_ONCE(vc->running, true);
	/* The channel reset cleared CH_EVENTS. */
	vc->events = 0;
	multicap_events_program(vc);
	list_for_each_entry(buf, &vc->queued, list)
		multicap_ring_push(vc, buf);
	spin_unlock_irqrestore(&vc->qlock, flags);

	multicap_ch_write(vc, MULTICAP_CH_CTRL, MULTICAP_CTRL_ENABLE);
	return 0;
}

/**
 * multicap_engine_start() - program and start a channel's engine
 * @vc: the channel, with buffers possibly listed
 * @lines_per_chunk: lines the card moves per chunk
 *
 * Sequence numbers start at 0. The caller then has the watchdog watch the
 * channel (multicap_watchdog_arm()).
 *
 * Return: 0, or -ENODEV if the card does not answer.
 */
int multicap_engine_start(struct multicap_channel *vc,
			  unsigned int lines_per_chunk)
{
	unsigned long flags;

	vc->lines_per_chunk = lines_per_chunk;
	spin_lock_irqsave(&vc->qlock, flags);
	vc->seq_base = 0;
	spin_unlock_irqrestore(&vc->qlock, flags);
	return multicap_engine_program(vc);
}

/* Wait until the engine can no longer write memory. */
static int multicap_wait_idle(struct multicap_channel *vc, u32 timeout_us)
{
	unsigned int val;

	return regmap_read_poll_timeout(vc->dev->regmap,
					MULTICAP_CH(vc->index) + MULTICAP_CH_STATUS,
					val, val == ~0U ||
					!(val & MULTICAP_STATUS_BUSY),
					1000, timeout_us);
}

/**
 * multicap_engine_restart() - reset a hung engine, restart it on its buffers
 * @vc: the channel, streaming (the caller holds its vb_mutex)
 * @lost: frames of the input the hang cost, at least 1
 *
 * The buffers stay queued: the application sees a sequence gap of @lost
 * frames and nothing else. Frames the engine finished before it hung are
 * completed first, so numbering stays monotonic across the restart.
 *
 * Return: 0, -EIO if the engine stays busy after a reset, -ENODEV.
 */
int multicap_engine_restart(struct multicap_channel *vc, u32 lost)
{
	unsigned long flags;

	multicap_ch_write(vc, MULTICAP_CH_CTRL, MULTICAP_CTRL_RESET);
	if (multicap_wait_idle(vc, MULTICAP_RESET_TIMEOUT_US))
		return -EIO;
	multicap_ring_complete(vc);

	spin_lock_irqsave(&vc->qlock, flags);
	vc->seq_base += vc->next_frame + lost;
	vc->stats.drops_stall += lost;
	vc->stats.watchdog_resets++;
	spin_unlock_irqrestore(&vc->qlock, flags);
	return multicap_engine_program(vc);
}

/**
 * multicap_engine_stop() - stop a channel's engine and return its buffers
 * @vc: the channel
 *
 * Waits (bounded) until the engine is idle, so no buffer returned here is
 * written afterwards; an engine that does not stop is reset. Every buffer
 * still queued is returned with VB2_BUF_STATE_ERROR.
 */
void multicap_engine_stop(struct multicap_channel *vc)
{
	struct multicap_dev *dev = vc->dev;

	if (multicap_hw_present(vc)) {
		multicap_ch_write(vc, MULTICAP_CH_CTRL, 0);
		if (multicap_wait_idle(vc, MULTICAP_STOP_TIMEOUT_US)) {
			dev_warn(dev->bus_dev, "ch%u: engine did not stop, resetting\n",
				 vc->index);
			multicap_ch_write(vc, MULTICAP_CH_CTRL, MULTICAP_CTRL_RESET);
			if (multicap_wait_idle(vc, MULTICAP_RESET_TIMEOUT_US))
				dev_err(dev->bus_dev, "ch%u: engine still busy after reset\n",
					vc->index);
		}
	}

	multicap_ring_return_all(vc, VB2_BUF_STATE_ERROR);
}

/**
 * multicap_ring_return_all() - give every listed buffer back to vb2
 * @vc: the channel, its engine stopped or never started
 * @state: VB2_BUF_STATE_QUEUED (start failed) or VB2_BUF_STATE_ERROR
 *
 * Also waits for a completion pass that is handing buffers to vb2, so
 * that on return vb2 owns every buffer.
 */
void multicap_ring_return_all(struct multicap_channel *vc,
			      enum vb2_buffer_state state)
{
	struct multicap_buffer *buf, *tmp;
	unsigned long flags;
	LIST_HEAD(back);

	spin_lock_irqsave(&vc->qlock, flags);
	WRITE_ONCE(vc->running, false);
	list_splice_init(&vc->queued, &back);
	spin_unlock_irqrestore(&vc->qlock, flags);
	/* No new pass takes a buffer now; wait for one that holds some. */
	wait_event(vc->idle, !READ_ONCE(vc->completing));

	list_for_each_entry_safe(buf, tmp, &back, list) {
		list_del(&buf->list);
		vb2_buffer_done(&buf->vb.vb2_buf, state);
	}
}

/*
 * A frame whose summary disagrees with its list (no error, yet not every
 * descriptor counted): look at the descriptors, the only time they are read.
 */
static bool multicap_frame_assembled(struct multicap_buffer *buf, u32 frame)
{
	u32 i, st;

	for (i = 0; i < buf->ndescs; i++) {
		st = le32_to_cpu(READ_ONCE(buf->descs[i].status));
		if (!(st & MULTICAP_DSTAT_DONE) || (st & MULTICAP_DSTAT_ERR) ||
		    FIELD_GET(MULTICAP_DSTAT_TAG_MSK, st) != buf->tag ||
		    le32_to_cpu(buf->descs[i].frame) != frame)
			return false;
	}
	return true;
}

/* Attribute the frames between the last one seen and @frame. qlock held. */
static void multicap_count_drops(struct multicap_channel *vc, u32 frame)
{
	u32 gap = frame - vc->next_frame, overflow, n;

	if (!gap)
		return;
	overflow = multicap_ch_read(vc, MULTICAP_CH_OVERFLOW_COUNT);
	n = min(gap, overflow - vc->last_overflow);
	vc->last_overflow += n;
	vc->stats.drops_overflow += n;
	vc->stats.drops_no_buffer += gap - n;
}

/*
 * Take the finished entry at the tail. Returns the buffer if its frame is
 * good (sequence and card time set), NULL if it went back to the ring.
 * qlock held.
 */
static struct multicap_buffer *
multicap_ring_take(struct multicap_channel *vc, struct multicap_buffer *buf,
		   const struct multicap_ring_entry *e, u32 status)
{
	u32 frame = le32_to_cpu(e->frame);
	bool good = !(status & MULTICAP_DSTAT_ERR) &&
		    le32_to_cpu(e->done) == buf->ndescs;

	vc->tail = (vc->tail + 1) & MULTICAP_RING_IDX_MSK;
	list_del(&buf->list);
	vc->stats.completions++;
	multicap_count_drops(vc, frame);
	vc->next_frame = frame + 1;

	if (!good) {
		if (!(status & MULTICAP_DSTAT_ERR) &&
		    !multicap_frame_assembled(buf, frame))
			vc->stats.bad_assembly++;
		vc->stats.drops_chunk_error++;
		list_add_tail(&buf->list, &vc->queued);
		multicap_ring_push(vc, buf);
		return NULL;
	}
	buf->vb.sequence = vc->seq_base + frame;
	buf->card_time = le64_to_cpu(vc->ts_source == V4L2_MULTICAP_TIMESTAMP_SOF ?
				     e->sof_time : e->eof_time);
	vc->stats.frames++;
	return buf;
}

/**
 * multicap_ring_complete() - complete every frame the engine has finished
 * @vc: the channel
 *
 * One ring entry is read per frame; the descriptors only when the entry
 * says the frame went wrong. Frame notifications for the frame in flight
 * are queued on the way. Buffers go to vb2 after @vc->qlock is dropped.
 *
 * Context: any, including hard IRQ.
 *
 * Return: the number of good frames handed to vb2.
 */
unsigned int multicap_ring_complete(struct multicap_channel *vc)
{
	struct multicap_dev *dev = vc->dev;
	struct multicap_buffer *buf, *tmp;
	struct multicap_ring_entry *e;
	unsigned int n = 0;
	unsigned long flags;
	LIST_HEAD(done);
	u32 status;

	spin_lock_irqsave(&vc->qlock, flags);
	while (vc->running && !list_empty(&vc->queued)) {
		buf = list_first_entry(&vc->queued, struct multicap_buffer, list);
		e = &vc->ring[vc->tail % MULTICAP_RING_SIZE];
		status = le32_to_cpu(READ_ONCE(e->status));
		/* Not yet written back for this use of the entry */
		if (FIELD_GET(MULTICAP_DSTAT_TAG_MSK, status) != buf->tag)
			break;
		/* Read the rest of the entry only after its status. */
		dma_rmb();
		if (vc->events)
			multicap_events_frame(vc, buf, e, status);
		if (!(status & MULTICAP_DSTAT_DONE))
			break;
		buf = multicap_ring_take(vc, buf, e, status);
		if (buf)
			list_add_tail(&buf->list, &done);
	}
	if (list_empty(&done)) {
		spin_unlock_irqrestore(&vc->qlock, flags);
		return 0;
	}
	vc->completing++;
	spin_unlock_irqrestore(&vc->qlock, flags);

	list_for_each_entry_safe(buf, tmp, &done, list) {
		list_del(&buf->list);
		buf->vb.field = V4L2_FIELD_NONE;
		buf->vb.vb2_buf.timestamp = multicap_clock_to_mono(dev,
								   buf->card_time);
		vb2_set_plane_payload(&buf->vb.vb2_buf, 0, vc->fmt.sizeimage);
		vb2_buffer_done(&buf->vb.vb2_buf, VB2_BUF_STATE_DONE);
		n++;
	}

	spin_lock_irqsave(&vc->qlock, flags);
	if (!--vc->completing)
		wake_up(&vc->idle);
	spin_unlock_irqrestore(&vc->qlock, flags);
	return n;
}
