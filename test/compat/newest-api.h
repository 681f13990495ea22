/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * newest-api.h - what the newest branches of multicap-compat.h use, as the
 * newest kernels declare it
 *
 * Functions and variables are declared exactly as the kernel that added
 * them does, so headers that already have them (a newer kernel, or a stable
 * backport) accept the declaration and headers that disagree reject it.
 * Structures the newest kernels changed are copied under a newest_ name,
 * with the members the driver uses.
 */
#ifndef NEWEST_API_H
#define NEWEST_API_H

#include <linux/dma-mapping.h>
#include <linux/hrtimer.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/workqueue.h>
#include <media/videobuf2-core.h>

/* 6.12 */
void __iomem *pcim_iomap_region(struct pci_dev *pdev, int bar,
				const char *name);

/* 6.13 */
void hrtimer_setup(struct hrtimer *timer,
		   enum hrtimer_restart (*function)(struct hrtimer *),
		   clockid_t clock_id, enum hrtimer_mode mode);

/* 6.18 */
extern struct workqueue_struct *system_percpu_wq;
#ifndef DMA_ATTR_MMIO
#define DMA_ATTR_MMIO		BIT(10)
#endif

/* 6.13: .remove_new is gone, .remove returns void. */
struct newest_platform_driver {
	int (*probe)(struct platform_device *pdev);
	void (*remove)(struct platform_device *pdev);
};

/* 6.19: the streaming callbacks take physical addresses. */
struct newest_dma_map_ops {
	dma_addr_t (*map_phys)(struct device *dev, phys_addr_t phys,
			       size_t size, enum dma_data_direction dir,
			       unsigned long attrs);
	void (*unmap_phys)(struct device *dev, dma_addr_t dma_handle,
			   size_t size, enum dma_data_direction dir,
			   unsigned long attrs);
};

/* 7.0: no .wait_prepare and .wait_finish. */
struct newest_vb2_ops {
	void (*buf_queue)(struct vb2_buffer *vb);
};

#endif /* NEWEST_API_H */
