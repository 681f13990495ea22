// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-core.c - card lifetime: probe, channels, remove, release
 *
 * The core knows no bus: the PCI glue (multicap-pci.c) and the platform
 * glue (multicap-platform.c) hand it a struct device that can do DMA, a
 * regmap on the register window and an IRQ, and it does the rest.
 *
 * Lifetime: struct multicap_dev (with its channels and vb2 queues) is freed
 * by the v4l2_device release callback, which runs when the last video node
 * is released, i.e. after the last file handle is closed. Remove only
 * disconnects: it stops the engines, marks every channel gone and
 * unregisters the nodes; later calls on open file handles fail with ENODEV.
 *
 * A card that stops answering (a register reads all-ones) is reported lost
 * with multicap_card_lost() (multicap.h), from any context, by whichever
 * part read it. The core owns the response: its lost_work fences every
 * channel the way remove does (multicap_channels_disconnect()), and the
 * card is not touched again until it is unbound. No other file calls into
 * the core but the bus glues.
 *
 * Names: each card takes the lowest free card number at probe and gives it
 * back at remove, so cards are numbered 0, 1, ... in probe order, the same
 * after a reload; applications show "multicap card N ch M" (see
 * multicap_video_register()).
 */

#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "multicap.h"

static unsigned int poll_us;
module_param(poll_us, uint, 0444);
MODULE_PARM_DESC(poll_us, "0: use interrupts (default); 100-100000: poll the data-ready vector every poll_us microseconds");

static DEFINE_IDA(multicap_card_ida);	/* card numbers in use */

static bool multicap_reg_readable(struct device *bus_dev, unsigned int reg)
{
	return reg < MULTICAP_CH(MULTICAP_MAX_CHANNELS) && !(reg & 3);
}

static const struct regmap_config multicap_regmap_cfg = {
	.name = "bar0",
	.reg_bits = 32,
	.val_bits = 32,
	.reg_stride = 4,
	.max_register = MULTICAP_CH(MULTICAP_MAX_CHANNELS) - 4,
	.readable_reg = multicap_reg_readable,
	.cache_type = REGCACHE_NONE,
	.fast_io = true,
	/*
	 * Every access is one whole register and nothing read-modify-writes
	 * through regmap, so its lock would only add cost to the hard IRQ.
	 */
	.disable_locking = true,
};

/**
 * multicap_regmap_config() - regmap configuration of the register window
 *
 * The glue adds its bus accessors to a copy of it.
 *
 * Return: the configuration.
 */
const struct regmap_config *multicap_regmap_config(void)
{
	return &multicap_regmap_cfg;
}

static void multicap_dev_release(struct v4l2_device *v4l2_dev)
{
	struct multicap_dev *dev = container_of(v4l2_dev, struct multicap_dev,
						v4l2_dev);
	unsigned int i;

	for (i = 0; i < dev->nch; i++) {
		v4l2_ctrl_handler_free(&dev->ch[i].ctrl_handler);
		mutex_destroy(&dev->ch[i].vb_mutex);
	}
	put_device(dev->bus_dev);
	kfree(dev);
}

static int multicap_check_card(struct device *bus_dev, struct regmap *map,
			       unsigned int *nch, unsigned int *caps)
{
	unsigned int id, ver;

	if (regmap_read(map, MULTICAP_REG_ID, &id) ||
	    regmap_read(map, MULTICAP_REG_VERSION, &ver) ||
	    regmap_read(map, MULTICAP_REG_CAPS, caps) ||
	    regmap_read(map, MULTICAP_REG_NUM_CHANNELS, nch))
		return -EIO;
	if (id != MULTICAP_ID_VALUE) {
		dev_err(bus_dev, "unexpected ID register 0x%08x\n", id);
		return -ENODEV;
	}
	/* Version 2 brought the ring entry with card times and the cause layout. */
	if (FIELD_GET(MULTICAP_VERSION_MAJOR_MSK, ver) != MULTICAP_VERSION_MAJOR ||
	    !(*caps & MULTICAP_CAP_CLOCK)) {
		dev_err(bus_dev, "card version %u.%u (caps 0x%x) not supported, need %u.x with a clock\n",
			(u32)FIELD_GET(MULTICAP_VERSION_MAJOR_MSK, ver),
			(u32)FIELD_GET(MULTICAP_VERSION_MINOR_MSK, ver), *caps,
			MULTICAP_VERSION_MAJOR);
		return -ENODEV;
	}
	if (*nch < 1 || *nch > MULTICAP_MAX_CHANNELS) {
		dev_err(bus_dev, "card reports %u channels\n", *nch);
		return -ENODEV;
	}
	dev_info(bus_dev, "card version %u.%u, %u channels\n",
		 (u32)FIELD_GET(MULTICAP_VERSION_MAJOR_MSK, ver),
		 (u32)FIELD_GET(MULTICAP_VERSION_MINOR_MSK, ver), *nch);
	return 0;
}

static int multicap_channels_init(struct multicap_dev *dev)
{
	unsigned int i;
	int ret;

	for (i = 0; i < dev->nch; i++) {
		struct multicap_channel *vc = &dev->ch[i];

		vc->dev = dev;
		vc->index = i;
		mutex_init(&vc->vb_mutex);
		spin_lock_init(&vc->qlock);
		init_waitqueue_head(&vc->idle);
		INIT_LIST_HEAD(&vc->queued);
		ret = multicap_ctrls_init(vc);
		if (ret)
			return ret;
		ret = multicap_ring_alloc(vc);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Stop and fence every channel of a card being removed or lost: afterwards
 * no call on an open file handle touches the card.
 */
static void multicap_channels_disconnect(struct multicap_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nch; i++)
		multicap_video_disconnect(&dev->ch[i]);
}

/* Queued once by multicap_card_lost(). */
static void multicap_lost_work(struct work_struct *work)
{
	struct multicap_dev *dev = container_of(work, struct multicap_dev,
						lost_work);

	dev_err(dev->bus_dev, "card lost: stopping every channel\n");
	multicap_channels_disconnect(dev);
}

static void multicap_channels_free_rings(struct multicap_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nch; i++)
		multicap_ring_free(&dev->ch[i]);
}

/**
 * multicap_probe() - bring up a card found by a bus glue
 * @bus_dev: the bus device; used for DMA
 * @regmap: the register window
 * @irq: the card's interrupt
 * @bus_info: bus_info for VIDIOC_QUERYCAP
 * @model: model name
 *
 * Registers one video node per channel, in channel order.
 *
 * Return: 0 or a negative error code.
 */
int multicap_probe(struct device *bus_dev, struct regmap *regmap, int irq,
		   const char *bus_info, const char *model)
{
	struct multicap_dev *dev;
	unsigned int nch, caps, i;
	int ret, nr;

	ret = multicap_check_card(bus_dev, regmap, &nch, &caps);
	if (ret)
		return ret;
	regmap_write(regmap, MULTICAP_REG_RESET, MULTICAP_RESET_KEY);
	/*
	 * A descriptor's length is 32 bits and the builder splits segments
	 * only at chunks, so any segment vb2 maps fits (the default limit is
	 * 64 KiB, which vb2-dma-sg's page runs exceed).
	 */
	dma_set_max_seg_size(bus_dev, UINT_MAX);

	nr = ida_alloc(&multicap_card_ida, GFP_KERNEL);
	if (nr < 0)
		return nr;
	dev = kzalloc(struct_size(dev, ch, nch), GFP_KERNEL);
	if (!dev) {
		ret = -ENOMEM;
		goto err_nr;
	}
	dev->nr = nr;
	dev->bus_dev = get_device(bus_dev);
	dev->regmap = regmap;
	strscpy(dev->model, model, sizeof(dev->model));
	dev->nch = nch;
	dev->caps = caps;
	dev->irq = irq;
	strscpy(dev->bus_info, bus_info, sizeof(dev->bus_info));

	ret = v4l2_device_register(bus_dev, &dev->v4l2_dev);
	if (ret) {
		put_device(bus_dev);
		kfree(dev);
		goto err_nr;
	}
	dev->v4l2_dev.release = multicap_dev_release;

	ret = multicap_channels_init(dev);
	if (ret)
		goto err_rings;
	INIT_WORK(&dev->lost_work, multicap_lost_work);
	multicap_watchdog_init(dev);
	ret = multicap_clock_init(dev);
	if (ret)
		goto err_rings;
	ret = multicap_irq_setup(dev, poll_us);
	if (ret)
		goto err_clock;
	for (i = 0; i < nch; i++) {
		ret = multicap_video_register(&dev->ch[i]);
		if (ret)
			goto err_nodes;
	}
	multicap_debugfs_init(dev);
	dev_info(bus_dev, "registered as multicap card %d (%s)\n", nr, model);
	return 0;

err_nodes:
	while (i--)
		multicap_video_unregister(&dev->ch[i]);
	multicap_irq_teardown(dev);
err_clock:
	multicap_clock_stop(dev);
	multicap_watchdog_stop(dev);
	/* A read of all-ones meanwhile may have queued it. */
	cancel_work_sync(&dev->lost_work);
err_rings:
	multicap_channels_free_rings(dev);
	v4l2_device_unregister(&dev->v4l2_dev);
	v4l2_device_put(&dev->v4l2_dev);
err_nr:
	ida_free(&multicap_card_ida, nr);
	return ret;
}

/**
 * multicap_remove() - disconnect a card; the rest goes with the last close
 * @bus_dev: the bus device given to multicap_probe()
 *
 * Safe while applications stream with file handles and mappings open.
 */
void multicap_remove(struct device *bus_dev)
{
	struct v4l2_device *v4l2_dev = dev_get_drvdata(bus_dev);
	struct multicap_dev *dev = container_of(v4l2_dev, struct multicap_dev,
						v4l2_dev);
	unsigned int i;

	multicap_debugfs_remove(dev);
	multicap_channels_disconnect(dev);
	if (!READ_ONCE(dev->link_down))
		multicap_write(dev, MULTICAP_REG_RESET, MULTICAP_RESET_KEY);
	multicap_irq_teardown(dev);
	multicap_clock_stop(dev);
	multicap_watchdog_stop(dev);
	/* The interrupt, the timer, the clock sync, the watchdog may have queued it. */
	cancel_work_sync(&dev->lost_work);
	for (i = 0; i < dev->nch; i++)
		multicap_video_unregister(&dev->ch[i]);
	multicap_channels_free_rings(dev);
	/* The nodes are gone: a card probed now may take the number. */
	ida_free(&multicap_card_ida, dev->nr);
	v4l2_device_unregister(&dev->v4l2_dev);
	v4l2_device_put(&dev->v4l2_dev);
}

static int __init multicap_init(void)
{
	int ret;

	if (poll_us && (poll_us < 100 || poll_us > 100000)) {
		pr_err(MULTICAP_DRIVER_NAME ": poll_us=%u out of range (0 or 100-100000)\n",
		       poll_us);
		return -EINVAL;
	}
	ret = multicap_video_check_params();
	if (ret)
		return ret;
	multicap_debugfs_create_root();
	ret = multicap_platform_register();
	if (ret)
		goto err_debugfs;
	ret = multicap_pci_register();
	if (ret)
		goto err_platform;
	return 0;

err_platform:
	multicap_platform_unregister();
err_debugfs:
	multicap_debugfs_remove_root();
	return ret;
}

static void __exit multicap_exit(void)
{
	multicap_pci_unregister();
	multicap_platform_unregister();
	multicap_debugfs_remove_root();
	ida_destroy(&multicap_card_ida);
}

module_init(multicap_init);
module_exit(multicap_exit);

MODULE_DESCRIPTION("multicap multi-channel video capture card");
MODULE_AUTHOR("The multicap authors");
MODULE_LICENSE("GPL");
