// SPDX-License-Identifier: GPL-2.0-only
/*
 * newest.c - multicap-compat.h compiled as for a kernel newer than every entry
 *
 * Built as an object only, by check.sh, against any installed headers (6.1
 * or newer): MULTICAP_LINUX_VERSION lies past every entry, so each takes its
 * newest branch, and each branch is used the way the driver uses it. What
 * those branches need from kernels newer than the headers comes from
 * newest-api.h; what the newest kernels removed or deprecated is poisoned
 * below, so a branch that still uses it does not compile.
 */
#define MULTICAP_LINUX_VERSION	KERNEL_VERSION(99, 0, 0)

#include <linux/module.h>
#include <media/videobuf2-v4l2.h>

#include "newest-api.h"

#pragma GCC poison hrtimer_init remove_new wait_prepare wait_finish
#pragma GCC poison vb2_ops_wait_prepare vb2_ops_wait_finish system_wq
#pragma GCC poison pcim_iomap_regions pcim_iomap_table map_page unmap_page

#include "multicap-compat.h"

static int newest_probe(struct platform_device *pdev)
{
	return 0;
}

static void newest_remove(struct platform_device *pdev)
{
}

static const struct newest_platform_driver newest_pdrv = {
	.probe = newest_probe,
	MULTICAP_PLATFORM_REMOVE(newest_remove),
};

static void newest_buf_queue(struct vb2_buffer *vb)
{
}

static const struct newest_vb2_ops newest_qops = {
	.buf_queue = newest_buf_queue,
	MULTICAP_VB2_WAIT_OPS
};

static dma_addr_t newest_dma_map(struct device *dev, struct page *page,
				 unsigned long offset, size_t size,
				 enum dma_data_direction dir,
				 unsigned long attrs)
{
	return page_to_phys(page) + offset;
}

static void newest_dma_unmap(struct device *dev, dma_addr_t addr,
			     size_t size, enum dma_data_direction dir,
			     unsigned long attrs)
{
}

MULTICAP_DEFINE_DMA_PHYS_OPS(newest_dma_map, newest_dma_unmap);

static const struct newest_dma_map_ops newest_dma_ops = {
	MULTICAP_DMA_STREAMING_OPS(newest_dma_map, newest_dma_unmap),
};

static enum hrtimer_restart newest_timer_fn(struct hrtimer *t)
{
	return HRTIMER_NORESTART;
}

static struct hrtimer newest_timer;
static struct delayed_work newest_work;

static int __init newest_init(void)
{
	void __iomem *bar = multicap_pcim_iomap_bar(NULL, 0, "newest");

	multicap_hrtimer_setup(&newest_timer, newest_timer_fn,
			       CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	mod_delayed_work(multicap_system_wq, &newest_work, 0);
	pr_info("%p %p %p\n", &newest_pdrv, &newest_qops, &newest_dma_ops);
	return PTR_ERR_OR_ZERO(bar);
}
module_init(newest_init);

MODULE_DESCRIPTION("multicap-compat.h, newest branches");
MODULE_LICENSE("GPL");
