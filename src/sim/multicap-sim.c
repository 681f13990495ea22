// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-sim.c - simulated multicap card: module, register file, interrupt line
 *
 * Creates @cards platform devices named MULTICAP_PLATFORM_NAME. Each carries
 * register accessors that implement include/multicap-regs.h on a register
 * file kept here, an IRQ from this module's own interrupt domain, and a
 * DMA-capable struct device: the driver maps buffers on it and hands the
 * resulting bus addresses to the simulated engines exactly as to a real card.
 */

#include <linux/dma-mapping.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "multicap-sim.h"

#define MCS_MAX_CARDS		8
#define MCS_VERSION		((1 << 16) | 0)

static unsigned int cards = 1;
module_param(cards, uint, 0444);
MODULE_PARM_DESC(cards, "number of simulated cards, 1-8 (default 1)");

static unsigned int channels = 4;
module_param(channels, uint, 0444);
MODULE_PARM_DESC(channels, "channels per card, 1-16 (default 4)");

static char *mode = "1920x1080p60";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "input mode of every channel, WIDTHxHEIGHTpRATE (default 1920x1080p60)");

static bool nofill;
module_param(nofill, bool, 0644);
MODULE_PARM_DESC(nofill, "complete descriptors without writing pixels (benchmarks)");

static struct mcs_card *mcs_cards[MCS_MAX_CARDS];
static struct irq_domain *mcs_domain;
static struct fwnode_handle *mcs_fwnode;
static struct dentry *mcs_debugfs;

/* Totals of the CEA-861 modes; others get a generic small blanking. */
static const struct {
	u32 width, height, htotal, vtotal;
} mcs_totals[] = {
	{ 640, 480, 800, 525 },
	{ 720, 480, 858, 525 },
	{ 720, 576, 864, 625 },
	{ 1280, 720, 1650, 750 },
	{ 1920, 1080, 2200, 1125 },
	{ 3840, 2160, 4400, 2250 },
};

/**
 * mcs_parse_mode() - parse "WIDTHxHEIGHTpRATE" or "none"
 * @s: the text, a trailing newline is accepted
 * @mode: filled in on success
 *
 * Return: 0, or -EINVAL for text that is not a mode the card can receive.
 */
int mcs_parse_mode(const char *s, struct mcs_mode *mode)
{
	unsigned int w, h, fps, i;
	char end;
	int n;

	memset(mode, 0, sizeof(*mode));
	if (sysfs_streq(s, "none"))
		return 0;
	n = sscanf(s, "%ux%up%u%c", &w, &h, &fps, &end);
	if (n < 3 || (n == 4 && end != '\n'))
		return -EINVAL;
	if (w < 64 || w > MCS_MAX_WIDTH || h < 64 || h > MCS_MAX_HEIGHT ||
	    (w & 1) || (h & 1) || fps < 1 || fps > 120)
		return -EINVAL;

	mode->width = w;
	mode->height = h;
	mode->fps = fps;
	mode->htotal = w + 160;
	mode->vtotal = h + h / 24 + 6;
	for (i = 0; i < ARRAY_SIZE(mcs_totals); i++) {
		if (mcs_totals[i].width == w && mcs_totals[i].height == h) {
			mode->htotal = mcs_totals[i].htotal;
			mode->vtotal = mcs_totals[i].vtotal;
		}
	}
	mode->pixclk_khz = div_u64((u64)mode->htotal * mode->vtotal * fps, 1000);
	mode->frame_ns = div_u64(NSEC_PER_SEC, fps);
	return 0;
}

/**
 * mcs_format_mode() - print a mode the way mcs_parse_mode() reads it
 * @mode: the mode
 * @buf: output
 * @size: size of @buf
 *
 * Return: the number of characters written.
 */
int mcs_format_mode(const struct mcs_mode *mode, char *buf, size_t size)
{
	if (!mode->width)
		return scnprintf(buf, size, "none\n");
	return scnprintf(buf, size, "%ux%up%u\n", mode->width, mode->height,
			 mode->fps);
}

static enum hrtimer_restart mcs_irq_timer_fn(struct hrtimer *t)
{
	struct mcs_card *card = container_of(t, struct mcs_card, irq_timer);
	bool fire;

	spin_lock(&card->lock);
	fire = !card->link_down && (card->spurious || (card->irq_enable &&
	       (card->irq_status & card->irq_mask)));
	card->spurious = false;
	if (fire)
		card->last_irq = ktime_get_ns();
	spin_unlock(&card->lock);

	/* Message-signalled: one call per assertion, in hard-IRQ context. */
	if (fire)
		generic_handle_irq(card->virq);
	return HRTIMER_NORESTART;
}

/* Schedule the interrupt if one is pending and unmasked. card->lock held. */
static void mcs_kick_irq(struct mcs_card *card)
{
	u64 at = ktime_get_ns();

	if (card->link_down || !card->irq_enable ||
	    !(card->irq_status & card->irq_mask) ||
	    hrtimer_is_queued(&card->irq_timer))
		return;
	if (card->coalesce_us)
		at = max(at, card->last_irq + card->coalesce_us * NSEC_PER_USEC);
	hrtimer_start(&card->irq_timer, ns_to_ktime(at), HRTIMER_MODE_ABS_HARD);
}

/**
 * mcs_raise() - report completed work of a channel
 * @card: the card
 * @ch: channel number
 * @irq: also set the channel's interrupt status bit
 */
void mcs_raise(struct mcs_card *card, unsigned int ch, bool irq)
{
	unsigned long flags;

	spin_lock_irqsave(&card->lock, flags);
	card->data_ready |= BIT(ch);
	if (irq) {
		card->irq_status |= BIT(ch);
		mcs_kick_irq(card);
	}
	spin_unlock_irqrestore(&card->lock, flags);
}

/**
 * mcs_set_link_down() - simulate surprise removal of the card from the bus
 * @card: the card
 */
void mcs_set_link_down(struct mcs_card *card)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&card->lock, flags);
	card->link_down = true;
	spin_unlock_irqrestore(&card->lock, flags);
	for (i = 0; i < card->nch; i++)
		mcs_engine_stop(&card->ch[i]);
}

static u32 mcs_read_channel(struct mcs_channel *ch, unsigned int off)
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
	}
	return 0;
}

static void mcs_write_channel(struct mcs_channel *ch, unsigned int off, u32 val)
{
	bool running = ch->ctrl & MULTICAP_CTRL_ENABLE;

	switch (off) {
	case MULTICAP_CH_CTRL:
		if (val & MULTICAP_CTRL_RESET) {
			mcs_engine_reset(ch);
			break;
		}
		ch->ctrl = val & MULTICAP_CTRL_ENABLE;
		if (ch->ctrl && !running && !ch->busy)
			mcs_engine_enable(ch);
		else if (!ch->ctrl && running)
			mcs_engine_halt(ch);
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
				mcs_pattern_prepare(ch);
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
	}
}

/* The channel whose register block holds @reg, or NULL. */
static struct mcs_channel *mcs_reg_channel(struct mcs_card *card,
					   unsigned int reg)
{
	unsigned int n;

	if (reg < MULTICAP_CH_BASE)
		return NULL;
	n = (reg - MULTICAP_CH_BASE) / MULTICAP_CH_STRIDE;
	return n < card->nch ? &card->ch[n] : NULL;
}

static int mcs_reg_read(void *context, unsigned int reg, unsigned int *val)
{
	struct mcs_card *card = context;
	struct mcs_channel *ch;
	unsigned long flags;

	spin_lock_irqsave(&card->lock, flags);
	if (card->link_down) {
		spin_unlock_irqrestore(&card->lock, flags);
		*val = ~0U;
		return 0;
	}
	switch (reg) {
	case MULTICAP_REG_ID:
		*val = MULTICAP_ID_VALUE;
		break;
	case MULTICAP_REG_VERSION:
		*val = MCS_VERSION;
		break;
	case MULTICAP_REG_CAPS:
		*val = MULTICAP_CAP_IRQ | MULTICAP_CAP_DATA_READY |
		       MULTICAP_CAP_TPG | MULTICAP_CAP_DECIMATE |
		       MULTICAP_CAP_DMA64;
		break;
	case MULTICAP_REG_NUM_CHANNELS:
		*val = card->nch;
		break;
	case MULTICAP_REG_IRQ_STATUS:
		*val = card->irq_status;
		break;
	case MULTICAP_REG_IRQ_MASK:
		*val = card->irq_mask;
		break;
	case MULTICAP_REG_DATA_READY:
		*val = card->data_ready;
		break;
	case MULTICAP_REG_IRQ_COALESCE_US:
		*val = card->coalesce_us;
		break;
	case MULTICAP_REG_IRQ_ENABLE:
		*val = card->irq_enable;
		break;
	default:
		*val = 0;
		break;
	}
	spin_unlock_irqrestore(&card->lock, flags);
	ch = mcs_reg_channel(card, reg);
	if (!ch)
		return 0;
	spin_lock_irqsave(&ch->lock, flags);
	*val = mcs_read_channel(ch, (reg - MULTICAP_CH_BASE) % MULTICAP_CH_STRIDE);
	spin_unlock_irqrestore(&ch->lock, flags);
	return 0;
}

static void mcs_write_global(struct mcs_card *card, unsigned int reg, u32 val)
{
	unsigned long flags;
	unsigned int i;

	if (reg == MULTICAP_REG_RESET) {
		if (val != MULTICAP_RESET_KEY)
			return;
		for (i = 0; i < card->nch; i++) {
			spin_lock_irqsave(&card->ch[i].lock, flags);
			mcs_engine_reset(&card->ch[i]);
			spin_unlock_irqrestore(&card->ch[i].lock, flags);
		}
		spin_lock_irqsave(&card->lock, flags);
		card->irq_status = 0;
		card->irq_mask = 0;
		card->irq_enable = 0;
		card->data_ready = 0;
		card->coalesce_us = 0;
		spin_unlock_irqrestore(&card->lock, flags);
		return;
	}

	spin_lock_irqsave(&card->lock, flags);
	switch (reg) {
	case MULTICAP_REG_IRQ_STATUS:
		card->irq_status &= ~val;
		break;
	case MULTICAP_REG_IRQ_MASK:
		card->irq_mask = val & GENMASK(card->nch - 1, 0);
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
	}
	/* Unmasking with work pending asserts the line again. */
	mcs_kick_irq(card);
	spin_unlock_irqrestore(&card->lock, flags);
}

static int mcs_reg_write(void *context, unsigned int reg, unsigned int val)
{
	struct mcs_card *card = context;
	struct mcs_channel *ch;
	unsigned long flags;

	if (READ_ONCE(card->link_down))
		return 0;
	if (reg < MULTICAP_CH_BASE) {
		mcs_write_global(card, reg, val);
		return 0;
	}
	ch = mcs_reg_channel(card, reg);
	if (!ch)
		return 0;
	spin_lock_irqsave(&ch->lock, flags);
	mcs_write_channel(ch, (reg - MULTICAP_CH_BASE) % MULTICAP_CH_STRIDE, val);
	spin_unlock_irqrestore(&ch->lock, flags);
	return 0;
}

/**
 * mcs_set_input() - plug a new input signal into a channel (or pull it)
 * @ch: the channel
 * @mode: the new mode, width 0 for no signal
 *
 * The detected-input registers change at once and INPUT_CHANGED is raised;
 * a running engine keeps the geometry and timing it latched at enable and
 * shows the no-signal picture while the input does not match them.
 */
void mcs_set_input(struct mcs_channel *ch, const struct mcs_mode *mode)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	if (memcmp(&ch->mode, mode, sizeof(*mode))) {
		ch->mode = *mode;
		ch->err |= MULTICAP_STATUS_INPUT_CHANGED;
		if (ch->busy)
			mcs_pattern_prepare(ch);
		mcs_raise(ch->card, ch->index, true);
	}
	spin_unlock_irqrestore(&ch->lock, flags);
}

static int mcs_irq_map(struct irq_domain *d, unsigned int virq,
		       irq_hw_number_t hw)
{
	irq_set_chip_and_handler(virq, &dummy_irq_chip, handle_simple_irq);
	return 0;
}

/* The simulator's interrupt domain: one line per card. */
static const struct irq_domain_ops mcs_irq_domain_ops = {
	.map = mcs_irq_map,
};

static void mcs_card_destroy(struct mcs_card *card)
{
	unsigned int i;

	/* The engines use the device for bus addresses: keep it until idle. */
	if (card->pdev)
		platform_device_unregister(card->pdev);
	for (i = 0; i < card->nch; i++)
		mcs_engine_stop(&card->ch[i]);
	hrtimer_cancel(&card->irq_timer);
	mcs_dma_exit(card);
	debugfs_remove_recursive(card->dbg);
	if (card->virq)
		irq_dispose_mapping(card->virq);
	for (i = 0; i < card->nch; i++)
		mcs_pattern_free(&card->ch[i].pat);
	if (card->pdev)
		put_device(&card->pdev->dev);
	kfree(card);
}

static int mcs_card_create(unsigned int index, const struct mcs_mode *m,
			   struct mcs_card **out)
{
	struct platform_device *pdev;
	struct resource res;
	struct mcs_card *card;
	unsigned int i;
	char name[16];
	int ret;

	card = kzalloc(struct_size(card, ch, channels), GFP_KERNEL);
	if (!card)
		return -ENOMEM;
	card->index = index;
	card->nch = channels;
	spin_lock_init(&card->lock);
	hrtimer_init(&card->irq_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	card->irq_timer.function = mcs_irq_timer_fn;
	snprintf(name, sizeof(name), "card%u", index);
	card->dbg = debugfs_create_dir(name, mcs_debugfs);
	debugfs_create_u64("dma_mappings", 0400, card->dbg, &card->dma_mappings);
	debugfs_create_u64("dma_refused", 0400, card->dbg, &card->dma_refused);
	ret = mcs_dma_init(card);
	if (ret)
		goto err_destroy;

	for (i = 0; i < channels; i++) {
		struct mcs_channel *ch = &card->ch[i];

		ch->card = card;
		ch->index = i;
		ch->mode = *m;
		ch->format = FIELD_PREP(MULTICAP_FORMAT_LINES_MSK, 16);
		mcs_engine_init(ch);
		ret = mcs_pattern_alloc(&ch->pat);
		if (ret)
			goto err_destroy;
		mcs_debugfs_init_channel(ch, card->dbg);
	}

	card->virq = irq_create_mapping(mcs_domain, index);
	if (!card->virq) {
		ret = -ENXIO;
		goto err_destroy;
	}

	card->pdata.reg_read = mcs_reg_read;
	card->pdata.reg_write = mcs_reg_write;
	card->pdata.context = card;
	card->pdata.model = "multicap simulated card";
	res = (struct resource)DEFINE_RES_IRQ(card->virq);
	pdev = platform_device_alloc(MULTICAP_PLATFORM_NAME, index);
	if (!pdev) {
		ret = -ENOMEM;
		goto err_destroy;
	}
	pdev->dev.coherent_dma_mask = DMA_BIT_MASK(64);
	pdev->platform_dma_mask = DMA_BIT_MASK(64);
	pdev->dev.dma_mask = &pdev->platform_dma_mask;
	ret = platform_device_add_resources(pdev, &res, 1);
	if (!ret)
		ret = platform_device_add_data(pdev, &card->pdata,
					       sizeof(card->pdata));
	/* The driver may map as soon as the device is added. */
	mcs_dma_attach(&pdev->dev);
	if (!ret)
		ret = platform_device_add(pdev);
	if (ret) {
		platform_device_put(pdev);
		goto err_destroy;
	}
	card->pdev = pdev;
	get_device(&card->pdev->dev);
	*out = card;
	return 0;

err_destroy:
	mcs_card_destroy(card);
	return ret;
}

static void mcs_cleanup(void)
{
	unsigned int i;

	for (i = 0; i < MCS_MAX_CARDS; i++) {
		if (mcs_cards[i])
			mcs_card_destroy(mcs_cards[i]);
		mcs_cards[i] = NULL;
	}
	if (mcs_domain)
		irq_domain_remove(mcs_domain);
	if (mcs_fwnode)
		irq_domain_free_fwnode(mcs_fwnode);
	debugfs_remove_recursive(mcs_debugfs);
}

static int __init mcs_init(void)
{
	struct mcs_mode m;
	unsigned int i;
	int ret;

	if (cards < 1 || cards > MCS_MAX_CARDS) {
		pr_err("multicap_sim: cards=%u out of range 1..%u\n", cards,
		       MCS_MAX_CARDS);
		return -EINVAL;
	}
	if (channels < 1 || channels > MULTICAP_MAX_CHANNELS) {
		pr_err("multicap_sim: channels=%u out of range 1..%u\n",
		       channels, MULTICAP_MAX_CHANNELS);
		return -EINVAL;
	}
	if (!mode || mcs_parse_mode(mode, &m) || !m.width) {
		pr_err("multicap_sim: mode=%s invalid, expected WIDTHxHEIGHTpRATE (64x64..%ux%u, 1..120 Hz, even sizes), e.g. 1280x720p60\n",
		       mode ? mode : "(null)", MCS_MAX_WIDTH, MCS_MAX_HEIGHT);
		return -EINVAL;
	}

	mcs_fwnode = irq_domain_alloc_named_fwnode("multicap_sim");
	if (!mcs_fwnode)
		return -ENOMEM;
	mcs_domain = irq_domain_create_linear(mcs_fwnode, MCS_MAX_CARDS,
					      &mcs_irq_domain_ops, NULL);
	if (!mcs_domain) {
		ret = -ENOMEM;
		goto err;
	}
	mcs_debugfs = debugfs_create_dir("multicap_sim", NULL);

	for (i = 0; i < cards; i++) {
		ret = mcs_card_create(i, &m, &mcs_cards[i]);
		if (ret)
			goto err;
	}
	return 0;

err:
	mcs_cleanup();
	return ret;
}

static void __exit mcs_exit(void)
{
	mcs_cleanup();
}

/**
 * mcs_nofill() - whether engines skip writing pixel data
 *
 * Return: the nofill module parameter.
 */
bool mcs_nofill(void)
{
	return READ_ONCE(nofill);
}

module_init(mcs_init);
module_exit(mcs_exit);

MODULE_DESCRIPTION("Simulated multicap multi-channel video capture card");
MODULE_AUTHOR("The multicap authors");
MODULE_LICENSE("GPL");
