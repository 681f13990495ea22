// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-debugfs.c - counters and register dump in debugfs and LOG_STATUS
 *
 * /sys/kernel/debug/multicap/<device>/
 *   registers      (R) global registers, then each channel's
 *   clock          (R) the card clock's map to CLOCK_MONOTONIC: offset,
 *                  drift, error at the last cross-timestamp, its bracket
 *   ch<N>/stats    (R) the channel's counters, one "name: value" a line
 * Root-only. VIDIOC_LOG_STATUS prints the same counters.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "multicap.h"

struct multicap_reg_name {
	unsigned int reg;
	const char *name;
};

static const struct multicap_reg_name multicap_global_regs[] = {
	{ MULTICAP_REG_ID, "ID" },
	{ MULTICAP_REG_VERSION, "VERSION" },
	{ MULTICAP_REG_CAPS, "CAPS" },
	{ MULTICAP_REG_NUM_CHANNELS, "NUM_CHANNELS" },
	{ MULTICAP_REG_IRQ_STATUS, "IRQ_STATUS" },
	{ MULTICAP_REG_IRQ_MASK, "IRQ_MASK" },
	{ MULTICAP_REG_DATA_READY, "DATA_READY" },
	{ MULTICAP_REG_IRQ_COALESCE_US, "IRQ_COALESCE_US" },
	{ MULTICAP_REG_IRQ_ENABLE, "IRQ_ENABLE" },
	{ MULTICAP_REG_SYNC, "SYNC" },
};

static const struct multicap_reg_name multicap_channel_regs[] = {
	{ MULTICAP_CH_CTRL, "CTRL" },
	{ MULTICAP_CH_STATUS, "STATUS" },
	{ MULTICAP_CH_IN_SIZE, "IN_SIZE" },
	{ MULTICAP_CH_IN_TOTAL, "IN_TOTAL" },
	{ MULTICAP_CH_IN_PIXCLK_KHZ, "IN_PIXCLK_KHZ" },
	{ MULTICAP_CH_IN_FRAME_NS, "IN_FRAME_NS" },
	{ MULTICAP_CH_FORMAT, "FORMAT" },
	{ MULTICAP_CH_DECIMATE, "DECIMATE" },
	{ MULTICAP_CH_TPG, "TPG" },
	{ MULTICAP_CH_RING_BASE_LO, "RING_BASE_LO" },
	{ MULTICAP_CH_RING_BASE_HI, "RING_BASE_HI" },
	{ MULTICAP_CH_RING_SIZE, "RING_SIZE" },
	{ MULTICAP_CH_RING_PROD, "RING_PROD" },
	{ MULTICAP_CH_RING_CONS, "RING_CONS" },
	{ MULTICAP_CH_FRAME_COUNT, "FRAME_COUNT" },
	{ MULTICAP_CH_DROP_COUNT, "DROP_COUNT" },
	{ MULTICAP_CH_OVERFLOW_COUNT, "OVERFLOW_COUNT" },
	{ MULTICAP_CH_ABORT_COUNT, "ABORT_COUNT" },
	{ MULTICAP_CH_CAP_SIZE, "CAP_SIZE" },
	{ MULTICAP_CH_CAP_FRAME_NS, "CAP_FRAME_NS" },
	{ MULTICAP_CH_EVENTS, "EVENTS" },
};

/* Counters of a channel, in the order both outputs print them. */
#define MULTICAP_NSTATS	17

static void multicap_stats_get(struct multicap_channel *vc, const char **names,
			       u64 *vals)
{
	static const char * const n[MULTICAP_NSTATS] = {
		"frames", "drops_no_buffer", "drops_overflow",
		"drops_chunk_error", "bad_assembly", "completions",
		"interrupts", "polls", "card_frame_count", "card_drop_count",
		"card_overflow_count", "card_abort_count", "source_changes",
		"drops_stall", "watchdog_resets", "irq_frames", "poll_frames",
	};
	struct multicap_dev *dev = vc->dev;
	struct multicap_stats st;
	unsigned long flags;
	bool hw = multicap_hw_present(vc);
	unsigned int i;

	spin_lock_irqsave(&vc->qlock, flags);
	st = vc->stats;
	spin_unlock_irqrestore(&vc->qlock, flags);
	vals[0] = st.frames;
	vals[1] = st.drops_no_buffer;
	vals[2] = st.drops_overflow;
	vals[3] = st.drops_chunk_error;
	vals[4] = st.bad_assembly;
	vals[5] = st.completions;
	vals[6] = atomic64_read(&dev->irqs);
	vals[7] = atomic64_read(&dev->polls);
	vals[8] = hw ? multicap_ch_read(vc, MULTICAP_CH_FRAME_COUNT) : 0;
	vals[9] = hw ? multicap_ch_read(vc, MULTICAP_CH_DROP_COUNT) : 0;
	vals[10] = hw ? multicap_ch_read(vc, MULTICAP_CH_OVERFLOW_COUNT) : 0;
	vals[11] = hw ? multicap_ch_read(vc, MULTICAP_CH_ABORT_COUNT) : 0;
	vals[12] = atomic64_read(&vc->source_changes);
	vals[13] = st.drops_stall;
	vals[14] = st.watchdog_resets;
	/* Card-wide, like interrupts and polls: which path completed frames */
	vals[15] = atomic64_read(&dev->irq_frames);
	vals[16] = atomic64_read(&dev->poll_frames);
	for (i = 0; i < MULTICAP_NSTATS; i++)
		names[i] = n[i];
}

/**
 * multicap_stats_show() - print a channel's counters to a seq_file
 * @vc: the channel
 * @s: where to print
 */
static void multicap_stats_show(struct multicap_channel *vc, struct seq_file *s)
{
	const char *names[MULTICAP_NSTATS];
	u64 vals[MULTICAP_NSTATS];
	unsigned int i;

	multicap_stats_get(vc, names, vals);
	for (i = 0; i < MULTICAP_NSTATS; i++)
		seq_printf(s, "%s: %llu\n", names[i], vals[i]);
}

/**
 * multicap_stats_log() - print a channel's counters for VIDIOC_LOG_STATUS
 * @vc: the channel
 */
void multicap_stats_log(struct multicap_channel *vc)
{
	const char *names[MULTICAP_NSTATS];
	u64 vals[MULTICAP_NSTATS];
	unsigned int i;

	multicap_stats_get(vc, names, vals);
	for (i = 0; i < MULTICAP_NSTATS; i++)
		v4l2_info(&vc->dev->v4l2_dev, "ch%u %s: %llu\n", vc->index,
			  names[i], vals[i]);
}

static int multicap_stats_open_show(struct seq_file *s, void *unused)
{
	multicap_stats_show(s->private, s);
	return 0;
}

static int multicap_regs_show(struct seq_file *s, void *unused)
{
	struct multicap_dev *dev = s->private;
	unsigned int i, c;

	for (i = 0; i < ARRAY_SIZE(multicap_global_regs); i++)
		seq_printf(s, "%03x %-16s 0x%08x\n", multicap_global_regs[i].reg,
			   multicap_global_regs[i].name,
			   multicap_read(dev, multicap_global_regs[i].reg));
	for (c = 0; c < dev->nch; c++)
		for (i = 0; i < ARRAY_SIZE(multicap_channel_regs); i++)
			seq_printf(s, "%03x ch%u.%-13s 0x%08x\n",
				   MULTICAP_CH(c) + multicap_channel_regs[i].reg,
				   c, multicap_channel_regs[i].name,
				   multicap_ch_read(&dev->ch[c],
						    multicap_channel_regs[i].reg));
	return 0;
}

static int multicap_clock_show(struct seq_file *s, void *unused)
{
	struct multicap_dev *dev = s->private;
	struct multicap_clock *clk = &dev->clock;

	/* Plain snapshots: the sync work may update them meanwhile. */
	seq_printf(s, "offset_ns: %lld\n", READ_ONCE(clk->offset_ns));
	seq_printf(s, "drift_ppb: %lld\n", READ_ONCE(clk->drift_ppb));
	seq_printf(s, "last_error_ns: %lld\n", READ_ONCE(clk->error_ns));
	seq_printf(s, "bracket_ns: %llu\n", READ_ONCE(clk->bracket_ns));
	seq_printf(s, "syncs: %llu\n", READ_ONCE(clk->syncs));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(multicap_clock);

static int multicap_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, multicap_stats_open_show, inode->i_private);
}

static int multicap_regs_open(struct inode *inode, struct file *file)
{
	return single_open(file, multicap_regs_show, inode->i_private);
}

/* ch<N>/stats */
static const struct file_operations multicap_stats_fops = {
	.owner = THIS_MODULE,
	.open = multicap_stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

/* registers */
static const struct file_operations multicap_regs_fops = {
	.owner = THIS_MODULE,
	.open = multicap_regs_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static struct dentry *multicap_debugfs_root;

/**
 * multicap_debugfs_create_root() - create /sys/kernel/debug/multicap
 */
void multicap_debugfs_create_root(void)
{
	multicap_debugfs_root = debugfs_create_dir(MULTICAP_DRIVER_NAME, NULL);
}

/**
 * multicap_debugfs_remove_root() - remove /sys/kernel/debug/multicap
 *
 * Called at module unload, after every card is gone.
 */
void multicap_debugfs_remove_root(void)
{
	debugfs_remove_recursive(multicap_debugfs_root);
}

/**
 * multicap_debugfs_init() - create a card's debugfs files
 * @dev: the card
 */
void multicap_debugfs_init(struct multicap_dev *dev)
{
	unsigned int i;
	char name[16];

	dev->dbg = debugfs_create_dir(dev_name(dev->bus_dev), multicap_debugfs_root);
	debugfs_create_file("registers", 0400, dev->dbg, dev, &multicap_regs_fops);
	debugfs_create_file("clock", 0400, dev->dbg, dev, &multicap_clock_fops);
	for (i = 0; i < dev->nch; i++) {
		snprintf(name, sizeof(name), "ch%u", i);
		dev->ch[i].dbg = debugfs_create_dir(name, dev->dbg);
		debugfs_create_file("stats", 0400, dev->ch[i].dbg, &dev->ch[i],
				    &multicap_stats_fops);
	}
}

/**
 * multicap_debugfs_remove() - remove a card's debugfs files
 * @dev: the card
 *
 * Returns after every reader has left, so nothing reads the card later.
 */
void multicap_debugfs_remove(struct multicap_dev *dev)
{
	debugfs_remove_recursive(dev->dbg);
	dev->dbg = NULL;
}
