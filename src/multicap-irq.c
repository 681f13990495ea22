// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-irq.c - interrupt and polling: when completion passes run
 */

/**
 * DOC: multicap interrupts
 *
 * Interrupt mode: the hard handler reads and acknowledges IRQ_STATUS, masks
 * the card's interrupts and wakes the IRQ thread. The thread runs
 * completion passes, NAPI-style: each pass reads the DATA_READY vector,
 * acknowledges it, completes every channel it names and checks them for an
 * input change; it keeps polling while passes find work (at most 64 passes
 * an interrupt) and then unmasks the interrupts.
 * An event that arrives after the last pass sets IRQ_STATUS again, so
 * unmasking re-asserts the line and nothing is lost.
 *
 * Polling mode (poll_us != 0), for cards whose interrupt cannot be used: a
 * softirq hrtimer runs one completion pass every poll_us.
 */

#include <linux/interrupt.h>

#include "multicap.h"

#define MULTICAP_POLL_BUDGET	64	/* completion passes per interrupt */

/* One completion pass; returns the channels that had work. */
static u32 multicap_service(struct multicap_dev *dev)
{
	u32 ready = multicap_read(dev, MULTICAP_REG_DATA_READY);
	unsigned long pending;
	unsigned int i;

	if (ready == ~0U) {
		multicap_card_lost(dev);
		return 0;
	}
	ready &= GENMASK(dev->nch - 1, 0);
	if (!ready)
		return 0;
	multicap_write(dev, MULTICAP_REG_DATA_READY, ready);
	pending = ready;
	for_each_set_bit(i, &pending, dev->nch) {
		multicap_ring_complete(&dev->ch[i]);
		multicap_input_changed(&dev->ch[i]);
	}
	return ready;
}

/* Every channel's interrupt: idle channels still report input changes. */
static void multicap_irq_unmask(struct multicap_dev *dev)
{
	multicap_write(dev, MULTICAP_REG_IRQ_MASK, GENMASK(dev->nch - 1, 0));
}

static irqreturn_t multicap_irq(int irq, void *data)
{
	struct multicap_dev *dev = data;
	u32 status = multicap_read(dev, MULTICAP_REG_IRQ_STATUS);

	if (status == ~0U)
		multicap_card_lost(dev);
	if (!status || status == ~0U)
		return IRQ_NONE;
	multicap_write(dev, MULTICAP_REG_IRQ_MASK, 0);
	multicap_write(dev, MULTICAP_REG_IRQ_STATUS, status);
	atomic64_inc(&dev->irqs);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t multicap_irq_thread(int irq, void *data)
{
	struct multicap_dev *dev = data;
	unsigned int budget = MULTICAP_POLL_BUDGET;

	/* Past the budget, unmask: pending work re-asserts the line. */
	while (multicap_service(dev) && --budget)
		cond_resched();

	if (!READ_ONCE(dev->link_down))
		multicap_irq_unmask(dev);
	return IRQ_HANDLED;
}

static enum hrtimer_restart multicap_poll(struct hrtimer *t)
{
	struct multicap_dev *dev = container_of(t, struct multicap_dev,
						poll_timer);

	atomic64_inc(&dev->polls);
	multicap_service(dev);
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
		hrtimer_init(&dev->poll_timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_SOFT);
		dev->poll_timer.function = multicap_poll;
		hrtimer_start(&dev->poll_timer, ns_to_ktime(dev->poll_ns),
			      HRTIMER_MODE_REL_SOFT);
		dev_info(dev->dev, "polling every %llu us\n",
			 dev->poll_ns / NSEC_PER_USEC);
		return 0;
	}

	ret = request_threaded_irq(dev->irq, multicap_irq, multicap_irq_thread,
				   IRQF_SHARED, dev_name(dev->dev), dev);
	if (ret)
		return ret;
	multicap_irq_unmask(dev);
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
