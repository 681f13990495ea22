/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicap-sim.h - the simulated card's kernel host (module multicap_sim)
 *
 * The card itself is the portable model in model/; this module hosts it on
 * the platform bus: a platform device with register accessors, an IRQ from
 * the module's own interrupt domain raised from a hard hrtimer, engine
 * hrtimers on CLOCK_MONOTONIC, and DMA at the bus addresses the driver
 * mapped on the device (multicap-sim-dma.c).
 */
#ifndef MULTICAP_SIM_H
#define MULTICAP_SIM_H

#include <linux/debugfs.h>
#include <linux/hrtimer.h>
#include <linux/platform_device.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "multicap-compat.h"
#include "multicap-platform.h"
#include "model/multicap-model.h"

struct multicap_sim_plat;

/**
 * struct multicap_sim_timer - one host timer of the model
 * @t: the hrtimer, in hard-IRQ mode
 * @plat: the card's host
 * @id: the model's timer number: a channel, or MULTICAP_MODEL_TIMER_IRQ
 */
struct multicap_sim_timer {
	struct hrtimer t;
	struct multicap_sim_plat *plat;
	unsigned int id;
};

/**
 * struct multicap_sim_plat - one simulated card on the platform bus
 * @card: the card model
 * @index: card number
 * @timers: the model's timers
 * @virq: Linux IRQ number of the card's interrupt line
 * @pdev: the platform device the driver binds to
 * @pdata: register accessors handed to the driver
 * @bus: companion device: the bus the card's addresses are on, and the
 *	device that maps through swiotlb when it bounces
 * @dma_bounce: swiotlb bounces every mapping (swiotlb=force): streaming
 *	mappings go through @bus
 * @dma_lock: protects @dma_maps and the counters after it
 * @dma_maps: bus address ranges the driver mapped on @pdev
 * @dma_hits: the mappings of the last two allowed accesses, most recent
 *	first (a descriptor's list and its data page alternate); emptied by
 *	every unmap
 * @dma_mappings: entries in @dma_maps
 * @dma_refused: DMA the card refused: outside every mapping
 * @dma_users: mapping operations in progress
 * @dma_wq: woken when @dma_users drops to 0
 * @dbg: debugfs directory of the card
 */
struct multicap_sim_plat {
	struct multicap_model_card *card;
	unsigned int index;
	struct multicap_sim_timer timers[MULTICAP_MODEL_NUM_TIMERS];
	unsigned int virq;
	struct platform_device *pdev;
	struct multicap_platform_data pdata;
	struct platform_device *bus;
	bool dma_bounce;
	spinlock_t dma_lock;	/* @dma_maps and counters */
	struct rb_root_cached dma_maps;
	struct multicap_sim_dma_range {
		u64 start, last;
	} dma_hits[2];
	u64 dma_mappings;
	u64 dma_refused;
	atomic_t dma_users;
	wait_queue_head_t dma_wq;
	struct dentry *dbg;
};

/* multicap-sim-dma.c */
int multicap_sim_dma_init(struct multicap_sim_plat *plat);
void multicap_sim_dma_attach(struct device *dev);
void multicap_sim_dma_exit(struct multicap_sim_plat *plat);
int multicap_sim_dma_read(struct multicap_model_card *card, u64 addr, void *buf, u32 len);
int multicap_sim_dma_write(struct multicap_model_card *card, u64 addr, const void *buf, u32 len);
void *multicap_sim_dma_ptr(struct multicap_model_card *card, u64 addr, u32 len);

/* multicap-sim-debugfs.c */
void multicap_sim_debugfs_init_card(struct multicap_sim_plat *plat, struct dentry *parent);

#endif /* MULTICAP_SIM_H */
