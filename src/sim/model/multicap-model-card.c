// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-model-card.c - the simulated card: registers, interrupt, input
 *
 * The register file of include/multicap-regs.h and its side effects, the
 * card's one interrupt (with coalescing), the inputs and the faults a host
 * injects. Writes to undefined or read-only registers are ignored, as on
 * silicon, and counted (undef_writes) so a test can see them.
 */

#include "multicap-model.h"

/* Schedule the interrupt if one is pending and unmasked. card->lock held. */
static void multicap_model_kick_irq(struct multicap_model_card *card)
{
	u64 at;

	if (card->link_down || !card->irq_enable ||
	    !(card->irq_status & card->irq_mask) ||
	    card->ops->timer_pending(card, MULTICAP_MODEL_TIMER_IRQ))
		return;
	at = card->ops->now_ns(card);
	if (card->coalesce_us)
		at = max(at, card->last_irq + card->coalesce_us * NSEC_PER_USEC);
	card->ops->timer_start(card, MULTICAP_MODEL_TIMER_IRQ, at);
}

/**
 * multicap_model_irq_asserted() - whether the card's interrupt condition holds
 * @card: the card
 *
 * A level-triggered host (INTx) drives its line from this.
 *
 * Return: true while an unmasked cause is set in IRQ_STATUS and
 * IRQ_ENABLE is on.
 */
bool multicap_model_irq_asserted(struct multicap_model_card *card)
{
	unsigned long flags;
	bool on;

	spin_lock_irqsave(&card->lock, flags);
	on = !card->link_down && card->irq_enable &&
	     (card->irq_status & card->irq_mask);
	spin_unlock_irqrestore(&card->lock, flags);
	return on;
}

/**
 * multicap_model_irq_fire() - the interrupt timer expired: send an interrupt now?
 * @card: the card
 *
 * Return: true if the host must send the card's interrupt message.
 */
bool multicap_model_irq_fire(struct multicap_model_card *card)
{
	unsigned long flags;
	bool fire;

	spin_lock_irqsave(&card->lock, flags);
	fire = !card->link_down && (card->spurious || (card->irq_enable &&
	       (card->irq_status & card->irq_mask)));
	card->spurious = false;
	if (fire) {
		card->last_irq = card->ops->now_ns(card);
		card->irqs++;
	}
	spin_unlock_irqrestore(&card->lock, flags);
	return fire;
}

/**
 * multicap_model_raise() - report news of a channel in the cause registers
 * @card: the card
 * @cause: MULTICAP_CAUSE_FRAME(n) or MULTICAP_CAUSE_INPUT(n)
 * @irq: also set it in IRQ_STATUS (DATA_READY gets every cause)
 */
void multicap_model_raise(struct multicap_model_card *card, u32 cause, bool irq)
{
	unsigned long flags;

	spin_lock_irqsave(&card->lock, flags);
	card->data_ready |= cause;
	if (irq) {
		card->irq_status |= cause;
		multicap_model_kick_irq(card);
	}
	spin_unlock_irqrestore(&card->lock, flags);
}

/**
 * multicap_model_card_clock() - the card clock at an instant of the host's clock
 * @card: the card
 * @host_ns: the instant, on the @card->ops->now_ns clock, not before
 *	@card->epoch
 *
 * The counter ticks once a ns, off by @card->clock_ppb: with d the host
 * time since @card->epoch, it reads d + d / 1000 * ppb / 10^6 (whole
 * microseconds of d, the product truncated toward zero). Whole seconds
 * are corrected apart, exactly, so the product cannot overflow however
 * long the card runs.
 *
 * Return: the card clock at @host_ns.
 */
u64 multicap_model_card_clock(const struct multicap_model_card *card, u64 host_ns)
{
	u64 d = host_ns - card->epoch;
	u32 rem;
	u64 sec = div_u64_rem(d, NSEC_PER_SEC, &rem);

	return d + (s64)sec * card->clock_ppb +
	       div_s64((s64)(rem / NSEC_PER_USEC) * card->clock_ppb,
		       USEC_PER_SEC);
}

/**
 * multicap_model_card_stop() - stop every engine and the interrupt timer, and wait
 * @card: the card; no model lock held
 */
void multicap_model_card_stop(struct multicap_model_card *card)
{
	unsigned int i;

	for (i = 0; i < card->nch; i++)
		multicap_model_engine_stop(&card->ch[i]);
	card->ops->timer_stop(card, MULTICAP_MODEL_TIMER_IRQ, true);
}

/**
 * multicap_model_set_link_down() - simulate surprise removal of the card from the bus
 * @card: the card; no model lock held
 */
void multicap_model_set_link_down(struct multicap_model_card *card)
{
	unsigned long flags;

	spin_lock_irqsave(&card->lock, flags);
	WRITE_ONCE(card->link_down, true);
	spin_unlock_irqrestore(&card->lock, flags);
	multicap_model_card_stop(card);
}

static u32 multicap_model_read_channel(struct multicap_model_channel *ch, unsigned int off)
{
	u32 status;

	switch (off) {
	case MULTICAP_CH_CTRL:
		return ch->ctrl;
	case MULTICAP_CH_STATUS:
		status = ch->err;
		if (ch->mode.width)
			status |= MULTICAP_STATUS_SIGNAL | MULTICAP_STATUS_LOCKED;
		if (ch->busy)
			status |= MULTICAP_STATUS_BUSY;
		return status;
	case MULTICAP_CH_IN_SIZE:
		return FIELD_PREP(MULTICAP_IN_WIDTH_MSK, ch->mode.width) |
		       FIELD_PREP(MULTICAP_IN_HEIGHT_MSK, ch->mode.height);
	case MULTICAP_CH_IN_TOTAL:
		return FIELD_PREP(MULTICAP_IN_HTOTAL_MSK, ch->mode.htotal) |
		       FIELD_PREP(MULTICAP_IN_VTOTAL_MSK, ch->mode.vtotal);
	case MULTICAP_CH_IN_PIXCLK_KHZ:
		return ch->mode.pixclk_khz;
	case MULTICAP_CH_IN_FRAME_NS:
		return ch->mode.frame_ns;
	case MULTICAP_CH_FORMAT:
		return ch->format;
	case MULTICAP_CH_DECIMATE:
		return ch->decimate;
	case MULTICAP_CH_TPG:
		return ch->tpg;
	case MULTICAP_CH_RING_BASE_LO:
		return lower_32_bits(ch->ring_base);
	case MULTICAP_CH_RING_BASE_HI:
		return upper_32_bits(ch->ring_base);
	case MULTICAP_CH_RING_SIZE:
		return ch->ring_size;
	case MULTICAP_CH_RING_PROD:
		return ch->prod;
	case MULTICAP_CH_RING_CONS:
		return ch->cons;
	case MULTICAP_CH_FRAME_COUNT:
		return ch->frame_count;
	case MULTICAP_CH_DROP_COUNT:
		return ch->drop_count;
	case MULTICAP_CH_OVERFLOW_COUNT:
		return ch->overflow_count;
	case MULTICAP_CH_ABORT_COUNT:
		return ch->abort_count;
	case MULTICAP_CH_CAP_SIZE:
		return ch->cap_size;
	case MULTICAP_CH_CAP_FRAME_NS:
		return ch->cap_frame_ns;
	case MULTICAP_CH_EVENTS:
		return ch->events;
	}
	return 0;
}

/* Returns false for a register that takes no writes. */
static bool multicap_model_write_channel(struct multicap_model_channel *ch,
					 unsigned int off, u32 val)
{
	bool running = ch->ctrl & MULTICAP_CTRL_ENABLE;

	switch (off) {
	case MULTICAP_CH_CTRL:
		if (val & MULTICAP_CTRL_RESET) {
			multicap_model_engine_reset(ch);
			break;
		}
		ch->ctrl = val & MULTICAP_CTRL_ENABLE;
		if (ch->ctrl && !running && !ch->busy)
			multicap_model_engine_enable(ch);
		else if (!ch->ctrl && running)
			multicap_model_engine_halt(ch);
		break;
	case MULTICAP_CH_STATUS:
		ch->err &= ~(val & MULTICAP_STATUS_ERR_MSK);
		break;
	case MULTICAP_CH_FORMAT:
		/* Geometry is latched at enable; ignore writes while running. */
		if (!running && FIELD_GET(MULTICAP_FORMAT_PIXFMT_MSK, val) <
		    MULTICAP_PIXFMT_COUNT && FIELD_GET(MULTICAP_FORMAT_LINES_MSK, val))
			ch->format = val & (MULTICAP_FORMAT_PIXFMT_MSK |
					    MULTICAP_FORMAT_LINES_MSK);
		break;
	case MULTICAP_CH_DECIMATE:
		ch->decimate = min_t(u32, val, MULTICAP_DECIMATE_MAX);
		break;
	case MULTICAP_CH_TPG:
		if (val < MULTICAP_TPG_COUNT && val != ch->tpg) {
			ch->tpg = val;
			if (ch->busy)
				multicap_model_pattern_prepare(ch);
		}
		break;
	case MULTICAP_CH_RING_BASE_LO:
		ch->ring_base = (ch->ring_base & ~0xffffffffULL) | val;
		break;
	case MULTICAP_CH_RING_BASE_HI:
		ch->ring_base = lower_32_bits(ch->ring_base) | ((u64)val << 32);
		break;
	case MULTICAP_CH_RING_SIZE:
		if (!running && is_power_of_2(val) && val <= MULTICAP_RING_SIZE_MAX)
			ch->ring_size = val;
		break;
	case MULTICAP_CH_RING_PROD:
		ch->prod = val & MULTICAP_RING_IDX_MSK;
		break;
	case MULTICAP_CH_CAP_SIZE:
		ch->cap_size = val;
		break;
	case MULTICAP_CH_CAP_FRAME_NS:
		ch->cap_frame_ns = val;
		break;
	case MULTICAP_CH_EVENTS:
		/* The engine reads it at each event: applies at once. */
		ch->events = val & (MULTICAP_EVENTS_SOF |
				    MULTICAP_EVENTS_PROGRESS_MSK);
		break;
	default:
		return false;
	}
	return true;
}

/* The channel whose register block holds @reg, or NULL. */
static struct multicap_model_channel *multicap_model_reg_channel(struct multicap_model_card *card,
								 unsigned int reg)
{
	unsigned int n;

	if (reg < MULTICAP_CH_BASE)
		return NULL;
	n = (reg - MULTICAP_CH_BASE) / MULTICAP_CH_STRIDE;
	return n < card->nch ? &card->ch[n] : NULL;
}

static u32 multicap_model_read_global(struct multicap_model_card *card, unsigned int reg)
{
	switch (reg) {
	case MULTICAP_REG_ID:
		return MULTICAP_ID_VALUE;
	case MULTICAP_REG_VERSION:
		return MULTICAP_MODEL_VERSION;
	case MULTICAP_REG_CAPS:
		return MULTICAP_CAP_IRQ | MULTICAP_CAP_DATA_READY |
		       MULTICAP_CAP_TPG | MULTICAP_CAP_DECIMATE |
		       MULTICAP_CAP_DMA64 | MULTICAP_CAP_CLOCK |
		       MULTICAP_CAP_EVENTS;
	case MULTICAP_REG_NUM_CHANNELS:
		return card->nch;
	case MULTICAP_REG_IRQ_STATUS:
		return card->irq_status;
	case MULTICAP_REG_IRQ_MASK:
		return card->irq_mask;
	case MULTICAP_REG_DATA_READY:
		return card->data_ready;
	case MULTICAP_REG_IRQ_COALESCE_US:
		return card->coalesce_us;
	case MULTICAP_REG_IRQ_ENABLE:
		return card->irq_enable;
	case MULTICAP_REG_CLOCK_LO:
		/* One latch, so LO then HI read one consistent 64-bit value. */
		card->clock_latch = multicap_model_card_clock(card,
							      card->ops->now_ns(card));
		return lower_32_bits(card->clock_latch);
	case MULTICAP_REG_CLOCK_HI:
		return upper_32_bits(card->clock_latch);
	case MULTICAP_REG_SYNC:
		return card->genlock ? MULTICAP_SYNC_GENLOCK : 0;
	}
	return 0;
}

/**
 * multicap_model_reg_read() - read a 32-bit register
 * @card: the card
 * @reg: byte offset in the register window
 *
 * Return: the value; all-ones once the card has left the bus.
 */
u32 multicap_model_reg_read(struct multicap_model_card *card, unsigned int reg)
{
	struct multicap_model_channel *ch = multicap_model_reg_channel(card, reg);
	unsigned long flags;
	u32 val;

	spin_lock_irqsave(&card->lock, flags);
	val = card->link_down ? ~0U : multicap_model_read_global(card, reg);
	spin_unlock_irqrestore(&card->lock, flags);
	if (!ch || val == ~0U)
		return val;
	spin_lock_irqsave(&ch->lock, flags);
	val = multicap_model_read_channel(ch, (reg - MULTICAP_CH_BASE) % MULTICAP_CH_STRIDE);
	spin_unlock_irqrestore(&ch->lock, flags);
	return val;
}

static void multicap_model_global_reset(struct multicap_model_card *card)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < card->nch; i++) {
		spin_lock_irqsave(&card->ch[i].lock, flags);
		multicap_model_engine_reset(&card->ch[i]);
		spin_unlock_irqrestore(&card->ch[i].lock, flags);
	}
	spin_lock_irqsave(&card->lock, flags);
	card->irq_status = 0;
	card->irq_mask = 0;
	card->irq_enable = 0;
	card->data_ready = 0;
	card->coalesce_us = 0;
	spin_unlock_irqrestore(&card->lock, flags);
}

static bool multicap_model_write_global(struct multicap_model_card *card, unsigned int reg, u32 val)
{
	bool known = true;
	unsigned long flags;

	if (reg == MULTICAP_REG_RESET) {
		if (val != MULTICAP_RESET_KEY)
			return false;
		multicap_model_global_reset(card);
		return true;
	}

	spin_lock_irqsave(&card->lock, flags);
	switch (reg) {
	case MULTICAP_REG_IRQ_STATUS:
		card->irq_status &= ~val;
		break;
	case MULTICAP_REG_IRQ_MASK:
		/* Both halves of the cause layout, for the channels there are */
		card->irq_mask = val & (GENMASK(card->nch - 1, 0) |
					GENMASK(16 + card->nch - 1, 16));
		break;
	case MULTICAP_REG_DATA_READY:
		card->data_ready &= ~val;
		break;
	case MULTICAP_REG_IRQ_COALESCE_US:
		card->coalesce_us = min_t(u32, val, USEC_PER_SEC);
		break;
	case MULTICAP_REG_IRQ_ENABLE:
		card->irq_enable = val & MULTICAP_IRQ_ENABLE_ON;
		break;
	default:
		known = false;
		break;
	}
	/* Unmasking with work pending asserts the line again. */
	multicap_model_kick_irq(card);
	spin_unlock_irqrestore(&card->lock, flags);
	return known;
}

/**
 * multicap_model_reg_write() - write a 32-bit register
 * @card: the card
 * @reg: byte offset in the register window
 * @val: the value
 *
 * Writes to undefined or read-only registers are ignored and counted.
 */
void multicap_model_reg_write(struct multicap_model_card *card, unsigned int reg, u32 val)
{
	struct multicap_model_channel *ch;
	unsigned long flags;
	bool known;

	if (READ_ONCE(card->link_down))
		return;
	if (reg < MULTICAP_CH_BASE) {
		known = multicap_model_write_global(card, reg, val);
	} else {
		ch = multicap_model_reg_channel(card, reg);
		known = false;
		if (ch) {
			spin_lock_irqsave(&ch->lock, flags);
			known = multicap_model_write_channel(ch, (reg - MULTICAP_CH_BASE) %
							     MULTICAP_CH_STRIDE, val);
			spin_unlock_irqrestore(&ch->lock, flags);
		}
	}
	if (!known) {
		spin_lock_irqsave(&card->lock, flags);
		card->undef_writes++;
		spin_unlock_irqrestore(&card->lock, flags);
	}
}

/**
 * multicap_model_set_input() - plug a new input signal into a channel (or pull it)
 * @ch: the channel
 * @mode: the new mode, width 0 for no signal
 *
 * The detected-input registers change at once and INPUT_CHANGED is raised;
 * a running engine keeps the geometry and timing it latched at enable and
 * shows the no-signal picture while the input does not match them.
 */
void multicap_model_set_input(struct multicap_model_channel *ch,
			      const struct multicap_model_mode *mode)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	if (memcmp(&ch->mode, mode, sizeof(*mode))) {
		ch->mode = *mode;
		ch->err |= MULTICAP_STATUS_INPUT_CHANGED;
		if (ch->busy)
			multicap_model_pattern_prepare(ch);
		multicap_model_raise(ch->card, MULTICAP_CAUSE_INPUT(ch->index), true);
	}
	spin_unlock_irqrestore(&ch->lock, flags);
}

/**
 * multicap_model_get_input() - the mode plugged into a channel
 * @ch: the channel
 * @mode: filled in
 */
void multicap_model_get_input(struct multicap_model_channel *ch, struct multicap_model_mode *mode)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	*mode = ch->mode;
	spin_unlock_irqrestore(&ch->lock, flags);
}

/**
 * multicap_model_inject() - inject a fault by name
 * @ch: the channel it concerns (link-down and spurious-irq: the card)
 * @name: one of multicap_model_fault_names, a trailing newline is accepted
 *
 * Context: no model lock held; link-down waits for the engines to stop.
 *
 * Return: 0, or -EINVAL for an unknown name.
 */
int multicap_model_inject(struct multicap_model_channel *ch, const char *name)
{
	struct multicap_model_card *card = ch->card;
	int fault = multicap_model_fault_lookup(name);
	unsigned long flags;

	switch (fault) {
	case MULTICAP_MODEL_FAULT_LINK_DOWN:
		multicap_model_set_link_down(card);
		return 0;
	case MULTICAP_MODEL_FAULT_SPURIOUS:
		spin_lock_irqsave(&card->lock, flags);
		card->spurious = true;
		card->ops->timer_start(card, MULTICAP_MODEL_TIMER_IRQ,
				       card->ops->now_ns(card));
		spin_unlock_irqrestore(&card->lock, flags);
		return 0;
	case MULTICAP_MODEL_FAULT_DESC:
	case MULTICAP_MODEL_FAULT_OVERFLOW:
	case MULTICAP_MODEL_FAULT_STRAY:
	case MULTICAP_MODEL_FAULT_STALL:
	case MULTICAP_MODEL_FAULT_DESC_LOST:
		break;
	default:
		return -EINVAL;
	}
	spin_lock_irqsave(&ch->lock, flags);
	if (fault == MULTICAP_MODEL_FAULT_DESC)
		ch->fault_desc = true;
	else if (fault == MULTICAP_MODEL_FAULT_OVERFLOW)
		ch->fault_overflow = true;
	else if (fault == MULTICAP_MODEL_FAULT_STRAY)
		ch->fault_stray = true;
	else if (fault == MULTICAP_MODEL_FAULT_DESC_LOST)
		ch->fault_lost++;	/* each injection costs its own frame */
	else
		ch->stalled = true;
	spin_unlock_irqrestore(&ch->lock, flags);
	return 0;
}

/**
 * multicap_model_card_alloc() - create a card model, every engine stopped
 * @index: card number
 * @nch: channels, 1..MULTICAP_MAX_CHANNELS
 * @mode: the input of every channel
 * @lpc: the FORMAT register's lines per chunk at reset, 1..255
 * @ops: the host's services
 * @host: the host's state, stored in the card for @ops
 *
 * The host sets @stray_addr, @nofill, @genlock and @clock_ppb (default
 * MULTICAP_MODEL_DEFAULT_CLOCK_PPB) before the driver can reach the card. The card
 * clock starts at 0 now.
 *
 * Return: the card, or NULL if out of memory or an argument is out of
 * range.
 */
struct multicap_model_card *
multicap_model_card_alloc(unsigned int index, unsigned int nch,
			  const struct multicap_model_mode *mode, unsigned int lpc,
			  const struct multicap_model_host_ops *ops, void *host)
{
	static const bool multicap_model_nofill_off;
	struct multicap_model_card *card;
	unsigned int i;

	if (!nch || nch > MULTICAP_MAX_CHANNELS || !lpc ||
	    lpc > FIELD_MAX(MULTICAP_FORMAT_LINES_MSK))
		return NULL;
	card = multicap_model_zalloc(sizeof(*card) + nch * sizeof(card->ch[0]));
	if (!card)
		return NULL;
	card->ops = ops;
	card->host = host;
	card->nofill = &multicap_model_nofill_off;
	card->index = index;
	card->nch = nch;
	card->clock_ppb = MULTICAP_MODEL_DEFAULT_CLOCK_PPB;
	card->epoch = ops->now_ns(card);
	spin_lock_init(&card->lock);
	for (i = 0; i < nch; i++) {
		struct multicap_model_channel *ch = &card->ch[i];

		ch->card = card;
		ch->index = i;
		ch->mode = *mode;
		ch->format = FIELD_PREP(MULTICAP_FORMAT_LINES_MSK, lpc);
		spin_lock_init(&ch->lock);
		if (multicap_model_pattern_alloc(&ch->pat)) {
			multicap_model_card_free(card);
			return NULL;
		}
	}
	return card;
}

/**
 * multicap_model_card_free() - free a card model
 * @card: the card, stopped with multicap_model_card_stop(), or NULL
 */
void multicap_model_card_free(struct multicap_model_card *card)
{
	unsigned int i;

	if (!card)
		return;
	for (i = 0; i < card->nch; i++)
		multicap_model_pattern_free(&card->ch[i].pat);
	multicap_model_free(card);
}
