/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicap-compat.h - the kernel version checks of both modules, in one place
 *
 * The driver is written against the newest kernel API. Each entry below
 * maps one API that changed after 6.1 onto the kernels that predate the
 * change, names the kernel that changed it and the commit, and is the only
 * place that compares kernel versions: the .c files call the multicap_* and
 * MULTICAP_* names below. The newest side comes first in every entry
 * ("#if MULTICAP_SINCE(...)"); test/compat/check.sh compiles all
 * of them at once against stand-ins of the newest API. When the oldest
 * kernel we build for passes an entry's version, drop the entry and use the
 * kernel API directly.
 */
#ifndef MULTICAP_COMPAT_H
#define MULTICAP_COMPAT_H

#include <linux/build_bug.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/version.h>
#include <linux/workqueue.h>

/* The kernel the branches are chosen for; test/compat/ sets a newer one. */
#ifndef MULTICAP_LINUX_VERSION
#define MULTICAP_LINUX_VERSION LINUX_VERSION_CODE
#endif

/* Whether the kernel is @a.@b.@c or newer: the condition of every entry. */
#define MULTICAP_SINCE(a, b, c)	(KERNEL_VERSION(a, b, c) <= MULTICAP_LINUX_VERSION)

/*
 * 6.11 made platform_driver.remove return void (0edb555a65d1); 6.13 dropped
 * .remove_new, the void callback that 6.3 added (5c5a7680e67b) and that
 * Debian's 6.1 has from the stable series.
 */
#if MULTICAP_SINCE(6, 11, 0)
#define MULTICAP_PLATFORM_REMOVE(fn)	.remove = (fn)
#else
#define MULTICAP_PLATFORM_REMOVE(fn)	.remove_new = (fn)
#endif

/*
 * 6.12 exported pcim_iomap_region() and deprecated pcim_iomap_regions() and
 * pcim_iomap_table() (d140f80f6035, e354bb84a4c1). Returns the mapping of
 * BAR @bar, requested for @name, or an IOMEM_ERR_PTR().
 */
static inline void __iomem *multicap_pcim_iomap_bar(struct pci_dev *pdev,
						    int bar, const char *name)
{
#if MULTICAP_SINCE(6, 12, 0)
	return pcim_iomap_region(pdev, bar, name);
#else
	int ret = pcim_iomap_regions(pdev, BIT(bar), name);

	return ret ? IOMEM_ERR_PTR(ret) : pcim_iomap_table(pdev)[bar];
#endif
}

/*
 * 6.13 added hrtimer_setup(), which sets the callback with the clock and the
 * mode (908a1d775422); 6.15 removed hrtimer_init() (9779489a31d7).
 */
static inline void
multicap_hrtimer_setup(struct hrtimer *timer,
		       enum hrtimer_restart (*fn)(struct hrtimer *),
		       clockid_t clock, enum hrtimer_mode mode)
{
#if MULTICAP_SINCE(6, 13, 0)
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/*
 * 6.18 renamed the per-CPU system workqueue system_percpu_wq (28ea9f6ccfb;
 * also in 6.12.111 and later 6.17.y from the stable series); system_wq is
 * deprecated and 7.2 warns when it is used (64d8eae3f895).
 */
#if MULTICAP_SINCE(6, 18, 0)
#define multicap_system_wq	system_percpu_wq
#else
#define multicap_system_wq	system_wq
#endif

/*
 * 6.19 turned the streaming callbacks of struct dma_map_ops into physical
 * address ones, .map_phys and .unmap_phys, and removed .map_page and
 * .unmap_page ("dma-mapping: remove unused map_page callback", 2025-10-29,
 * after 6.18-rc1). A driver keeps its page callbacks @mapfn and @unmapfn,
 * follows them with "MULTICAP_DEFINE_DMA_PHYS_OPS(@mapfn, @unmapfn);" and
 * puts MULTICAP_DMA_STREAMING_OPS(@mapfn, @unmapfn) in its dma_map_ops.
 * The physical address callbacks map RAM only, as the page ones did.
 */
#define MULTICAP_ASSERT_DMA_PAGE_OPS(mapfn, unmapfn)			\
static_assert(__same_type(&(mapfn),					\
			  dma_addr_t (*)(struct device *, struct page *,\
					 unsigned long, size_t,		\
					 enum dma_data_direction,	\
					 unsigned long)) &&		\
	      __same_type(&(unmapfn),					\
			  void (*)(struct device *, dma_addr_t, size_t,	\
				   enum dma_data_direction,		\
				   unsigned long)))

#if MULTICAP_SINCE(6, 19, 0)
#define MULTICAP_DEFINE_DMA_PHYS_OPS(mapfn, unmapfn)			\
static dma_addr_t mapfn##_phys(struct device *dev, phys_addr_t phys,	\
			       size_t size, enum dma_data_direction dir,\
			       unsigned long attrs)			\
{									\
	if (attrs & DMA_ATTR_MMIO)					\
		return DMA_MAPPING_ERROR;				\
	return mapfn(dev, pfn_to_page(PHYS_PFN(phys)),			\
		     offset_in_page(phys), size, dir, attrs);		\
}									\
static void unmapfn##_phys(struct device *dev, dma_addr_t addr,	\
			   size_t size, enum dma_data_direction dir,	\
			   unsigned long attrs)				\
{									\
	unmapfn(dev, addr, size, dir, attrs);				\
}									\
MULTICAP_ASSERT_DMA_PAGE_OPS(mapfn, unmapfn)

#define MULTICAP_DMA_STREAMING_OPS(mapfn, unmapfn)			\
	.map_phys = mapfn##_phys, .unmap_phys = unmapfn##_phys
#else
#define MULTICAP_DEFINE_DMA_PHYS_OPS(mapfn, unmapfn)			\
	MULTICAP_ASSERT_DMA_PAGE_OPS(mapfn, unmapfn)
#define MULTICAP_DMA_STREAMING_OPS(mapfn, unmapfn)			\
	.map_page = (mapfn), .unmap_page = (unmapfn)
#endif

/*
 * 7.0 removed vb2_ops.wait_prepare and .wait_finish with their helpers
 * (b70886ff5833): vb2 drops and retakes vb2_queue.lock itself while it
 * waits for a buffer. Until then the helpers do that (6.12 still calls the
 * callbacks unconditionally). For the end of a vb2_ops initializer.
 */
#if MULTICAP_SINCE(7, 0, 0)
#define MULTICAP_VB2_WAIT_OPS
#else
#define MULTICAP_VB2_WAIT_OPS						\
	.wait_prepare = vb2_ops_wait_prepare,				\
	.wait_finish = vb2_ops_wait_finish,
#endif

#endif /* MULTICAP_COMPAT_H */
