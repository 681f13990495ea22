// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-watchdog.c - hung engines and a card that left the bus
 */

/**
 * DOC: multicap watchdog
 *
 * While any channel streams, a delayed work runs every
 * MULTICAP_WATCHDOG_MS. It checks two things.
 *
 * The card: an ID register that reads all-ones means the card is gone
 * (surprise removal, a dead link). Interrupt mode cannot see that any other
 * way, since a card that is gone raises no interrupt. The card is declared
 * lost: no register is touched again, every streaming channel returns its
 * buffers with an error and marks its queue in error, so blocked DQBUF and
 * poll() wake up, and every later open or ioctl fails with ENODEV.
 *
 * Each streaming channel: a card frame counter that has not moved for
 * MULTICAP_STALL_PERIODS frame periods (at least MULTICAP_STALL_MIN_MS) is a
 * hung engine. The watchdog resets the engine and restarts it on the same
 * buffers, without the application's help; the frames the hang cost show as
 * a sequence gap and in the drops_stall and watchdog_resets counters.
 */

#include <linux/ktime.h>

#include "multicap.h"

#define MULTICAP_WATCHDOG_MS	250
#define MULTICAP_STALL_PERIODS	8
#define MULTICAP_STALL_MIN_MS	1000

/* Time between two captured frames: the input's period, decimated. */
static u64 multicap_capture_period_ns(struct multicap_channel *vc)
{
	return (u64)multicap_frame_ns(vc) * (vc->decimate + 1);
}

/* A channel's engine (re)started: no frame seen yet, as of now. */
static void multicap_watchdog_reset_stall(struct multicap_channel *vc)
{
	vc->wd_frames = 0;
	vc->wd_stamp = ktime_get_ns();
}

/*
 * Check one channel and restart its engine if it hung. Returns whether the
 * channel still streams, i.e. whether the watchdog must run again for it.
 */
static bool multicap_channel_needs_watchdog(struct multicap_channel *vc)
{
	struct multicap_dev *dev = vc->dev;
	u64 now, period;
	u32 frames, lost;
	bool streaming;
	int ret;

	mutex_lock(&vc->vb_mutex);
	streaming = !vc->gone && vb2_is_streaming(&vc->queue) &&
		    READ_ONCE(vc->running);
	if (!streaming || !multicap_hw_present(vc))
		goto out;

	frames = multicap_ch_read(vc, MULTICAP_CH_FRAME_COUNT);
	now = ktime_get_ns();
	if (frames != vc->wd_frames) {
		vc->wd_frames = frames;
		vc->wd_stamp = now;
		goto out;
	}
	/* No new frame for MULTICAP_STALL_PERIODS periods: the engine hung. */
	period = multicap_capture_period_ns(vc);
	if (now - vc->wd_stamp < max_t(u64, MULTICAP_STALL_PERIODS * period,
				       MULTICAP_STALL_MIN_MS * NSEC_PER_MSEC))
		goto out;

	lost = max_t(u64, 1, div64_u64(now - vc->wd_stamp, period));
	dev_warn_ratelimited(dev->dev,
			     "ch%u: engine hung for %llu ms, restarting it\n",
			     vc->index, (now - vc->wd_stamp) / NSEC_PER_MSEC);
	ret = multicap_engine_restart(vc, lost);
	if (!ret) {
		multicap_watchdog_reset_stall(vc);
		goto out;
	}
	dev_err(dev->dev, "ch%u: engine restart failed (%d)\n", vc->index, ret);
	vb2_queue_error(&vc->queue);
	streaming = false;
out:
	mutex_unlock(&vc->vb_mutex);
	return streaming;
}

static void multicap_watchdog_work(struct work_struct *work)
{
	struct multicap_dev *dev = container_of(to_delayed_work(work),
						struct multicap_dev, watchdog);
	bool streaming = false;
	unsigned int i;

	if (!READ_ONCE(dev->link_down) &&
	    multicap_read(dev, MULTICAP_REG_ID) == ~0U)
		WRITE_ONCE(dev->link_down, true);

	if (READ_ONCE(dev->link_down)) {
		dev_err(dev->dev, "card lost: stopping every channel\n");
		multicap_channels_disconnect(dev);
		return;
	}

	for (i = 0; i < dev->nch; i++)
		streaming |= multicap_channel_needs_watchdog(&dev->ch[i]);
	if (streaming)
		schedule_delayed_work(&dev->watchdog,
				      msecs_to_jiffies(MULTICAP_WATCHDOG_MS));
}

/**
 * multicap_watchdog_init() - set up a card's watchdog, not running
 * @dev: the card
 */
void multicap_watchdog_init(struct multicap_dev *dev)
{
	INIT_DELAYED_WORK(&dev->watchdog, multicap_watchdog_work);
}

/**
 * multicap_watchdog_arm() - watch a channel whose engine just started
 * @vc: the channel, its vb_mutex held
 *
 * Starts the channel's stall clock afresh (no card frame seen yet) and
 * makes sure the watchdog runs; it keeps running while any channel streams.
 */
void multicap_watchdog_arm(struct multicap_channel *vc)
{
	multicap_watchdog_reset_stall(vc);
	schedule_delayed_work(&vc->dev->watchdog,
			      msecs_to_jiffies(MULTICAP_WATCHDOG_MS));
}

/**
 * multicap_watchdog_kick() - run the watchdog now, not at its next period
 * @dev: the card
 *
 * Context: any.
 */
void multicap_watchdog_kick(struct multicap_dev *dev)
{
	mod_delayed_work(multicap_system_wq, &dev->watchdog, 0);
}

/**
 * multicap_watchdog_stop() - stop the watchdog for good
 * @dev: the card, every channel disconnected and the interrupt freed
 */
void multicap_watchdog_stop(struct multicap_dev *dev)
{
	cancel_delayed_work_sync(&dev->watchdog);
}
