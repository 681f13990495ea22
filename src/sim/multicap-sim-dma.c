// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-sim-dma.c - what memory the simulated card may reach
 *
 * A card behind an IOMMU can only reach what its driver mapped for it; a
 * card without one reaches anything, and a bad descriptor corrupts memory.
 * The simulated card behaves like the former and says so: its device gets
 * DMA-mapping operations that map as the platform's default mapping does
 * (dma-direct; through a companion device that bounces through swiotlb when
 * the kernel forces it) and record every streaming mapping and coherent
 * allocation in an interval tree. Before the engine reads a ring entry or a
 * descriptor, or writes a chunk, it checks that the whole range lies inside
 * one recorded mapping; otherwise it refuses, fails the frame with
 * MULTICAP_ERR_DMA and counts the refusal (debugfs card<C>/dma_refused).
 * Unmapping something that was never mapped is reported too.
 *
 * The driver may keep mappings after the card's device is gone (its buffers
 * live until the last file is closed), maybe after this module is unloaded.
 * So when the device goes, the operations are detached: the device falls
 * back to the default mapping, which is what the companion used, and late
 * unmaps and frees work without this module.
 */

#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/interval_tree.h>
#include <linux/interval_tree_generic.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "multicap-sim.h"

/*
 * The tree of recorded mappings, instantiated here: lib/interval_tree.o is
 * only built when something selects INTERVAL_TREE, which a kernel with
 * V4L2 need not have (the debug kernel of make check-debug does not).
 */
#define MAP_START(n)	((n)->start)
#define MAP_LAST(n)	((n)->last)
INTERVAL_TREE_DEFINE(struct interval_tree_node, rb, unsigned long,
		     __subtree_last, MAP_START, MAP_LAST, static,
		     multicap_sim_maps)

static struct multicap_sim_plat *multicap_sim_dma_plat(struct device *dev)
{
	struct multicap_platform_data *pdata = dev_get_platdata(dev);

	return pdata->context;
}

/*
 * Every operation runs between these two, so detaching can wait until the
 * last one has left this module.
 */
static struct device *multicap_sim_dma_enter(struct multicap_sim_plat *plat)
{
	atomic_inc(&plat->dma_users);
	return &plat->bus->dev;
}

static void multicap_sim_dma_leave(struct multicap_sim_plat *plat)
{
	if (atomic_dec_and_test(&plat->dma_users))
		wake_up(&plat->dma_wq);
}

/* Empty the lookup cache: a range in it may be unmapped. Under dma_lock. */
static void multicap_sim_dma_forget_hits(struct multicap_sim_plat *plat)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(plat->dma_hits); i++) {
		plat->dma_hits[i].start = 1;
		plat->dma_hits[i].last = 0;
	}
}

/*
 * Is [@addr, @last] inside a cached mapping? Moves a hit to the front.
 * Under dma_lock. Most accesses (the descriptor, its write-backs) fall in
 * the range used just before, so they skip the tree walk.
 */
static bool multicap_sim_dma_hit(struct multicap_sim_plat *plat, u64 addr, u64 last)
{
	struct multicap_sim_dma_range *h = plat->dma_hits;

	if (addr >= h[0].start && last <= h[0].last)
		return true;
	if (addr >= h[1].start && last <= h[1].last) {
		swap(h[0], h[1]);
		return true;
	}
	return false;
}

static int multicap_sim_dma_track(struct multicap_sim_plat *plat, dma_addr_t addr, size_t size)
{
	struct interval_tree_node *n = kmalloc(sizeof(*n), GFP_ATOMIC);
	unsigned long flags;

	if (!n)
		return -ENOMEM;
	n->start = addr;
	n->last = addr + size - 1;
	spin_lock_irqsave(&plat->dma_lock, flags);
	multicap_sim_maps_insert(n, &plat->dma_maps);
	plat->dma_mappings++;
	spin_unlock_irqrestore(&plat->dma_lock, flags);
	return 0;
}

static void multicap_sim_dma_untrack(struct multicap_sim_plat *plat, dma_addr_t addr,
				     size_t size)
{
	unsigned long last = addr + size - 1, flags;
	struct interval_tree_node *n;

	spin_lock_irqsave(&plat->dma_lock, flags);
	for (n = multicap_sim_maps_iter_first(&plat->dma_maps, addr, addr); n;
	     n = multicap_sim_maps_iter_next(n, addr, addr))
		if (n->start == addr && n->last == last)
			break;
	if (n) {
		multicap_sim_maps_remove(n, &plat->dma_maps);
		plat->dma_mappings--;
		multicap_sim_dma_forget_hits(plat);
	}
	spin_unlock_irqrestore(&plat->dma_lock, flags);
	if (!n)
		dev_warn_ratelimited(&plat->pdev->dev,
				     "unmap of %pad+%zu, which is not mapped\n",
				     &addr, size);
	kfree(n);
}

/*
 * multicap_sim_dma_allowed() - may the card touch [@addr, @addr + @len)?
 * @plat: the card's host
 * @addr: bus address
 * @len: bytes, at least 1
 *
 * Any context. A refusal is counted and reported (rate-limited).
 *
 * Return: true if one mapping of the driver covers the whole range.
 */
static bool multicap_sim_dma_allowed(struct multicap_sim_plat *plat, u64 addr, u64 len)
{
	u64 last = addr + len - 1;
	struct interval_tree_node *n;
	unsigned long flags;
	bool ok = false;

	if (last < addr)
		return false;
	spin_lock_irqsave(&plat->dma_lock, flags);
	ok = multicap_sim_dma_hit(plat, addr, last);
	for (n = ok ? NULL : multicap_sim_maps_iter_first(&plat->dma_maps, addr, last);
	     n; n = multicap_sim_maps_iter_next(n, addr, last)) {
		if (n->start <= addr && n->last >= last) {
			plat->dma_hits[1] = plat->dma_hits[0];
			plat->dma_hits[0].start = n->start;
			plat->dma_hits[0].last = n->last;
			ok = true;
			break;
		}
	}
	if (!ok)
		plat->dma_refused++;
	spin_unlock_irqrestore(&plat->dma_lock, flags);
	if (!ok)
		dev_warn_ratelimited(&plat->pdev->dev,
				     "DMA to %#llx+%llu refused: not mapped by the driver\n",
				     addr, len);
	return ok;
}

/* The kernel address of a bus address the card may use, or NULL. */
static void *multicap_sim_dma_to_virt(struct multicap_sim_plat *plat, u64 addr, u64 len)
{
	phys_addr_t phys;

	if (!len || !multicap_sim_dma_allowed(plat, addr, len))
		return NULL;
	phys = dma_to_phys(&plat->bus->dev, addr);
	if (!pfn_valid(PHYS_PFN(phys)) || !pfn_valid(PHYS_PFN(phys + len - 1)))
		return NULL;
	return phys_to_virt(phys);
}

/**
 * multicap_sim_dma_ptr() - host op: a CPU pointer to bus memory the card may use
 * @card: the card model
 * @addr: bus address
 * @len: bytes, at least 1
 *
 * Return: the pointer, or NULL if the range is refused or not RAM.
 */
void *multicap_sim_dma_ptr(struct multicap_model_card *card, u64 addr, u32 len)
{
	return multicap_sim_dma_to_virt(card->host, addr, len);
}

/**
 * multicap_sim_dma_read() - host op: the card reads bus memory
 * @card: the card model
 * @addr: bus address
 * @buf: where to put the bytes
 * @len: bytes, at least 1
 *
 * Return: 0, or -EIO if the range is refused.
 */
int multicap_sim_dma_read(struct multicap_model_card *card, u64 addr, void *buf, u32 len)
{
	void *src = multicap_sim_dma_to_virt(card->host, addr, len);

	if (!src)
		return -EIO;
	memcpy(buf, src, len);
	return 0;
}

/**
 * multicap_sim_dma_write() - host op: the card writes bus memory
 * @card: the card model
 * @addr: bus address
 * @buf: the bytes
 * @len: bytes, at least 1
 *
 * Return: 0, or -EIO if the range is refused.
 */
int multicap_sim_dma_write(struct multicap_model_card *card, u64 addr, const void *buf, u32 len)
{
	void *dst = multicap_sim_dma_to_virt(card->host, addr, len);

	if (!dst)
		return -EIO;
	memcpy(dst, buf, len);
	return 0;
}

/*
 * Coherent memory is taken from the page allocator here, as dma-direct
 * takes it for a 64-bit device (one block of 2^order pages, so that a late
 * dma_free_coherent() through the default mapping frees it the same way),
 * at the bus address the default mapping gives it; it is not allocated
 * again through the companion: DMA-API debugging tracks every
 * allocation by its pages, and the driver's own dma_alloc_coherent() is
 * already recorded for the card's device, so a second allocation of the
 * same pages for the companion is an overlapping mapping it rejects
 * ("cacheline tracking EEXIST").
 *
 * Streaming mappings are the same: the bus address is the physical one, as
 * dma-direct gives it, and syncs have nothing to do, since the simulated
 * card writes memory with the CPU. Only when swiotlb is forced
 * (@dma_bounce) do they go through the companion, which bounces them; the
 * driver's mapping and the companion's are then two mappings of the same
 * pages, which DMA-API debugging rejects for a writable mapping unless the
 * caller passed DMA_ATTR_SKIP_CPU_SYNC (vb2 does, dma-buf exporters do not).
 */
static void *multicap_sim_dma_alloc(struct device *dev, size_t size,
				    dma_addr_t *handle, gfp_t gfp, unsigned long attrs)
{
	struct multicap_sim_plat *plat = multicap_sim_dma_plat(dev);
	struct device *bus = multicap_sim_dma_enter(plat);
	unsigned int order = get_order(size);
	struct page *page;

	page = alloc_pages_node(dev_to_node(bus), gfp | __GFP_ZERO, order);
	if (page) {
		*handle = phys_to_dma(bus, page_to_phys(page));
		if (multicap_sim_dma_track(plat, *handle, size)) {
			__free_pages(page, order);
			page = NULL;
		}
	}
	multicap_sim_dma_leave(plat);
	return page ? page_address(page) : NULL;
}

static void multicap_sim_dma_free(struct device *dev, size_t size, void *vaddr,
				  dma_addr_t handle, unsigned long attrs)
{
	struct multicap_sim_plat *plat = multicap_sim_dma_plat(dev);

	multicap_sim_dma_enter(plat);
	multicap_sim_dma_untrack(plat, handle, size);
	__free_pages(virt_to_page(vaddr), get_order(size));
	multicap_sim_dma_leave(plat);
}

static dma_addr_t multicap_sim_dma_map_page(struct device *dev, struct page *page,
					    unsigned long offset, size_t size,
					    enum dma_data_direction dir,
					    unsigned long attrs)
{
	struct multicap_sim_plat *plat = multicap_sim_dma_plat(dev);
	struct device *bus = multicap_sim_dma_enter(plat);
	dma_addr_t addr;

	if (!plat->dma_bounce)
		addr = phys_to_dma(bus, page_to_phys(page) + offset);
	else
		addr = dma_map_page_attrs(bus, page, offset, size, dir, attrs);
	if (!dma_mapping_error(bus, addr) && multicap_sim_dma_track(plat, addr, size)) {
		if (plat->dma_bounce)
			dma_unmap_page_attrs(bus, addr, size, dir, attrs);
		addr = DMA_MAPPING_ERROR;
	}
	multicap_sim_dma_leave(plat);
	return addr;
}

static void multicap_sim_dma_unmap_page(struct device *dev, dma_addr_t addr,
					size_t size, enum dma_data_direction dir,
					unsigned long attrs)
{
	struct multicap_sim_plat *plat = multicap_sim_dma_plat(dev);
	struct device *bus = multicap_sim_dma_enter(plat);

	multicap_sim_dma_untrack(plat, addr, size);
	if (plat->dma_bounce)
		dma_unmap_page_attrs(bus, addr, size, dir, attrs);
	multicap_sim_dma_leave(plat);
}

MULTICAP_DEFINE_DMA_PHYS_OPS(multicap_sim_dma_map_page, multicap_sim_dma_unmap_page);

static void multicap_sim_dma_untrack_sg(struct multicap_sim_plat *plat, struct scatterlist *sgl,
					int nents)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		multicap_sim_dma_untrack(plat, sg_dma_address(sg), sg_dma_len(sg));
}

static int multicap_sim_dma_map_sg(struct device *dev, struct scatterlist *sgl,
				   int nents, enum dma_data_direction dir,
				   unsigned long attrs)
{
	struct multicap_sim_plat *plat = multicap_sim_dma_plat(dev);
	struct device *bus = multicap_sim_dma_enter(plat);
	struct scatterlist *sg;
	int i, n;

	if (!plat->dma_bounce) {
		for_each_sg(sgl, sg, nents, i) {
			sg->dma_address = phys_to_dma(bus, sg_phys(sg));
			sg_dma_len(sg) = sg->length;
		}
		n = nents;
	} else {
		n = dma_map_sg_attrs(bus, sgl, nents, dir, attrs);
		if (!n) {
			n = -EIO;
			goto out;
		}
	}
	for_each_sg(sgl, sg, n, i) {
		if (multicap_sim_dma_track(plat, sg_dma_address(sg), sg_dma_len(sg))) {
			multicap_sim_dma_untrack_sg(plat, sgl, i);
			if (plat->dma_bounce)
				dma_unmap_sg_attrs(bus, sgl, nents, dir, attrs);
			n = -ENOMEM;
			break;
		}
	}
out:
	multicap_sim_dma_leave(plat);
	return n;
}

static void multicap_sim_dma_unmap_sg(struct device *dev, struct scatterlist *sgl,
				      int nents, enum dma_data_direction dir,
				      unsigned long attrs)
{
	struct multicap_sim_plat *plat = multicap_sim_dma_plat(dev);
	struct device *bus = multicap_sim_dma_enter(plat);

	multicap_sim_dma_untrack_sg(plat, sgl, nents);
	if (plat->dma_bounce)
		dma_unmap_sg_attrs(bus, sgl, nents, dir, attrs);
	multicap_sim_dma_leave(plat);
}

static void multicap_sim_dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr,
						 size_t size,
						 enum dma_data_direction dir)
{
	struct multicap_sim_plat *plat = multicap_sim_dma_plat(dev);
	struct device *bus = multicap_sim_dma_enter(plat);

	if (plat->dma_bounce)
		dma_sync_single_for_cpu(bus, addr, size, dir);
	multicap_sim_dma_leave(plat);
}

static void multicap_sim_dma_sync_single_for_device(struct device *dev,
						    dma_addr_t addr, size_t size,
						    enum dma_data_direction dir)
{
	struct multicap_sim_plat *plat = multicap_sim_dma_plat(dev);
	struct device *bus = multicap_sim_dma_enter(plat);

	if (plat->dma_bounce)
		dma_sync_single_for_device(bus, addr, size, dir);
	multicap_sim_dma_leave(plat);
}

static void multicap_sim_dma_sync_sg_for_cpu(struct device *dev,
					     struct scatterlist *sgl, int nents,
					     enum dma_data_direction dir)
{
	struct multicap_sim_plat *plat = multicap_sim_dma_plat(dev);
	struct device *bus = multicap_sim_dma_enter(plat);

	if (plat->dma_bounce)
		dma_sync_sg_for_cpu(bus, sgl, nents, dir);
	multicap_sim_dma_leave(plat);
}

static void multicap_sim_dma_sync_sg_for_device(struct device *dev,
						struct scatterlist *sgl, int nents,
						enum dma_data_direction dir)
{
	struct multicap_sim_plat *plat = multicap_sim_dma_plat(dev);
	struct device *bus = multicap_sim_dma_enter(plat);

	if (plat->dma_bounce)
		dma_sync_sg_for_device(bus, sgl, nents, dir);
	multicap_sim_dma_leave(plat);
}

static size_t multicap_sim_dma_max_mapping_size(struct device *dev)
{
	struct multicap_sim_plat *plat = multicap_sim_dma_plat(dev);
	size_t size = dma_max_mapping_size(multicap_sim_dma_enter(plat));

	multicap_sim_dma_leave(plat);
	return size;
}

/* The card's view of memory: the default mapping, recorded. */
static const struct dma_map_ops multicap_sim_dma_ops = {
	.alloc = multicap_sim_dma_alloc,
	.free = multicap_sim_dma_free,
	MULTICAP_DMA_STREAMING_OPS(multicap_sim_dma_map_page, multicap_sim_dma_unmap_page),
	.map_sg = multicap_sim_dma_map_sg,
	.unmap_sg = multicap_sim_dma_unmap_sg,
	.sync_single_for_cpu = multicap_sim_dma_sync_single_for_cpu,
	.sync_single_for_device = multicap_sim_dma_sync_single_for_device,
	.sync_sg_for_cpu = multicap_sim_dma_sync_sg_for_cpu,
	.sync_sg_for_device = multicap_sim_dma_sync_sg_for_device,
	.max_mapping_size = multicap_sim_dma_max_mapping_size,
};

/**
 * multicap_sim_dma_init() - create the card's companion device, before the card's
 * @plat: the card's host
 *
 * Return: 0 or a negative error code.
 */
int multicap_sim_dma_init(struct multicap_sim_plat *plat)
{
	struct platform_device_info info = {
		.name = "multicap-sim-dma",
		.id = plat->index,
		.dma_mask = DMA_BIT_MASK(64),
	};

	spin_lock_init(&plat->dma_lock);
	plat->dma_maps = RB_ROOT_CACHED;
	multicap_sim_dma_forget_hits(plat);
	init_waitqueue_head(&plat->dma_wq);
	plat->bus = platform_device_register_full(&info);
	if (IS_ERR(plat->bus)) {
		int ret = PTR_ERR(plat->bus);

		plat->bus = NULL;
		return ret;
	}
	/* the card's mappings go through it: it takes what the card takes */
	dma_set_max_seg_size(&plat->bus->dev, UINT_MAX);
	plat->dma_bounce = is_swiotlb_force_bounce(&plat->bus->dev);
	return 0;
}

/**
 * multicap_sim_dma_attach() - give the card's device the recording operations
 * @dev: the card's device, not yet added (no driver can map yet)
 */
void multicap_sim_dma_attach(struct device *dev)
{
	set_dma_ops(dev, &multicap_sim_dma_ops);
}

/**
 * multicap_sim_dma_exit() - detach the operations, drop the records and the companion
 * @plat: the card's host, its device unregistered and its engines stopped
 */
void multicap_sim_dma_exit(struct multicap_sim_plat *plat)
{
	struct interval_tree_node *n;
	unsigned long left = 0;

	if (!plat->bus)
		return;
	if (plat->pdev) {
		set_dma_ops(&plat->pdev->dev, NULL);
		/*
		 * A caller that read the old operations before the store is
		 * in them by the end of a grace period (the fetch and the call
		 * are not a sleeping section); then wait for it to leave.
		 */
		synchronize_rcu();
		wait_event(plat->dma_wq, !atomic_read(&plat->dma_users));
	}
	while ((n = multicap_sim_maps_iter_first(&plat->dma_maps, 0, ULONG_MAX))) {
		multicap_sim_maps_remove(n, &plat->dma_maps);
		kfree(n);
		left++;
	}
	multicap_sim_dma_forget_hits(plat);
	if (left)
		dev_info(&plat->bus->dev,
			 "%lu mappings still held by the driver, left to the default mapping\n",
			 left);
	platform_device_unregister(plat->bus);
	plat->bus = NULL;
}
