// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-irq.c - interrupt and polling: when completion passes run
 */

/**
 * DOC: multicap interrupts
 *
 * The card reports in one register, in the cause layout of
 * include/multicap-regs.h, which channels have news on their frame ring
 * (FRAME) and which saw their input change (INPUT).
 *
 * Interrupt mode: the hard handler reads IRQ_STATUS, acknowledges it and
 * runs the completion pass of every FRAME channel right there: one ring
 * entry read per frame, the timestamp taken from the card's own stamp, the
 * buffer handed to vb2. Nothing time-critical waits for a thread. INPUT
 * causes, which read the channel's STATUS and are not time-critical, go
 * to the IRQ thread. An event after the acknowledgment sets IRQ_STATUS
 * again and raises a new interrupt, so nothing is lost.
 *
 * Polling mode (poll_us != 0), for cards whose interrupt cannot be used: a
 * softirq hrtimer reads DATA_READY (every cause, whether it interrupts or
 * not) every poll_us and does the same work.
 */

#include <linux/interrupt.h>

#include "multicap.h"

/* Returns the good frames completed, which each path counts for debugfs. */
static unsigned int multicap_complete_frames(struct multicap_dev *dev,
					     u32 cause)
{
	unsigned long pending = FIELD_GET(MULTICAP_CAUSE_FRAME_MSK, cause);
	unsigned int i, n = 0;

	for_each_set_bit(i, &pending, dev->nch)
		n += multicap_ring_complete(&dev->ch[i]);
	return n;
}

static void multicap_inputs_changed(struct multicap_dev *dev, u32 cause)
{
	unsigned long pending = FIELD_GET(MULTICAP_CAUSE_INPUT_MSK, cause);
	unsigned int i;

	for_each_set_bit(i, &pending, dev->nch)
		multicap_input_changed(&dev->ch[i]);
}

/* The causes of the card's channels: both halves of the cause layout. */
static u32 multicap_cause_mask(struct multicap_dev *dev)
{
	u32 chans = GENMASK(dev->nch - 1, 0);

	return FIELD_PREP(MULTICAP_CAUSE_FRAME_MSK, chans) |
	       FIELD_PREP(MULTICAP_CAUSE_INPUT_MSK, chans);
}

/* Read and acknowledge a cause register; 0 when there is nothing. */
static u32 multicap_take_cause(struct multicap_dev *dev, unsigned int reg)
{
	u32 cause = multicap_read(dev, reg);

	if (cause == ~0U) {
		multicap_card_lost(dev);
		return 0;
	}
	cause &= multicap_cause_mask(dev);
	if (cause)
		multicap_write(dev, reg, cause);
	return cause;
}

static irqreturn_t multicap_irq(int irq, void *data)
{
	struct multicap_dev *dev = data;
	u32 cause = multicap_take_cause(dev, MULTICAP_REG_IRQ_STATUS);

	if (!cause)
		return IRQ_NONE;
	atomic64_inc(&dev->irqs);
	atomic64_add(multicap_complete_frames(dev, cause), &dev->irq_frames);
	if (!(cause & MULTICAP_CAUSE_INPUT_MSK))
		return IRQ_HANDLED;
	atomic_or(cause, &dev->input_pending);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t multicap_irq_thread(int irq, void *data)
{
	struct multicap_dev *dev = data;

	multicap_inputs_changed(dev, atomic_xchg(&dev->input_pending, 0));
	return IRQ_HANDLED;
}

static enum hrtimer_restart multicap_poll(struct hrtimer *t)
{
	struct multicap_dev *dev = container_of(t, struct multicap_dev,
						poll_timer);
	u32 cause;

	atomic64_inc(&dev->polls);
	cause = multicap_take_cause(dev, MULTICAP_REG_DATA_READY);
	atomic64_add(multicap_complete_frames(dev, cause), &dev->poll_frames);
	multicap_inputs_changed(dev, cause);
	if (READ_ONCE(dev->link_down))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(dev->poll_ns));
	return HRTIMER_RESTART;
}

/**
 * multicap_irq_setup() - start interrupt or polling service of a card
 * @dev: the card
 * @poll_us: polling period, 0 to use the interrupt
 *
 * Return: 0 or the error of request_threaded_irq().
 */
int multicap_irq_setup(struct multicap_dev *dev, unsigned int poll_us)
{
	int ret;

	if (poll_us || dev->irq < 0) {
		dev->irq = -1;
		dev->poll_ns = (u64)(poll_us ? poll_us : 1000) * NSEC_PER_USEC;
		multicap_hrtimer_setup(&dev->poll_timer, multicap_poll,
				       CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
		hrtimer_start(&dev->poll_timer, ns_to_ktime(dev->poll_ns),
			      HRTIMER_MODE_REL_SOFT);
		dev_info(dev->bus_dev, "polling every %llu us\n",
			 dev->poll_ns / NSEC_PER_USEC);
		return 0;
	}

	ret = request_threaded_irq(dev->irq, multicap_irq, multicap_irq_thread,
				   IRQF_SHARED, dev_name(dev->bus_dev), dev);
	if (ret)
		return ret;
	/* Every channel's causes: idle channels still report input changes. */
	multicap_write(dev, MULTICAP_REG_IRQ_MASK, multicap_cause_mask(dev));
	multicap_write(dev, MULTICAP_REG_IRQ_ENABLE, MULTICAP_IRQ_ENABLE_ON);
	return 0;
}

/**
 * multicap_irq_teardown() - stop interrupt or polling service of a card
 * @dev: the card; its engines are stopped
 */
void multicap_irq_teardown(struct multicap_dev *dev)
{
	if (dev->irq < 0) {
		hrtimer_cancel(&dev->poll_timer);
		return;
	}
	if (!READ_ONCE(dev->link_down))
		multicap_write(dev, MULTICAP_REG_IRQ_ENABLE, 0);
	free_irq(dev->irq, dev);
}
