// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-sim-inject.c - debugfs of the simulated card: input mode, faults
 *
 * /sys/kernel/debug/multicap_sim/card<C>/ch<N>/
 *   mode    (RW) the input: WIDTHxHEIGHTpRATE, or "none" to pull the cable
 *   inject  (W)  one fault: desc-error, overflow, stall, link-down,
 *                spurious-irq, stray-dma (the next chunk is aimed at memory
 *                the driver never mapped; the card refuses it)
 * Both are root-only. Bad writes fail with -EINVAL and a rate-limited
 * message.
 */

#include <linux/fs.h>
#include <linux/uaccess.h>

#include "multicap-sim.h"

#define MCS_DBG_WRITE_MAX	32

static const char * const mcs_fault_names[] = {
	"desc-error", "overflow", "stall", "link-down", "spurious-irq",
	"stray-dma",
};

enum mcs_fault {
	MCS_FAULT_DESC, MCS_FAULT_OVERFLOW, MCS_FAULT_STALL,
	MCS_FAULT_LINK_DOWN, MCS_FAULT_SPURIOUS, MCS_FAULT_STRAY,
};

static ssize_t mcs_copy_write(const char __user *ubuf, size_t count,
			      char *buf, size_t size)
{
	if (!count || count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return count;
}

static ssize_t mcs_mode_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct mcs_channel *ch = file->private_data;
	struct mcs_mode m;
	unsigned long flags;
	char buf[MCS_DBG_WRITE_MAX];
	int len;

	spin_lock_irqsave(&ch->lock, flags);
	m = ch->mode;
	spin_unlock_irqrestore(&ch->lock, flags);
	len = mcs_format_mode(&m, buf, sizeof(buf));
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t mcs_mode_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct mcs_channel *ch = file->private_data;
	char buf[MCS_DBG_WRITE_MAX];
	struct mcs_mode m;
	ssize_t ret;

	ret = mcs_copy_write(ubuf, count, buf, sizeof(buf));
	if (ret >= 0 && mcs_parse_mode(buf, &m))
		ret = -EINVAL;
	if (ret < 0) {
		dev_warn_ratelimited(&ch->card->pdev->dev,
				     "ch%u: mode: expected WIDTHxHEIGHTpRATE or none\n",
				     ch->index);
		return ret;
	}
	mcs_set_input(ch, &m);
	return count;
}

static void mcs_inject(struct mcs_channel *ch, enum mcs_fault fault)
{
	struct mcs_card *card = ch->card;
	unsigned long flags;

	switch (fault) {
	case MCS_FAULT_LINK_DOWN:
		mcs_set_link_down(card);
		return;
	case MCS_FAULT_SPURIOUS:
		spin_lock_irqsave(&card->lock, flags);
		card->spurious = true;
		hrtimer_start(&card->irq_timer, 0, HRTIMER_MODE_REL_HARD);
		spin_unlock_irqrestore(&card->lock, flags);
		return;
	default:
		break;
	}
	spin_lock_irqsave(&ch->lock, flags);
	if (fault == MCS_FAULT_DESC)
		ch->fault_desc = true;
	else if (fault == MCS_FAULT_OVERFLOW)
		ch->fault_overflow = true;
	else if (fault == MCS_FAULT_STRAY)
		ch->fault_stray = true;
	else
		ch->stalled = true;
	spin_unlock_irqrestore(&ch->lock, flags);
}

static ssize_t mcs_inject_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct mcs_channel *ch = file->private_data;
	char buf[MCS_DBG_WRITE_MAX];
	ssize_t ret;
	int fault;

	ret = mcs_copy_write(ubuf, count, buf, sizeof(buf));
	fault = ret < 0 ? -EINVAL : sysfs_match_string(mcs_fault_names, buf);
	if (fault < 0) {
		dev_warn_ratelimited(&ch->card->pdev->dev,
				     "ch%u: inject: unknown fault, expected desc-error, overflow, stall, link-down, spurious-irq or stray-dma\n",
				     ch->index);
		return ret < 0 ? ret : -EINVAL;
	}
	mcs_inject(ch, fault);
	return count;
}

/* The cable: read or change the channel's input mode. */
static const struct file_operations mcs_mode_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = mcs_mode_read,
	.write = mcs_mode_write,
	.llseek = default_llseek,
};

/* Fault injection, write-only. */
static const struct file_operations mcs_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = mcs_inject_write,
	.llseek = noop_llseek,
};

/**
 * mcs_debugfs_init_channel() - create a channel's debugfs files
 * @ch: the channel
 * @parent: the card's directory
 */
void mcs_debugfs_init_channel(struct mcs_channel *ch, struct dentry *parent)
{
	char name[16];

	snprintf(name, sizeof(name), "ch%u", ch->index);
	ch->dbg = debugfs_create_dir(name, parent);
	debugfs_create_file("mode", 0600, ch->dbg, ch, &mcs_mode_fops);
	debugfs_create_file("inject", 0200, ch->dbg, ch, &mcs_inject_fops);
}
