// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-sim-debugfs.c - debugfs of the simulated card: input mode, faults
 *
 * /sys/kernel/debug/multicap_sim/card<C>/
 *   dma_mappings  (R) bus address ranges the driver has mapped on the card
 *   dma_refused   (R) DMA the card refused: outside every mapping
 *   undef_writes  (R) writes to undefined or read-only registers (ignored)
 *   irqs          (R) interrupts the card sent
 *   ch<N>/mode    (RW) the input: WIDTHxHEIGHTpRATE, or "none" to pull the cable
 *   ch<N>/inject  (W)  one fault: desc-error, overflow, stall, link-down,
 *                 spurious-irq, stray-dma (the next chunk is aimed at memory
 *                 the driver never mapped; the card refuses it), desc-lost
 *                 (a descriptor of the next frame is skipped, the frame
 *                 still reported good)
 * The mode and fault names are the card model's (model/multicap-model-mode.c),
 * shared with the QEMU device's properties. Everything is root-only. Bad
 * writes fail with -EINVAL and a rate-limited message.
 */

#include <linux/fs.h>
#include <linux/uaccess.h>

#include "multicap-sim.h"

#define MULTICAP_SIM_DBG_WRITE_MAX	32

static ssize_t multicap_sim_copy_write(const char __user *ubuf, size_t count,
				       char *buf, size_t size)
{
	if (!count || count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return count;
}

static struct device *multicap_sim_dbg_dev(struct multicap_model_channel *ch)
{
	struct multicap_sim_plat *plat = ch->card->host;

	return &plat->pdev->dev;
}

static ssize_t multicap_sim_mode_read(struct file *file, char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	struct multicap_model_channel *ch = file->private_data;
	char buf[MULTICAP_SIM_DBG_WRITE_MAX];
	struct multicap_model_mode m;
	int len;

	multicap_model_get_input(ch, &m);
	len = multicap_model_format_mode(&m, buf, sizeof(buf));
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t multicap_sim_mode_write(struct file *file, const char __user *ubuf,
				       size_t count, loff_t *ppos)
{
	struct multicap_model_channel *ch = file->private_data;
	char buf[MULTICAP_SIM_DBG_WRITE_MAX];
	struct multicap_model_mode m;
	ssize_t ret;

	ret = multicap_sim_copy_write(ubuf, count, buf, sizeof(buf));
	if (ret >= 0 && multicap_model_parse_mode(buf, &m))
		ret = -EINVAL;
	if (ret < 0) {
		dev_warn_ratelimited(multicap_sim_dbg_dev(ch),
				     "ch%u: mode: expected WIDTHxHEIGHTpRATE or none\n",
				     ch->index);
		return ret;
	}
	multicap_model_set_input(ch, &m);
	return count;
}

static ssize_t multicap_sim_inject_write(struct file *file, const char __user *ubuf,
					 size_t count, loff_t *ppos)
{
	struct multicap_model_channel *ch = file->private_data;
	char buf[MULTICAP_SIM_DBG_WRITE_MAX];
	ssize_t ret;

	ret = multicap_sim_copy_write(ubuf, count, buf, sizeof(buf));
	if (ret >= 0 && multicap_model_inject(ch, buf))
		ret = -EINVAL;
	if (ret < 0) {
		dev_warn_ratelimited(multicap_sim_dbg_dev(ch),
				     "ch%u: inject: unknown fault, expected desc-error, overflow, stall, link-down, spurious-irq, stray-dma or desc-lost\n",
				     ch->index);
		return ret;
	}
	return count;
}

/* The cable: read or change the channel's input mode. */
static const struct file_operations multicap_sim_mode_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = multicap_sim_mode_read,
	.write = multicap_sim_mode_write,
	.llseek = default_llseek,
};

/* Fault injection, write-only. */
static const struct file_operations multicap_sim_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = multicap_sim_inject_write,
	.llseek = noop_llseek,
};

/**
 * multicap_sim_debugfs_init_card() - create a card's debugfs directory and files
 * @plat: the card's host, its card model allocated
 * @parent: the module's directory
 */
void multicap_sim_debugfs_init_card(struct multicap_sim_plat *plat, struct dentry *parent)
{
	struct multicap_model_card *card = plat->card;
	struct dentry *dir;
	unsigned int i;
	char name[16];

	snprintf(name, sizeof(name), "card%u", plat->index);
	plat->dbg = debugfs_create_dir(name, parent);
	debugfs_create_u64("dma_mappings", 0400, plat->dbg, &plat->dma_mappings);
	debugfs_create_u64("dma_refused", 0400, plat->dbg, &plat->dma_refused);
	debugfs_create_u64("undef_writes", 0400, plat->dbg, &card->undef_writes);
	debugfs_create_u64("irqs", 0400, plat->dbg, &card->irqs);
	for (i = 0; i < card->nch; i++) {
		snprintf(name, sizeof(name), "ch%u", i);
		dir = debugfs_create_dir(name, plat->dbg);
		debugfs_create_file("mode", 0600, dir, &card->ch[i],
				    &multicap_sim_mode_fops);
		debugfs_create_file("inject", 0200, dir, &card->ch[i],
				    &multicap_sim_inject_fops);
	}
}
