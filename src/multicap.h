/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicap.h - structures and shared prototypes of the multicap driver
 */
#ifndef MULTICAP_H
#define MULTICAP_H

#include <linux/bitfield.h>
#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/regmap.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <media/v4l2-common.h>
#include <media/v4l2-ctrls.h>
#include <media/v4l2-device.h>
#include <media/videobuf2-v4l2.h>

#include "multicap-compat.h"
#include "multicap-regs.h"

#define MULTICAP_DRIVER_NAME	"multicap"
#define MULTICAP_RING_SIZE	64	/* frame-ring entries per channel */
#define MULTICAP_PROGRESS_LINES_MAX	4096	/* beyond any height */

/**
 * struct multicap_format - a pixel format the card can write
 * @fourcc: V4L2 pixel format
 * @hw: MULTICAP_PIXFMT_* code
 * @is_rgb: RGB (sRGB, full range) rather than Y'CbCr
 */
struct multicap_format {
	u32 fourcc;
	u32 hw;
	bool is_rgb;
};

/**
 * multicap_stream_lines() - lines of a frame, all planes, as the card sends
 * @pix: the format
 *
 * The node sizes its buffers with it, the descriptor builder walks them.
 *
 * Return: @pix->height plus the chroma lines of semi-planar formats.
 */
static inline u32 multicap_stream_lines(const struct v4l2_pix_format *pix)
{
	const struct v4l2_format_info *info = v4l2_format_info(pix->pixelformat);

	if (info && info->comp_planes == 2)
		return pix->height + pix->height / info->vdiv;
	return pix->height;
}

/**
 * struct multicap_buffer - a vb2 buffer and its DMA descriptor list
 * @vb: the vb2 buffer, first
 * @list: entry in the channel's @queued list
 * @descs: descriptor list in coherent memory, built once in buf_init
 * @descs_dma: bus address of @descs
 * @ndescs: number of descriptors
 * @tag: generation tag of the ring entry the buffer was last pushed with
 * @synced: FRAME_SYNC was queued for the frame being written
 * @lines_told: lines the last progress event of that frame reported
 * @card_time: card clock of the instant the timestamp marks
 *
 * The fields after @ndescs are guarded by the channel's qlock while the
 * buffer is on the ring, then owned by the completion pass.
 */
struct multicap_buffer {
	struct vb2_v4l2_buffer vb;
	struct list_head list;
	struct multicap_desc *descs;
	dma_addr_t descs_dma;
	u32 ndescs;
	u16 tag;
	bool synced;
	u32 lines_told;
	u64 card_time;
};

/**
 * struct multicap_stats - per-channel counters, all since the card was probed
 * @frames: good frames delivered
 * @drops_no_buffer: frames dropped by the card with no buffer queued
 * @drops_overflow: frames lost to FIFO overflow
 * @drops_chunk_error: frames with a failed chunk (buffer requeued)
 * @bad_assembly: frames whose descriptors disagreed with the ring entry
 * @completions: ring entries the engine finished (good or failed frames)
 * @drops_stall: frames lost while the engine hung, until the watchdog reset it
 * @watchdog_resets: hung engines the watchdog reset and restarted
 */
struct multicap_stats {
	u64 frames;
	u64 drops_no_buffer;
	u64 drops_overflow;
	u64 drops_chunk_error;
	u64 bad_assembly;
	u64 completions;
	u64 drops_stall;
	u64 watchdog_resets;
};

struct multicap_dev;

/**
 * struct multicap_channel - one capture channel and its video node
 * @dev: the card
 * @index: channel number, also the node's index on the card
 * @vdev: the video node
 * @queue: its vb2 queue
 * @vb_mutex: serialises the node's ioctls and the vb2 queue
 * @ctrl_handler: the node's controls
 * @prio: the node's priority state; channels are independent devices
 * @fmt: current format, per node (guarded by @vb_mutex)
 * @mfmt: the card's description of @fmt.pixelformat
 * @tpg: test pattern select, MULTICAP_TPG_*
 * @rgb_range: V4L2_DV_RGB_RANGE_* of the input
 * @timings: DV timings the channel captures at (guarded by @vb_mutex)
 * @decimate: capture one frame in @decimate + 1 (guarded by @vb_mutex)
 * @source_changes: input changes reported as V4L2_EVENT_SOURCE_CHANGE
 * @ts_ctrl: the timestamp source control, grabbed while streaming
 * @ts_source: V4L2_MULTICAP_TIMESTAMP_*, fixed while streaming
 * @progress_lines: V4L2_CID_MULTICAP_PROGRESS_LINES
 * @sync_subs: file handles subscribed to V4L2_EVENT_FRAME_SYNC
 * @gone: the card was removed: touch no register (guarded by @vb_mutex;
 *	set with WRITE_ONCE(), read with READ_ONCE() where @vb_mutex is not
 *	held, see multicap_hw_present())
 * @lines_per_chunk: lines per chunk the engine was started with (guarded
 *	by @vb_mutex)
 * @wd_frames: card FRAME_COUNT the watchdog saw last (guarded by @vb_mutex)
 * @wd_stamp: when @wd_frames last changed, ns (guarded by @vb_mutex)
 * @dbg: debugfs directory (set at probe)
 * @qlock: protects the fields after it, except @ring and @ring_dma (set
 *	at probe; the ring entries they point to are guarded) and @idle;
 *	taken in hard IRQ by the completion pass
 * @queued: buffers owned by the engine, in ring order
 * @running: the engine was started and owns the ring (written under
 *	@qlock with WRITE_ONCE(); the watchdog reads it with READ_ONCE()
 *	under @vb_mutex alone)
 * @ring: frame ring in coherent memory
 * @ring_dma: bus address of @ring
 * @prod: next ring entry the driver fills
 * @tail: oldest ring entry not yet completed
 * @tag: generation tag of the last ring entry pushed
 * @events: CH_EVENTS value the engine runs with
 * @completing: completion passes handing buffers to vb2 outside @qlock
 * @idle: woken when @completing drops to 0
 * @next_frame: frame number expected next; a jump is a drop
 * @seq_base: added to the card's frame number: frames before a restart
 * @last_overflow: card OVERFLOW_COUNT at the last drop accounting
 * @stats: counters
 */
struct multicap_channel {
	struct multicap_dev *dev;
	unsigned int index;
	struct video_device vdev;
	struct vb2_queue queue;
	struct mutex vb_mutex;	/* node ioctls and vb2 queue */
	struct v4l2_ctrl_handler ctrl_handler;
	struct v4l2_prio_state prio;
	struct v4l2_pix_format fmt;
	const struct multicap_format *mfmt;
	u32 tpg;
	u32 rgb_range;
	struct v4l2_dv_timings timings;
	u32 decimate;
	atomic64_t source_changes;
	struct v4l2_ctrl *ts_ctrl;
	u32 ts_source;
	u32 progress_lines;
	atomic_t sync_subs;
	bool gone;
	unsigned int lines_per_chunk;
	u32 wd_frames;
	u64 wd_stamp;
	struct dentry *dbg;

	spinlock_t qlock;	/* the fields below: queue, ring state, stats */
	struct list_head queued;
	bool running;
	struct multicap_ring_entry *ring;
	dma_addr_t ring_dma;
	u32 prod;
	u32 tail;
	u16 tag;
	u32 events;
	unsigned int completing;
	wait_queue_head_t idle;
	u32 next_frame;
	u32 seq_base;
	u32 last_overflow;
	struct multicap_stats stats;
};

#define MULTICAP_CLOCK_SAMPLES	16	/* cross-timestamps in the drift fit */

/**
 * struct multicap_clock_seg - one piece of the card-to-CLOCK_MONOTONIC map
 * @card0: card time the piece starts at
 * @mono0: CLOCK_MONOTONIC ns at @card0
 * @mult: monotonic ns per card tick, 32.32 fixed point
 */
struct multicap_clock_seg {
	u64 card0;
	u64 mono0;
	u64 mult;
};

/**
 * struct multicap_clock - the card clock, tracked against CLOCK_MONOTONIC
 * @lock: readers (any context) retry while the map is replaced
 * @cur: the map from @cur.card0 on
 * @prev: the map before @cur.card0, so an instant converts the same way
 *	before and after a sync
 * @card: card times of the last cross-timestamps (ring of samples)
 * @mono: CLOCK_MONOTONIC at those instants
 * @nsamples: samples held, up to MULTICAP_CLOCK_SAMPLES
 * @next: where the next sample goes
 * @offset_ns: CLOCK_MONOTONIC minus card time at the last sample
 * @drift_ppb: card clock rate error against CLOCK_MONOTONIC, from the fit
 * @error_ns: the map's error at the last sample (map minus measured)
 * @bracket_ns: width of the best read bracket of the last sample
 * @syncs: cross-timestamps taken
 * @work: periodic resynchronisation
 *
 * Everything but @cur and @prev belongs to @work (and to probe, before it
 * is queued); debugfs reads it as plain numbers.
 */
struct multicap_clock {
	seqlock_t lock;		/* @cur and @prev */
	struct multicap_clock_seg cur;
	struct multicap_clock_seg prev;
	u64 card[MULTICAP_CLOCK_SAMPLES];
	u64 mono[MULTICAP_CLOCK_SAMPLES];
	unsigned int nsamples;
	unsigned int next;
	s64 offset_ns;
	s64 drift_ppb;
	s64 error_ns;
	u64 bracket_ns;
	u64 syncs;
	struct delayed_work work;
};

/**
 * struct multicap_dev - one card
 * @v4l2_dev: the V4L2 device; its release frees this structure
 * @bus_dev: the bus device, also the DMA device (a reference is held)
 * @regmap: the register window
 * @model: model name (a copy)
 * @bus_info: bus_info for VIDIOC_QUERYCAP
 * @nr: the card's number among multicap cards, lowest free at probe: the
 *	N of the names "multicap card N ch M" (VIDIOC_QUERYCAP, sysfs name)
 * @irq: interrupt line, or -1 in polling mode
 * @poll_ns: polling period, 0 when interrupts are used
 * @poll_timer: drives the completion pass in polling mode
 * @irqs: hard interrupts taken
 * @polls: completion passes run from the polling timer
 * @irq_frames: good frames the interrupt handler completed
 * @poll_frames: good frames the polling timer completed
 * @input_pending: channels whose input changed, for the IRQ thread
 * @caps: the card's CAPS register
 * @link_down: the card stopped answering (all-ones reads): touch it no more.
 *	Set once, never cleared, by multicap_card_lost() with xchg(), so only
 *	the first caller queues @lost_work; read with READ_ONCE()
 * @lost_work: the core's response to a lost card: fences every channel
 * @clock: the card clock and its map to CLOCK_MONOTONIC
 * @watchdog: checks for hung engines and a lost card while channels stream
 * @dbg: debugfs directory of the card
 * @nch: number of channels
 * @ch: the channels
 */
struct multicap_dev {
	struct v4l2_device v4l2_dev;
	struct device *bus_dev;
	struct regmap *regmap;
	char model[24];
	char bus_info[32];
	unsigned int nr;
	int irq;
	u64 poll_ns;
	struct hrtimer poll_timer;
	atomic64_t irqs;
	atomic64_t polls;
	atomic64_t irq_frames;
	atomic64_t poll_frames;
	atomic_t input_pending;
	u32 caps;
	bool link_down;
	struct work_struct lost_work;
	struct multicap_clock clock;
	struct delayed_work watchdog;
	struct dentry *dbg;
	unsigned int nch;
	struct multicap_channel ch[];
};

static inline u32 multicap_read(struct multicap_dev *dev, unsigned int reg)
{
	unsigned int val;

	if (regmap_read(dev->regmap, reg, &val))
		return ~0U;
	return val;
}

static inline void multicap_write(struct multicap_dev *dev, unsigned int reg,
				  u32 val)
{
	regmap_write(dev->regmap, reg, val);
}

/**
 * multicap_hw_present() - whether a channel may still touch the card
 * @vc: the channel
 *
 * False once the channel is disconnected (@vc->gone) or the card stopped
 * answering (link_down): from then on no register of it is read or written.
 * Both flags are read with READ_ONCE(), so any context may ask, with or
 * without the channel's vb_mutex.
 *
 * Return: true if the channel's registers may be accessed.
 */
static inline bool multicap_hw_present(struct multicap_channel *vc)
{
	return !READ_ONCE(vc->gone) && !READ_ONCE(vc->dev->link_down);
}

/**
 * multicap_card_lost() - report that the card read all-ones: stop using it
 * @dev: the card
 *
 * Whoever reads all-ones from the card calls it: the interrupt handler,
 * the polling timer, the clock sync, engine start, the watchdog. It sets
 * link_down, so nothing touches the card from then on, and the first time
 * only it queues the core's lost_work, which fences every channel the way
 * remove does. The core owns the card's lifetime; the others only report.
 *
 * Context: any.
 */
static inline void multicap_card_lost(struct multicap_dev *dev)
{
	if (!xchg(&dev->link_down, true))
		schedule_work(&dev->lost_work);
}

static inline u32 multicap_ch_read(struct multicap_channel *vc,
				   unsigned int reg)
{
	return multicap_read(vc->dev, MULTICAP_CH(vc->index) + reg);
}

static inline void multicap_ch_write(struct multicap_channel *vc,
				     unsigned int reg, u32 val)
{
	multicap_write(vc->dev, MULTICAP_CH(vc->index) + reg, val);
}

/* multicap-core.c */
int multicap_probe(struct device *bus_dev, struct regmap *regmap, int irq,
		   const char *bus_info, const char *model);
void multicap_remove(struct device *bus_dev);
const struct regmap_config *multicap_regmap_config(void);

/* multicap-pci.c, multicap-platform.c: the bus glues */
int multicap_pci_register(void);
void multicap_pci_unregister(void);
int multicap_platform_register(void);
void multicap_platform_unregister(void);

/* multicap-irq.c */
int multicap_irq_setup(struct multicap_dev *dev, unsigned int poll_us);
void multicap_irq_teardown(struct multicap_dev *dev);

/* multicap-format.c */
const struct multicap_format *multicap_format_by_index(u32 index);
bool multicap_format_supported(u32 fourcc);
const struct multicap_format *
multicap_format_adjust(struct multicap_channel *vc, struct v4l2_pix_format *pix);
void multicap_format_refresh(struct multicap_channel *vc);
void multicap_format_timings_changed(struct multicap_channel *vc);

/* multicap-video.c */
int multicap_video_check_params(void);
int multicap_video_register(struct multicap_channel *vc);
void multicap_video_unregister(struct multicap_channel *vc);
void multicap_video_disconnect(struct multicap_channel *vc);

/* multicap-input.c: the input ioctls, used in multicap_ioctl_ops */
void multicap_input_init(struct multicap_channel *vc);
u32 multicap_frame_ns(struct multicap_channel *vc);
void multicap_input_changed(struct multicap_channel *vc);
int multicap_enum_input(struct file *file, void *priv, struct v4l2_input *inp);
int multicap_g_input(struct file *file, void *priv, unsigned int *i);
int multicap_s_input(struct file *file, void *priv, unsigned int i);
int multicap_s_dv_timings(struct file *file, void *priv,
			  struct v4l2_dv_timings *t);
int multicap_g_dv_timings(struct file *file, void *priv,
			  struct v4l2_dv_timings *t);
int multicap_query_dv_timings(struct file *file, void *priv,
			      struct v4l2_dv_timings *t);
int multicap_enum_dv_timings(struct file *file, void *priv,
			     struct v4l2_enum_dv_timings *t);
int multicap_dv_timings_cap(struct file *file, void *priv,
			    struct v4l2_dv_timings_cap *cap);
int multicap_g_parm(struct file *file, void *priv, struct v4l2_streamparm *a);
int multicap_s_parm(struct file *file, void *priv, struct v4l2_streamparm *a);
int multicap_enum_frameintervals(struct file *file, void *priv,
				 struct v4l2_frmivalenum *fival);

/* multicap-ctrls.c */
int multicap_ctrls_init(struct multicap_channel *vc);

/* multicap-dma.c */
int multicap_ring_alloc(struct multicap_channel *vc);
void multicap_ring_free(struct multicap_channel *vc);
int multicap_desc_build(struct multicap_channel *vc,
			struct multicap_buffer *buf,
			unsigned int lines_per_chunk);
void multicap_desc_free(struct multicap_channel *vc,
			struct multicap_buffer *buf);
void multicap_ring_queue(struct multicap_channel *vc,
			 struct multicap_buffer *buf);
int multicap_engine_start(struct multicap_channel *vc,
			  unsigned int lines_per_chunk);
int multicap_engine_restart(struct multicap_channel *vc, u32 lost);
void multicap_engine_stop(struct multicap_channel *vc);
void multicap_ring_return_all(struct multicap_channel *vc,
			      enum vb2_buffer_state state);
unsigned int multicap_ring_complete(struct multicap_channel *vc);

/* multicap-clock.c */
int multicap_clock_init(struct multicap_dev *dev);
void multicap_clock_stop(struct multicap_dev *dev);
u64 multicap_clock_to_mono(struct multicap_dev *dev, u64 card);

/* multicap-events.c */
int multicap_subscribe_event(struct v4l2_fh *fh,
			     const struct v4l2_event_subscription *sub);
void multicap_events_program(struct multicap_channel *vc);
void multicap_events_update(struct multicap_channel *vc);
void multicap_events_frame(struct multicap_channel *vc,
			   struct multicap_buffer *buf,
			   const struct multicap_ring_entry *e, u32 status);

/* multicap-watchdog.c */
void multicap_watchdog_init(struct multicap_dev *dev);
void multicap_watchdog_arm(struct multicap_channel *vc);
void multicap_watchdog_stop(struct multicap_dev *dev);

/* multicap-debugfs.c: debugfs, and the counters for VIDIOC_LOG_STATUS */
void multicap_stats_log(struct multicap_channel *vc);
void multicap_debugfs_create_root(void);
void multicap_debugfs_remove_root(void);
void multicap_debugfs_init(struct multicap_dev *dev);
void multicap_debugfs_remove(struct multicap_dev *dev);

#endif /* MULTICAP_H */
