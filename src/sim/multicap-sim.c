// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-sim.c - simulated multicap card on the platform bus: the module
 *
 * Creates @cards platform devices named MULTICAP_PLATFORM_NAME, each hosting
 * one card model (model/). A device carries register accessors into the
 * model, an IRQ from this module's own interrupt domain, and a DMA-capable
 * struct device: the driver maps buffers on it and hands the resulting bus
 * addresses to the simulated engines exactly as to a real card. The model's
 * timers are hard hrtimers on CLOCK_MONOTONIC, so the engines and the
 * interrupt run in hard-IRQ context, as a card's state machine runs beside
 * the CPU.
 */

#include <linux/dma-mapping.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "multicap-sim.h"

#define MCS_MAX_CARDS		8
/* Where an injected stray chunk goes: RAM the driver never maps. */
#define MCS_STRAY_ADDR		0x1000

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

static bool genlock;
module_param(genlock, bool, 0444);
MODULE_PARM_DESC(genlock, "start every channel's frames on one card-wide frame grid (default off)");

static int clock_ppb = MCS_DEFAULT_CLOCK_PPB;
module_param(clock_ppb, int, 0444);
MODULE_PARM_DESC(clock_ppb, "card clock error in parts per billion, -500000..500000 (default 25000)");

static struct mcs_plat *mcs_plats[MCS_MAX_CARDS];
static struct irq_domain *mcs_domain;
static struct fwnode_handle *mcs_fwnode;
static struct dentry *mcs_debugfs;

static u64 mcs_now_ns(struct mcs_card *card)
{
	return ktime_get_ns();
}

static void mcs_timer_start(struct mcs_card *card, unsigned int id,
			    u64 when_ns)
{
	struct mcs_plat *plat = card->host;

	hrtimer_start(&plat->timers[id].t, ns_to_ktime(when_ns),
		      HRTIMER_MODE_ABS_HARD);
}

static bool mcs_timer_stop(struct mcs_card *card, unsigned int id, bool wait)
{
	struct mcs_plat *plat = card->host;

	if (wait) {
		hrtimer_cancel(&plat->timers[id].t);
		return true;
	}
	return hrtimer_try_to_cancel(&plat->timers[id].t) >= 0;
}

static bool mcs_timer_pending(struct mcs_card *card, unsigned int id)
{
	struct mcs_plat *plat = card->host;

	return hrtimer_is_queued(&plat->timers[id].t);
}

/* The kernel host's services to the card model. */
static const struct mcs_host_ops mcs_plat_ops = {
	.now_ns = mcs_now_ns,
	.dma_read = mcs_dma_read,
	.dma_write = mcs_dma_write,
	.dma_ptr = mcs_dma_ptr,
	.timer_start = mcs_timer_start,
	.timer_stop = mcs_timer_stop,
	.timer_pending = mcs_timer_pending,
};

static enum hrtimer_restart mcs_timer_fn(struct hrtimer *t)
{
	struct mcs_timer *mt = container_of(t, struct mcs_timer, t);
	struct mcs_card *card = mt->plat->card;
	u64 next;

	if (mt->id == MCS_TIMER_IRQ) {
		/* Message-signalled: one call per assertion, in hard-IRQ context. */
		if (mcs_irq_fire(card))
			generic_handle_irq(mt->plat->virq);
		return HRTIMER_NORESTART;
	}
	next = mcs_engine_tick(&card->ch[mt->id]);
	if (!next)
		return HRTIMER_NORESTART;
	hrtimer_set_expires(t, ns_to_ktime(next));
	return HRTIMER_RESTART;
}

static int mcs_plat_reg_read(void *context, unsigned int reg, unsigned int *val)
{
	struct mcs_plat *plat = context;

	*val = mcs_reg_read(plat->card, reg);
	return 0;
}

static int mcs_plat_reg_write(void *context, unsigned int reg, unsigned int val)
{
	struct mcs_plat *plat = context;

	mcs_reg_write(plat->card, reg, val);
	return 0;
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

static void mcs_plat_destroy(struct mcs_plat *plat)
{
	/* The engines use the device for bus addresses: keep it until idle. */
	if (plat->pdev)
		platform_device_unregister(plat->pdev);
	if (plat->card)
		mcs_card_stop(plat->card);
	mcs_dma_exit(plat);
	debugfs_remove_recursive(plat->dbg);
	if (plat->virq)
		irq_dispose_mapping(plat->virq);
	mcs_card_free(plat->card);
	if (plat->pdev)
		put_device(&plat->pdev->dev);
	kfree(plat);
}

static int mcs_plat_add_device(struct mcs_plat *plat)
{
	struct platform_device *pdev;
	struct resource res;
	int ret;

	plat->pdata.reg_read = mcs_plat_reg_read;
	plat->pdata.reg_write = mcs_plat_reg_write;
	plat->pdata.context = plat;
	plat->pdata.model = "multicap simulated card";
	res = (struct resource)DEFINE_RES_IRQ(plat->virq);
	pdev = platform_device_alloc(MULTICAP_PLATFORM_NAME, plat->index);
	if (!pdev)
		return -ENOMEM;
	pdev->dev.coherent_dma_mask = DMA_BIT_MASK(64);
	pdev->platform_dma_mask = DMA_BIT_MASK(64);
	pdev->dev.dma_mask = &pdev->platform_dma_mask;
	ret = platform_device_add_resources(pdev, &res, 1);
	if (!ret)
		ret = platform_device_add_data(pdev, &plat->pdata,
					       sizeof(plat->pdata));
	/* The driver may map as soon as the device is added. */
	mcs_dma_attach(&pdev->dev);
	if (!ret)
		ret = platform_device_add(pdev);
	if (ret) {
		platform_device_put(pdev);
		return ret;
	}
	plat->pdev = pdev;
	get_device(&plat->pdev->dev);
	return 0;
}

static int mcs_plat_create(unsigned int index, const struct mcs_mode *m,
			   struct mcs_plat **out)
{
	struct mcs_plat *plat;
	unsigned int i;
	int ret;

	plat = kzalloc(sizeof(*plat), GFP_KERNEL);
	if (!plat)
		return -ENOMEM;
	plat->index = index;
	for (i = 0; i < MCS_NUM_TIMERS; i++) {
		plat->timers[i].plat = plat;
		plat->timers[i].id = i;
		multicap_hrtimer_setup(&plat->timers[i].t, mcs_timer_fn,
				       CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	}
	plat->card = mcs_card_alloc(index, channels, m, MCS_DEFAULT_LPC,
				    &mcs_plat_ops, plat);
	if (!plat->card) {
		ret = -ENOMEM;
		goto err_destroy;
	}
	plat->card->stray_addr = MCS_STRAY_ADDR;
	plat->card->nofill = &nofill;
	plat->card->genlock = genlock;
	plat->card->clock_ppb = clock_ppb;
	ret = mcs_dma_init(plat);
	if (ret)
		goto err_destroy;
	mcs_debugfs_init_card(plat, mcs_debugfs);

	plat->virq = irq_create_mapping(mcs_domain, index);
	if (!plat->virq) {
		ret = -ENXIO;
		goto err_destroy;
	}
	ret = mcs_plat_add_device(plat);
	if (ret)
		goto err_destroy;
	*out = plat;
	return 0;

err_destroy:
	mcs_plat_destroy(plat);
	return ret;
}

static void mcs_cleanup(void)
{
	unsigned int i;

	for (i = 0; i < MCS_MAX_CARDS; i++) {
		if (mcs_plats[i])
			mcs_plat_destroy(mcs_plats[i]);
		mcs_plats[i] = NULL;
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
	if (clock_ppb < -MCS_MAX_CLOCK_PPB || clock_ppb > MCS_MAX_CLOCK_PPB) {
		pr_err("multicap_sim: clock_ppb=%d out of range %d..%d\n",
		       clock_ppb, -MCS_MAX_CLOCK_PPB, MCS_MAX_CLOCK_PPB);
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
		ret = mcs_plat_create(i, &m, &mcs_plats[i]);
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

module_init(mcs_init);
module_exit(mcs_exit);

MODULE_DESCRIPTION("Simulated multicap multi-channel video capture card");
MODULE_AUTHOR("The multicap authors");
MODULE_LICENSE("GPL");
