// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-clock.c - the card clock, mapped onto CLOCK_MONOTONIC
 */

/**
 * DOC: multicap card clock
 *
 * The card stamps every frame with its own free-running clock, shared by
 * all channels: the instant the first line arrived and the instant the
 * last line landed. Buffer timestamps are those instants on
 * CLOCK_MONOTONIC, so they do not depend on when the interrupt ran, and
 * same-instant frames of different channels carry the same timestamp.
 *
 * Cross-timestamp: reading CLOCK_LO latches the card clock. The driver
 * brackets that read with ktime_get_ns(), MULTICAP_CLOCK_READS times with
 * interrupts off, and keeps the narrowest bracket: its midpoint is the
 * CLOCK_MONOTONIC instant of the card time latched.
 *
 * Drift: the card's crystal is off by tens of ppm. A least-squares line
 * through the last MULTICAP_CLOCK_SAMPLES cross-timestamps gives the rate;
 * a new one is taken every MULTICAP_CLOCK_SYNC_MS.
 *
 * The map is piecewise linear and continuous: at each sync a new piece
 * starts at a card instant just ahead of the card's present, at the old
 * map's value there, with the slope that meets the fitted line one sync
 * period later. The map never steps, so timestamps stay monotonic and
 * their spacing only changes by the slope correction (a few ns a frame
 * once the fit has settled). The piece before the newest is kept: an
 * instant up to a sync period old converts the same way before and after
 * a sync, whichever channel converts it; older ones (a frame completed
 * that late) are extrapolated from that piece. A card clock that jumps
 * by more than MULTICAP_CLOCK_STEP_NS is tracked anew.
 */

#include <linux/math64.h>

#include "multicap.h"

#define MULTICAP_CLOCK_READS	8	/* bracketed reads per cross-timestamp */
#define MULTICAP_CLOCK_SYNC_MS	500
/* The new piece starts this far ahead of the card's present. */
#define MULTICAP_CLOCK_AHEAD_NS	(2 * NSEC_PER_MSEC)
/* A map further off than this follows a card clock that jumped. */
#define MULTICAP_CLOCK_STEP_NS	(10 * NSEC_PER_MSEC)
/* No card crystal is off by more; a fit beyond is noise. */
#define MULTICAP_CLOCK_MAX_PPB	1000000LL
#define MULTICAP_CLOCK_ONE	BIT_ULL(32)

static u64 multicap_seg_eval(const struct multicap_clock_seg *seg, u64 card)
{
	if (card >= seg->card0)
		return seg->mono0 + mul_u64_u64_shr(card - seg->card0, seg->mult, 32);
	return seg->mono0 - mul_u64_u64_shr(seg->card0 - card, seg->mult, 32);
}

/**
 * multicap_clock_to_mono() - convert a card time to CLOCK_MONOTONIC
 * @dev: the card
 * @card: card clock ticks
 *
 * Context: any, including hard IRQ.
 *
 * Return: CLOCK_MONOTONIC ns.
 */
u64 multicap_clock_to_mono(struct multicap_dev *dev, u64 card)
{
	struct multicap_clock *clk = &dev->clock;
	struct multicap_clock_seg seg;
	unsigned int seq;

	do {
		seq = read_seqbegin(&clk->lock);
		seg = card >= clk->cur.card0 ? clk->cur : clk->prev;
	} while (read_seqretry(&clk->lock, seq));
	return multicap_seg_eval(&seg, card);
}

/* Latch the card clock, bracketed; the narrowest bracket of several wins. */
static int multicap_clock_sample(struct multicap_dev *dev, u64 *card, u64 *mono)
{
	struct multicap_clock *clk = &dev->clock;
	u64 best = U64_MAX, t0, t1;
	unsigned long flags;
	unsigned int i;
	u32 lo, hi;

	for (i = 0; i < MULTICAP_CLOCK_READS; i++) {
		local_irq_save(flags);
		t0 = ktime_get_ns();
		lo = multicap_read(dev, MULTICAP_REG_CLOCK_LO);
		t1 = ktime_get_ns();
		local_irq_restore(flags);
		hi = multicap_read(dev, MULTICAP_REG_CLOCK_HI);
		if (lo == ~0U && hi == ~0U)
			return -ENODEV;
		if (t1 - t0 < best) {
			best = t1 - t0;
			*card = (u64)hi << 32 | lo;
			*mono = t0 + best / 2;
		}
	}
	clk->bracket_ns = best;
	clk->syncs++;
	return 0;
}

/*
 * Card rate against CLOCK_MONOTONIC from the samples: the slope of the
 * residual (mono - card) over card time, in ppb of card time, with the
 * residual and time means it passes through. Times are taken relative to
 * the oldest sample, in us for x, so the sums fit in 64 bits.
 */
static s64 multicap_clock_fit(struct multicap_clock *clk, s64 *xm_us, s64 *rm_ns,
			      u64 *c0, u64 *m0)
{
	unsigned int n = clk->nsamples, first, i, k;
	s64 sx = 0, sr = 0, sxx = 0, sxr = 0, x, r;
	u64 slope;

	first = n < MULTICAP_CLOCK_SAMPLES ? 0 : clk->next;
	*c0 = clk->card[first];
	*m0 = clk->mono[first];
	for (i = 0; i < n; i++) {
		k = (first + i) % MULTICAP_CLOCK_SAMPLES;
		x = div_s64(clk->card[k] - *c0, NSEC_PER_USEC);
		r = (s64)(clk->mono[k] - *m0) - (s64)(clk->card[k] - *c0);
		sx += x;
		sr += r;
	}
	*xm_us = div_s64(sx, n);
	*rm_ns = div_s64(sr, n);
	for (i = 0; i < n; i++) {
		k = (first + i) % MULTICAP_CLOCK_SAMPLES;
		x = div_s64(clk->card[k] - *c0, NSEC_PER_USEC) - *xm_us;
		r = (s64)(clk->mono[k] - *m0) - (s64)(clk->card[k] - *c0) - *rm_ns;
		sxx += x * x;
		sxr += x * r;
	}
	if (sxx <= 0)
		return 0;
	/* ns per us is 10^6 ppb; the product needs 128 bits */
	slope = mul_u64_u64_div_u64(abs(sxr), 1000000, sxx);
	slope = min_t(u64, slope, MULTICAP_CLOCK_MAX_PPB);
	return sxr < 0 ? -(s64)slope : (s64)slope;
}

/* Take a cross-timestamp and start a new piece of the map. */
static int multicap_clock_sync(struct multicap_dev *dev)
{
	struct multicap_clock *clk = &dev->clock;
	u64 card, mono, c0, m0, start, target, period, want;
	struct multicap_clock_seg seg;
	s64 slope, xm, rm, x;
	int ret;

	ret = multicap_clock_sample(dev, &card, &mono);
	if (ret)
		return ret;
	if (clk->nsamples) {
		clk->error_ns = (s64)(multicap_clock_to_mono(dev, card) - mono);
		/* A card clock that jumped (reset, lost power) starts anew. */
		if (abs(clk->error_ns) > MULTICAP_CLOCK_STEP_NS) {
			dev_warn_ratelimited(dev->bus_dev,
					     "card clock stepped by %lld ns, tracking it anew\n",
					     clk->error_ns);
			clk->nsamples = 0;
			clk->next = 0;
		}
	}
	clk->card[clk->next] = card;
	clk->mono[clk->next] = mono;
	clk->next = (clk->next + 1) % MULTICAP_CLOCK_SAMPLES;
	clk->nsamples = min(clk->nsamples + 1, MULTICAP_CLOCK_SAMPLES);
	clk->offset_ns = (s64)(mono - card);

	if (clk->nsamples == 1) {
		/* The first sample: the map is the offset, at rate 1. */
		seg.card0 = card;
		seg.mono0 = mono;
		seg.mult = MULTICAP_CLOCK_ONE;
		write_seqlock_irq(&clk->lock);
		clk->cur = seg;
		clk->prev = seg;
		write_sequnlock_irq(&clk->lock);
		return 0;
	}

	slope = multicap_clock_fit(clk, &xm, &rm, &c0, &m0);
	/* The card's own rate error is the residual slope with its sign flipped. */
	clk->drift_ppb = -slope;
	period = (u64)MULTICAP_CLOCK_SYNC_MS * NSEC_PER_MSEC;

	/*
	 * The new piece starts ahead of any card instant converted so far:
	 * computed with interrupts off and the readers held off, from the
	 * present, so no instant converts one way before and another after.
	 */
	write_seqlock_irq(&clk->lock);
	start = card + (ktime_get_ns() - mono) + MULTICAP_CLOCK_AHEAD_NS;
	target = start + period;
	/* The fitted line at @target */
	x = div_s64(target - c0, NSEC_PER_USEC) - xm;
	want = m0 + (target - c0) + rm + div_s64(x * slope, 1000000);
	seg.card0 = start;
	seg.mono0 = multicap_seg_eval(&clk->cur, start);
	/* The map is within a step of the fit, so this stays below 2^64. */
	seg.mult = want > seg.mono0 ?
		   div64_u64((want - seg.mono0) << 32, period) : 0;
	seg.mult = clamp_t(u64, seg.mult,
			   MULTICAP_CLOCK_ONE - MULTICAP_CLOCK_ONE / 1000,
			   MULTICAP_CLOCK_ONE + MULTICAP_CLOCK_ONE / 1000);
	clk->prev = clk->cur;
	clk->cur = seg;
	write_sequnlock_irq(&clk->lock);
	return 0;
}

static void multicap_clock_work(struct work_struct *work)
{
	struct multicap_dev *dev = container_of(to_delayed_work(work),
						struct multicap_dev, clock.work);

	if (READ_ONCE(dev->link_down))
		return;
	if (multicap_clock_sync(dev)) {
		multicap_card_lost(dev);
		return;
	}
	schedule_delayed_work(&dev->clock.work,
			      msecs_to_jiffies(MULTICAP_CLOCK_SYNC_MS));
}

/**
 * multicap_clock_init() - take the first cross-timestamp, start tracking
 * @dev: the card
 *
 * Return: 0, or -ENODEV if the card does not answer.
 */
int multicap_clock_init(struct multicap_dev *dev)
{
	struct multicap_clock *clk = &dev->clock;
	int ret;

	seqlock_init(&clk->lock);
	INIT_DELAYED_WORK(&clk->work, multicap_clock_work);
	ret = multicap_clock_sync(dev);
	if (ret)
		return ret;
	schedule_delayed_work(&clk->work, msecs_to_jiffies(MULTICAP_CLOCK_SYNC_MS));
	return 0;
}

/**
 * multicap_clock_stop() - stop tracking the card clock
 * @dev: the card
 *
 * Conversions keep working on the last map.
 */
void multicap_clock_stop(struct multicap_dev *dev)
{
	cancel_delayed_work_sync(&dev->clock.work);
}
