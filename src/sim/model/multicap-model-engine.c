// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-model-engine.c - the simulated card's per-channel DMA engine
 *
 * One host timer per channel paces the engine on the input's real timing:
 * an event at every start of frame, then one per chunk of lines at the time
 * the chunk's last line has arrived. At start of frame the engine takes the
 * next frame-ring entry or drops the frame whole. At each chunk it completes
 * every descriptor whose bytes have all arrived: it writes the pixels at the
 * descriptor's bus address, writes the status back and raises the interrupt
 * if the descriptor asks for one. At the end of the frame it writes the
 * ring entry back with the frame's card times; as CH_EVENTS asks, it also
 * reports the start of frame and the progress of the lines through the
 * entry. The kernel host runs it in hard-IRQ
 * context, QEMU in its main-loop thread: beside the CPUs, as the hardware's
 * state machine would run.
 */

#include "multicap-model.h"

/* Descriptor lists longer than this are malformed. */
#define MULTICAP_MODEL_MAX_DESCS		BIT(20)

#define MULTICAP_MODEL_ENTRY(field)	offsetof(struct multicap_ring_entry, field)

/* Bus memory through the host; a refused access is counted. */
static int multicap_model_dma_read(struct multicap_model_channel *ch, u64 addr, void *buf, u32 len)
{
	struct multicap_model_card *card = ch->card;
	int ret = card->ops->dma_read(card, addr, buf, len);

	if (ret)
		card->dma_faults++;
	return ret;
}

static int multicap_model_dma_write(struct multicap_model_channel *ch, u64 addr, const void *buf,
				    u32 len)
{
	struct multicap_model_card *card = ch->card;
	int ret = card->ops->dma_write(card, addr, buf, len);

	if (ret)
		card->dma_faults++;
	return ret;
}

static int multicap_model_dma_write32(struct multicap_model_channel *ch, u64 addr, u32 val)
{
	__le32 v = cpu_to_le32(val);

	return multicap_model_dma_write(ch, addr, &v, sizeof(v));
}

static int multicap_model_dma_write64(struct multicap_model_channel *ch, u64 addr, u64 val)
{
	__le64 v = cpu_to_le64(val);

	return multicap_model_dma_write(ch, addr, &v, sizeof(v));
}

static u32 multicap_model_ring_fill(struct multicap_model_channel *ch)
{
	return (ch->prod - ch->cons) & MULTICAP_RING_IDX_MSK;
}

static u64 multicap_model_entry_addr(struct multicap_model_channel *ch, u32 idx)
{
	return ch->ring_base + (u64)(idx & (ch->ring_size - 1)) *
	       sizeof(struct multicap_ring_entry);
}

static u64 multicap_model_desc_addr(struct multicap_model_channel *ch, u32 i)
{
	return ch->list_addr + (u64)i * sizeof(struct multicap_desc);
}

/* A status word of the current frame: @flags and the entry's tag. */
static u32 multicap_model_status(struct multicap_model_channel *ch, u32 flags)
{
	return flags | FIELD_PREP(MULTICAP_DSTAT_TAG_MSK, ch->tag);
}

/*
 * When the chunk's last line arrives (host clock): the schedule, not the
 * timer's actual expiry, so the card's timestamps carry no timer latency.
 */
static u64 multicap_model_chunk_time(struct multicap_model_channel *ch, u32 chunk)
{
	u32 lines = min(chunk * ch->lpc, ch->stream_lines);

	return ch->frame_start + div_u64(ch->active_ns * lines, ch->stream_lines);
}

static u64 multicap_model_chunk_card_time(struct multicap_model_channel *ch, u32 chunk)
{
	return multicap_model_card_clock(ch->card, multicap_model_chunk_time(ch, chunk));
}

/*
 * Write back a descriptor's frame and status words. The status word goes
 * last: it publishes the descriptor.
 */
static void multicap_model_desc_write_back(struct multicap_model_channel *ch, u64 da, u32 flags)
{
	if (multicap_model_dma_write32(ch, da + offsetof(struct multicap_desc, frame),
				       ch->frame))
		return;
	dma_wmb();
	multicap_model_dma_write32(ch, da + offsetof(struct multicap_desc, status),
				   multicap_model_status(ch, flags));
}

/*
 * End the current frame: write the ring entry back, status last, and
 * advance CONS. An aborted frame ends at the current chunk's time.
 */
static void multicap_model_finish_frame(struct multicap_model_channel *ch, u32 code, bool irq)
{
	u64 e = multicap_model_entry_addr(ch, ch->entry_idx);
	u64 sof = multicap_model_card_clock(ch->card, ch->frame_start);
	u64 eof = multicap_model_chunk_card_time(ch, ch->chunk);
	u32 status = MULTICAP_DSTAT_DONE;

	if (code) {
		status |= MULTICAP_DSTAT_ERR |
			  FIELD_PREP(MULTICAP_DSTAT_CODE_MSK, code);
		ch->abort_count++;
		ch->err |= code == MULTICAP_ERR_OVERFLOW ?
			   MULTICAP_STATUS_ERR_OVERFLOW : MULTICAP_STATUS_ERR_DESC;
		irq = true;
	}
	/* The first refused write stops it: one fault, as the bus sees it. */
	if (!multicap_model_dma_write32(ch, e + MULTICAP_MODEL_ENTRY(frame), ch->frame) &&
	    !multicap_model_dma_write32(ch, e + MULTICAP_MODEL_ENTRY(done),
					ch->next_desc - ch->desc_lost) &&
	    !multicap_model_dma_write64(ch, e + MULTICAP_MODEL_ENTRY(eof_time), eof) &&
	    !multicap_model_dma_write64(ch, e + MULTICAP_MODEL_ENTRY(sof_time), sof)) {
		dma_wmb();
		multicap_model_dma_write32(ch, e + MULTICAP_MODEL_ENTRY(status),
					   multicap_model_status(ch, status));
	}
	ch->cons = (ch->cons + 1) & MULTICAP_RING_IDX_MSK;
	ch->in_frame = false;
	multicap_model_raise(ch->card, MULTICAP_CAUSE_FRAME(ch->index), irq);
}

/*
 * CH_EVENTS SOF or PROGRESS: publish the entry just taken as STARTED, so
 * the driver knows the frame number progress reports belong to. Only SOF
 * raises the cause.
 */
static void multicap_model_sof_event(struct multicap_model_channel *ch)
{
	u64 e = multicap_model_entry_addr(ch, ch->entry_idx);

	if (!multicap_model_dma_write32(ch, e + MULTICAP_MODEL_ENTRY(frame), ch->frame) &&
	    !multicap_model_dma_write64(ch, e + MULTICAP_MODEL_ENTRY(sof_time),
					multicap_model_card_clock(ch->card, ch->frame_start))) {
		dma_wmb();
		multicap_model_dma_write32(ch, e + MULTICAP_MODEL_ENTRY(status),
					   multicap_model_status(ch, MULTICAP_DSTAT_STARTED));
	}
	if (ch->events & MULTICAP_EVENTS_SOF)
		multicap_model_raise(ch->card, MULTICAP_CAUSE_FRAME(ch->index), true);
}

/*
 * CH_EVENTS PROGRESS, after each chunk: once the first plane's landed
 * lines reach the next step (a multiple of PROGRESS, at last the plane's
 * height), write them and their time into the entry and raise the cause.
 * The next step is counted from the lines last told, so a PROGRESS
 * changed mid-frame applies from the next report. The status word stays:
 * the driver knows which entry is in flight.
 */
static void multicap_model_progress_event(struct multicap_model_channel *ch)
{
	u32 step = FIELD_GET(MULTICAP_EVENTS_PROGRESS_MSK, ch->events);
	u32 landed = min(ch->chunk * ch->lpc, ch->height);
	u64 e = multicap_model_entry_addr(ch, ch->entry_idx);

	if (!step || ch->lines_told >= ch->height ||
	    landed < min((ch->lines_told / step + 1) * step, ch->height))
		return;
	ch->lines_told = landed;
	/* The time first: a driver that sees the new count finds its time. */
	if (!multicap_model_dma_write64(ch, e + MULTICAP_MODEL_ENTRY(line_time),
					multicap_model_chunk_card_time(ch, ch->chunk))) {
		dma_wmb();
		multicap_model_dma_write32(ch, e + MULTICAP_MODEL_ENTRY(lines), landed);
	}
	/* The words land before the cause that sends the driver to them. */
	dma_wmb();
	multicap_model_raise(ch->card, MULTICAP_CAUSE_FRAME(ch->index), true);
}

/* Start of frame: take a ring entry, or drop the frame whole. */
static void multicap_model_start_frame(struct multicap_model_channel *ch)
{
	struct multicap_ring_entry e;

	if (ch->skip) {
		/* Decimated frames are never captured and never counted. */
		ch->skip--;
		return;
	}
	ch->skip = ch->decimate;
	ch->frame = ch->frame_count++;

	if (ch->fault_overflow) {
		ch->fault_overflow = false;
		ch->overflow_count++;
		ch->err |= MULTICAP_STATUS_ERR_OVERFLOW;
		multicap_model_raise(ch->card, MULTICAP_CAUSE_FRAME(ch->index), true);
		return;
	}
	if (!ch->ring_size || !multicap_model_ring_fill(ch)) {
		ch->drop_count++;
		return;
	}

	ch->entry_idx = ch->cons;
	ch->in_frame = true;
	ch->chunk = 0;
	ch->next_desc = 0;
	ch->desc_lost = 0;
	ch->tag = 0;
	ch->lines_told = 0;
	if (multicap_model_dma_read(ch, multicap_model_entry_addr(ch, ch->entry_idx),
				    &e, sizeof(e))) {
		multicap_model_finish_frame(ch, MULTICAP_ERR_DMA, true);
		return;
	}
	ch->tag = le32_to_cpu(e.tag) & FIELD_MAX(MULTICAP_DSTAT_TAG_MSK);
	ch->list_addr = le64_to_cpu(e.list_addr);
	ch->list_count = le32_to_cpu(e.count);
	if (!ch->list_count || ch->list_count > MULTICAP_MODEL_MAX_DESCS) {
		multicap_model_finish_frame(ch, MULTICAP_ERR_BAD_DESC, true);
		return;
	}
	if (ch->events)
		multicap_model_sof_event(ch);
}

/* Complete one descriptor; returns an error code or 0. */
static u32 multicap_model_do_desc(struct multicap_model_channel *ch, const struct multicap_desc *d,
				  u32 offset, u32 len)
{
	u32 frame_bytes = ch->stream_lines * ch->line_bytes;
	u64 addr = le64_to_cpu(d->addr);

	if (!len || len > MULTICAP_DESC_MAX_LEN || offset + len > frame_bytes ||
	    offset + len < offset)
		return MULTICAP_ERR_BAD_DESC;
	if (ch->fault_stray) {
		ch->fault_stray = false;
		addr = ch->card->stray_addr;
	}
	if (READ_ONCE(*ch->card->nofill))
		return 0;
	if (multicap_model_pattern_fill(ch, ch->frame, offset, addr, len)) {
		ch->card->dma_faults++;
		return MULTICAP_ERR_DMA;
	}
	return 0;
}

/*
 * MULTICAP_MODEL_FAULT_DESC_LOST: the first descriptor due in the second half of a
 * frame is skipped, neither its bytes nor its status written, and not
 * counted in the entry's @done; nothing flags the frame, whose entry ends
 * DONE without ERR. One descriptor a frame, one frame an injection.
 */
static bool multicap_model_lose_desc(struct multicap_model_channel *ch)
{
	if (!ch->fault_lost || ch->desc_lost || ch->chunk <= ch->nchunks / 2)
		return false;
	ch->fault_lost--;
	ch->desc_lost++;
	return true;
}

/* A chunk of lines has arrived: complete the descriptors it covers. */
static void multicap_model_do_chunk(struct multicap_model_channel *ch)
{
	u32 lines, avail;
	bool fail, irq = false;

	ch->chunk++;
	lines = min(ch->chunk * ch->lpc, ch->stream_lines);
	avail = lines * ch->line_bytes;
	fail = ch->fault_desc && ch->chunk > ch->nchunks / 2;

	while (ch->next_desc < ch->list_count) {
		u64 da = multicap_model_desc_addr(ch, ch->next_desc);
		struct multicap_desc d;
		u32 offset, len, code;

		if (multicap_model_dma_read(ch, da, &d, sizeof(d))) {
			multicap_model_finish_frame(ch, MULTICAP_ERR_DMA, true);
			return;
		}
		offset = le32_to_cpu(d.offset);
		len = le32_to_cpu(d.len);
		if (offset + len > avail && offset + len >= offset &&
		    lines < ch->stream_lines)
			break;

		if (!fail && multicap_model_lose_desc(ch)) {
			irq |= le32_to_cpu(d.ctrl) & MULTICAP_DESC_IRQ;
			ch->next_desc++;
			continue;
		}
		code = fail ? MULTICAP_ERR_DMA : multicap_model_do_desc(ch, &d, offset, len);
		if (code) {
			ch->fault_desc = false;
			multicap_model_desc_write_back(ch, da, MULTICAP_DSTAT_DONE |
						       MULTICAP_DSTAT_ERR |
						       FIELD_PREP(MULTICAP_DSTAT_CODE_MSK,
								  code));
			multicap_model_finish_frame(ch, code, true);
			return;
		}
		multicap_model_desc_write_back(ch, da, MULTICAP_DSTAT_DONE);
		irq |= le32_to_cpu(d.ctrl) & MULTICAP_DESC_IRQ;
		ch->next_desc++;
	}

	/* Before the end of frame, whose status word goes last */
	multicap_model_progress_event(ch);
	if (ch->chunk >= ch->nchunks)
		multicap_model_finish_frame(ch, 0, irq);
	else if (irq)
		multicap_model_raise(ch->card, MULTICAP_CAUSE_FRAME(ch->index), true);
}

/* Frames the engine fell behind on (a starved simulator) overflow. */
static void multicap_model_catch_up(struct multicap_model_channel *ch, u64 now)
{
	while (ch->frame_start + ch->frame_ns < now) {
		ch->frame_start += ch->frame_ns;
		if (ch->skip) {
			ch->skip--;
			continue;
		}
		ch->skip = ch->decimate;
		ch->frame_count++;
		ch->overflow_count++;
	}
}

/**
 * multicap_model_engine_tick() - run a channel's engine at its timer's expiry
 * @ch: the channel; the caller holds no model lock
 *
 * Called by the host when the channel's timer fires.
 *
 * Return: when the timer must fire next (host clock, ns), or 0 if the
 * engine stopped and the timer must not be re-armed.
 */
u64 multicap_model_engine_tick(struct multicap_model_channel *ch)
{
	unsigned long flags;
	u64 next = 0;

	spin_lock_irqsave(&ch->lock, flags);
	if (!(ch->ctrl & MULTICAP_CTRL_ENABLE) || READ_ONCE(ch->card->link_down)) {
		ch->busy = false;
		goto out;
	}
	/* A hung engine: busy forever, until a reset. */
	if (ch->stalled)
		goto out;

	if (!ch->in_frame) {
		multicap_model_catch_up(ch, ch->card->ops->now_ns(ch->card));
		multicap_model_start_frame(ch);
	} else {
		multicap_model_do_chunk(ch);
	}

	if (ch->in_frame) {
		next = multicap_model_chunk_time(ch, ch->chunk + 1);
	} else {
		ch->frame_start += ch->frame_ns;
		next = ch->frame_start;
	}
out:
	spin_unlock_irqrestore(&ch->lock, flags);
	return next;
}

/*
 * Latch the capture geometry: CAP_* if set, else the input, else VGA. An
 * input of that geometry clocks the frames; otherwise the no-signal
 * generator runs free at CAP_FRAME_NS.
 */
static void multicap_model_engine_latch(struct multicap_model_channel *ch)
{
	struct multicap_model_mode m = ch->mode;
	u32 w = FIELD_GET(MULTICAP_IN_WIDTH_MSK, ch->cap_size);
	u32 h = FIELD_GET(MULTICAP_IN_HEIGHT_MSK, ch->cap_size);
	bool locked = m.width;

	if (!m.width)
		multicap_model_parse_mode("640x480p60", &m);
	if (w >= 16 && h >= 2 && w <= MULTICAP_MODEL_MAX_WIDTH && h <= MULTICAP_MODEL_MAX_HEIGHT &&
	    !(w & 1) && !(h & 1) && (w != m.width || h != m.height)) {
		m.width = w;
		m.height = h;
		m.vtotal = h + h / 24 + 6;
		locked = false;
	}
	if (!locked && ch->cap_frame_ns >= NSEC_PER_SEC / 240)
		m.frame_ns = ch->cap_frame_ns;
	ch->width = m.width;
	ch->height = m.height;
	ch->frame_ns = m.frame_ns;
	ch->active_ns = div_u64(m.frame_ns * m.height, m.vtotal);
}

/**
 * multicap_model_engine_enable() - latch the geometry and start the engine
 * @ch: the channel, with @ch->lock held
 *
 * The first start of frame is MULTICAP_MODEL_ENABLE_DELAY_NS from now; on a genlocked
 * card, the first instant of the card's frame grid from then on.
 */
void multicap_model_engine_enable(struct multicap_model_channel *ch)
{
	struct multicap_model_card *card = ch->card;
	u64 start, rem;

	multicap_model_engine_latch(ch);
	ch->pixfmt = FIELD_GET(MULTICAP_FORMAT_PIXFMT_MSK, ch->format);
	ch->lpc = FIELD_GET(MULTICAP_FORMAT_LINES_MSK, ch->format);
	ch->line_bytes = multicap_model_line_bytes(ch->pixfmt, ch->width);
	ch->stream_lines = multicap_model_stream_lines(ch->pixfmt, ch->height);
	ch->nchunks = DIV_ROUND_UP(ch->stream_lines, ch->lpc);
	multicap_model_pattern_prepare(ch);

	ch->frame_count = 0;
	ch->drop_count = 0;
	ch->overflow_count = 0;
	ch->abort_count = 0;
	ch->skip = 0;
	ch->in_frame = false;
	ch->busy = true;
	start = card->ops->now_ns(card) + MULTICAP_MODEL_ENABLE_DELAY_NS;
	if (card->genlock) {
		/*
		 * The next instant of the card-wide grid epoch + k * period:
		 * channels of one period start their frames together.
		 */
		div64_u64_rem(start - card->epoch, ch->frame_ns, &rem);
		if (rem)
			start += ch->frame_ns - rem;
	}
	ch->frame_start = start;
	card->ops->timer_start(card, ch->index, ch->frame_start);
}

/**
 * multicap_model_engine_reset() - channel reset: stop, clear indices, errors, EVENTS
 * @ch: the channel, with @ch->lock held
 *
 * The engine stops at its next event; BUSY reads clear once it has.
 */
void multicap_model_engine_reset(struct multicap_model_channel *ch)
{
	ch->ctrl = 0;
	ch->prod = 0;
	ch->cons = 0;
	/* The input's status belongs to the receiver, not to the engine. */
	ch->err &= MULTICAP_STATUS_INPUT_CHANGED;
	ch->events = 0;
	ch->in_frame = false;
	ch->fault_desc = false;
	ch->fault_overflow = false;
	ch->fault_stray = false;
	ch->fault_lost = 0;
	if (ch->stalled) {
		ch->stalled = false;
		ch->busy = false;
	}
	multicap_model_engine_halt(ch);
}

/**
 * multicap_model_engine_halt() - stop the engine after a disable, without waiting
 * @ch: the channel, with @ch->lock held and ENABLE already clear
 *
 * If the tick is running on another CPU, it sees ENABLE clear and drops
 * BUSY itself. A stalled engine stays BUSY until multicap_model_engine_reset().
 */
void multicap_model_engine_halt(struct multicap_model_channel *ch)
{
	ch->in_frame = false;
	/* A stalled engine ignores a disable: only a reset recovers it. */
	if (!ch->stalled && ch->busy &&
	    ch->card->ops->timer_stop(ch->card, ch->index, false))
		ch->busy = false;
}

/**
 * multicap_model_engine_stop() - stop a channel's engine and wait until it is idle
 * @ch: the channel; must not hold @ch->lock
 */
void multicap_model_engine_stop(struct multicap_model_channel *ch)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	ch->ctrl = 0;
	spin_unlock_irqrestore(&ch->lock, flags);
	ch->card->ops->timer_stop(ch->card, ch->index, true);
	spin_lock_irqsave(&ch->lock, flags);
	ch->busy = false;
	ch->in_frame = false;
	spin_unlock_irqrestore(&ch->lock, flags);
}
