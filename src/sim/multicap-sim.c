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

#define MULTICAP_SIM_MAX_CARDS		8
/* Where an injected stray chunk goes: RAM the driver never maps. */
#define MULTICAP_SIM_STRAY_ADDR		0x1000

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

static int clock_ppb = MULTICAP_MODEL_DEFAULT_CLOCK_PPB;
module_param(clock_ppb, int, 0444);
MODULE_PARM_DESC(clock_ppb, "card clock error in parts per billion, -500000..500000 (default 25000)");

static struct multicap_sim_plat *multicap_sim_plats[MULTICAP_SIM_MAX_CARDS];
static struct irq_domain *multicap_sim_domain;
static struct fwnode_handle *multicap_sim_fwnode;
static struct dentry *multicap_sim_debugfs;

static u64 multicap_sim_now_ns(struct multicap_model_card *card)
{
	return ktime_get_ns();
}

static void multicap_sim_timer_start(struct multicap_model_card *card, unsigned int id,
				     u64 when_ns)
{
	struct multicap_sim_plat *plat = card->host;

	hrtimer_start(&plat->timers[id].t, ns_to_ktime(when_ns),
		      HRTIMER_MODE_ABS_HARD);
}

static bool multicap_sim_timer_stop(struct multicap_model_card *card, unsigned int id, bool wait)
{
	struct multicap_sim_plat *plat = card->host;

	if (wait) {
		hrtimer_cancel(&plat->timers[id].t);
		return true;
	}
	return hrtimer_try_to_cancel(&plat->timers[id].t) >= 0;
}

static bool multicap_sim_timer_pending(struct multicap_model_card *card, unsigned int id)
{
	struct multicap_sim_plat *plat = card->host;

	return hrtimer_is_queued(&plat->timers[id].t);
}

/* The kernel host's services to the card model. */
static const struct multicap_model_host_ops multicap_sim_plat_ops = {
	.now_ns = multicap_sim_now_ns,
	.dma_read = multicap_sim_dma_read,
	.dma_write = multicap_sim_dma_write,
	.dma_ptr = multicap_sim_dma_ptr,
	.timer_start = multicap_sim_timer_start,
	.timer_stop = multicap_sim_timer_stop,
	.timer_pending = multicap_sim_timer_pending,
};

static enum hrtimer_restart multicap_sim_timer_fn(struct hrtimer *t)
{
	struct multicap_sim_timer *mt = container_of(t, struct multicap_sim_timer, t);
	struct multicap_model_card *card = mt->plat->card;
	u64 next;

	if (mt->id == MULTICAP_MODEL_TIMER_IRQ) {
		/* Message-signalled: one call per assertion, in hard-IRQ context. */
		if (multicap_model_irq_fire(card))
			generic_handle_irq(mt->plat->virq);
		return HRTIMER_NORESTART;
	}
	next = multicap_model_engine_tick(&card->ch[mt->id]);
	if (!next)
		return HRTIMER_NORESTART;
	hrtimer_set_expires(t, ns_to_ktime(next));
	return HRTIMER_RESTART;
}

static int multicap_sim_plat_reg_read(void *context, unsigned int reg, unsigned int *val)
{
	struct multicap_sim_plat *plat = context;

	*val = multicap_model_reg_read(plat->card, reg);
	return 0;
}

static int multicap_sim_plat_reg_write(void *context, unsigned int reg, unsigned int val)
{
	struct multicap_sim_plat *plat = context;

	multicap_model_reg_write(plat->card, reg, val);
	return 0;
}

static int multicap_sim_irq_map(struct irq_domain *d, unsigned int virq,
				irq_hw_number_t hw)
{
	irq_set_chip_and_handler(virq, &dummy_irq_chip, handle_simple_irq);
	return 0;
}

/* The simulator's interrupt domain: one line per card. */
static const struct irq_domain_ops multicap_sim_irq_domain_ops = {
	.map = multicap_sim_irq_map,
};

static void multicap_sim_plat_destroy(struct multicap_sim_plat *plat)
{
	/* The engines use the device for bus addresses: keep it until idle. */
	if (plat->pdev)
		platform_device_unregister(plat->pdev);
	if (plat->card)
		multicap_model_card_stop(plat->card);
	multicap_sim_dma_exit(plat);
	debugfs_remove_recursive(plat->dbg);
	if (plat->virq)
		irq_dispose_mapping(plat->virq);
	multicap_model_card_free(plat->card);
	if (plat->pdev)
		put_device(&plat->pdev->dev);
	kfree(plat);
}

static int multicap_sim_plat_add_device(struct multicap_sim_plat *plat)
{
	struct platform_device *pdev;
	struct resource res;
	int ret;

	plat->pdata.reg_read = multicap_sim_plat_reg_read;
	plat->pdata.reg_write = multicap_sim_plat_reg_write;
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
	multicap_sim_dma_attach(&pdev->dev);
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

static int multicap_sim_plat_create(unsigned int index, const struct multicap_model_mode *m,
				    struct multicap_sim_plat **out)
{
	struct multicap_sim_plat *plat;
	unsigned int i;
	int ret;

	plat = kzalloc(sizeof(*plat), GFP_KERNEL);
	if (!plat)
		return -ENOMEM;
	plat->index = index;
	for (i = 0; i < MULTICAP_MODEL_NUM_TIMERS; i++) {
		plat->timers[i].plat = plat;
		plat->timers[i].id = i;
		multicap_hrtimer_setup(&plat->timers[i].t, multicap_sim_timer_fn,
				       CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	}
	plat->card = multicap_model_card_alloc(index, channels, m, MULTICAP_MODEL_DEFAULT_LPC,
					       &multicap_sim_plat_ops, plat);
	if (!plat->card) {
		ret = -ENOMEM;
		goto err_destroy;
	}
	plat->card->stray_addr = MULTICAP_SIM_STRAY_ADDR;
	plat->card->nofill = &nofill;
	plat->card->genlock = genlock;
	plat->card->clock_ppb = clock_ppb;
	ret = multicap_sim_dma_init(plat);
	if (ret)
		goto err_destroy;
	multicap_sim_debugfs_init_card(plat, multicap_sim_debugfs);

	plat->virq = irq_create_mapping(multicap_sim_domain, index);
	if (!plat->virq) {
		ret = -ENXIO;
		goto err_destroy;
	}
	ret = multicap_sim_plat_add_device(plat);
	if (ret)
		goto err_destroy;
	*out = plat;
	return 0;

err_destroy:
	multicap_sim_plat_destroy(plat);
	return ret;
}

static void multicap_sim_cleanup(void)
{
	unsigned int i;

	for (i = 0; i < MULTICAP_SIM_MAX_CARDS; i++) {
		if (multicap_sim_plats[i])
			multicap_sim_plat_destroy(multicap_sim_plats[i]);
		multicap_sim_plats[i] = NULL;
	}
	if (multicap_sim_domain)
		irq_domain_remove(multicap_sim_domain);
	if (multicap_sim_fwnode)
		irq_domain_free_fwnode(multicap_sim_fwnode);
	debugfs_remove_recursive(multicap_sim_debugfs);
}

static int __init multicap_sim_init(void)
{
	struct multicap_model_mode m;
	unsigned int i;
	int ret;

	if (cards < 1 || cards > MULTICAP_SIM_MAX_CARDS) {
		pr_err("multicap_sim: cards=%u out of range 1..%u\n", cards,
		       MULTICAP_SIM_MAX_CARDS);
		return -EINVAL;
	}
	if (channels < 1 || channels > MULTICAP_MAX_CHANNELS) {
		pr_err("multicap_sim: channels=%u out of range 1..%u\n",
		       channels, MULTICAP_MAX_CHANNELS);
		return -EINVAL;
	}
	if (!mode || multicap_model_parse_mode(mode, &m) || !m.width) {
		pr_err("multicap_sim: mode=%s invalid, expected WIDTHxHEIGHTpRATE (64x64..%ux%u, 1..120 Hz, even sizes), e.g. 1280x720p60\n",
		       mode ? mode : "(null)", MULTICAP_MODEL_MAX_WIDTH, MULTICAP_MODEL_MAX_HEIGHT);
		return -EINVAL;
	}
	if (clock_ppb < -MULTICAP_MODEL_MAX_CLOCK_PPB || clock_ppb > MULTICAP_MODEL_MAX_CLOCK_PPB) {
		pr_err("multicap_sim: clock_ppb=%d out of range %d..%d\n",
		       clock_ppb, -MULTICAP_MODEL_MAX_CLOCK_PPB, MULTICAP_MODEL_MAX_CLOCK_PPB);
		return -EINVAL;
	}

	multicap_sim_fwnode = irq_domain_alloc_named_fwnode("multicap_sim");
	if (!multicap_sim_fwnode)
		return -ENOMEM;
	multicap_sim_domain = irq_domain_create_linear(multicap_sim_fwnode, MULTICAP_SIM_MAX_CARDS,
						       &multicap_sim_irq_domain_ops, NULL);
	if (!multicap_sim_domain) {
		ret = -ENOMEM;
		goto err;
	}
	multicap_sim_debugfs = debugfs_create_dir("multicap_sim", NULL);

	for (i = 0; i < cards; i++) {
		ret = multicap_sim_plat_create(i, &m, &multicap_sim_plats[i]);
		if (ret)
			goto err;
	}
	return 0;

err:
	multicap_sim_cleanup();
	return ret;
}

static void __exit multicap_sim_exit(void)
{
	multicap_sim_cleanup();
}

module_init(multicap_sim_init);
module_exit(multicap_sim_exit);

MODULE_DESCRIPTION("Simulated multicap multi-channel video capture card");
MODULE_AUTHOR("The multicap authors");
MODULE_LICENSE("GPL");
