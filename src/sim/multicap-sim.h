/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicap-sim.h - internal state of the simulated multicap card
 *
 * The simulated card implements include/multicap-regs.h: a register file,
 * per-channel DMA engines paced by hrtimers on the input's real line timing,
 * and one interrupt line from the simulator's own interrupt domain.
 */
#ifndef MULTICAP_SIM_H
#define MULTICAP_SIM_H

#include <linux/bitfield.h>
#include <linux/debugfs.h>
#include <linux/hrtimer.h>
#include <linux/rbtree.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "multicap-platform.h"
#include "multicap-regs.h"

#define MCS_MAX_WIDTH		4096
#define MCS_MAX_HEIGHT		2160
#define MCS_MAX_LINE_BYTES	(MCS_MAX_WIDTH * 4)
#define MCS_PATTERN_ROWS	8	/* background + 7 glyph rows */

/**
 * struct mcs_mode - a video mode of the simulated input
 * @width: active pixels per line, 0 = no signal
 * @height: active lines
 * @fps: frames per second
 * @htotal: pixels per line including blanking
 * @vtotal: lines per frame including blanking
 * @pixclk_khz: pixel clock
 * @frame_ns: frame period
 */
struct mcs_mode {
	u32 width;
	u32 height;
	u32 fps;
	u32 htotal;
	u32 vtotal;
	u32 pixclk_khz;
	u64 frame_ns;
};

/**
 * struct mcs_pattern - prepared lines the pixel generator copies from
 * @rows: MCS_PATTERN_ROWS packed/luma rows, then as many chroma rows, each
 *	stored twice in a row so a scrolled copy is one memcpy
 * @ramp: bytes k & 0xff, for the Tagged Lines payload
 * @rgb: scratch line of 0x00RRGGBB pixels used while preparing rows
 * @glyph_top: first line of the channel label
 * @glyph_scale: lines per glyph row
 * @live: the input matches the capture geometry: show it, else "NO SIGNAL"
 */
struct mcs_pattern {
	u8 *rows;
	u8 *ramp;
	u32 *rgb;
	u32 glyph_top;
	u32 glyph_scale;
	bool live;
};

struct mcs_card;

/**
 * struct mcs_channel - one simulated channel: registers and engine state
 * @card: the card
 * @index: channel number
 * @lock: protects every field below; taken in hard-IRQ context
 * @timer: paces the engine: start of frame, then one tick per chunk
 * @dbg: debugfs directory of the channel
 * @mode: the input's current mode (width 0 = no signal)
 * @ctrl: CTRL register
 * @format: FORMAT register
 * @decimate: DECIMATE register
 * @tpg: TPG register
 * @cap_size: CAP_SIZE register
 * @cap_frame_ns: CAP_FRAME_NS register
 * @ring_base: RING_BASE_HI:LO
 * @ring_size: RING_SIZE
 * @prod: RING_PROD
 * @cons: RING_CONS
 * @err: W1C error bits of STATUS
 * @frame_count: FRAME_COUNT
 * @drop_count: DROP_COUNT
 * @overflow_count: OVERFLOW_COUNT
 * @abort_count: ABORT_COUNT
 * @busy: engine is running (STATUS_BUSY)
 * @pixfmt: output format latched at enable
 * @width: active width latched at enable
 * @height: active height latched at enable
 * @frame_ns: frame period latched at enable
 * @active_ns: time the active lines of a frame take
 * @in_frame: a frame is being written to @entry
 * @frame_start: start time of the current frame (CLOCK_MONOTONIC ns)
 * @chunk: chunks of the current frame already delivered
 * @nchunks: chunks per frame
 * @lpc: lines per chunk
 * @line_bytes: bytes of one line of the packed active data
 * @stream_lines: lines per frame in the packed active data (all planes)
 * @skip: frames left to skip for decimation
 * @frame: frame counter value of the current frame
 * @entry_idx: ring index of the current frame's entry
 * @list_addr: descriptor list of the current frame
 * @list_count: descriptors in that list
 * @next_desc: next descriptor to complete
 * @fault_desc: inject: fail a descriptor of the next frame
 * @fault_overflow: inject: overflow on the next frame
 * @stalled: inject: the engine hangs until channel reset
 * @fault_stray: inject: the next chunk goes to an address never mapped
 * @pat: prepared pattern lines
 */
struct mcs_channel {
	struct mcs_card *card;
	unsigned int index;
	spinlock_t lock;	/* channel registers and engine state */
	struct hrtimer timer;
	struct dentry *dbg;
	struct mcs_mode mode;

	u32 ctrl;
	u32 format;
	u32 decimate;
	u32 tpg;
	u32 cap_size;
	u32 cap_frame_ns;
	u64 ring_base;
	u32 ring_size;
	u32 prod;
	u32 cons;
	u32 err;
	u32 frame_count;
	u32 drop_count;
	u32 overflow_count;
	u32 abort_count;

	bool busy;
	u32 pixfmt;
	u32 width;
	u32 height;
	u64 frame_ns;
	u64 active_ns;
	bool in_frame;
	u64 frame_start;
	u32 chunk;
	u32 nchunks;
	u32 lpc;
	u32 line_bytes;
	u32 stream_lines;
	u32 skip;
	u32 frame;
	u32 entry_idx;
	u64 list_addr;
	u32 list_count;
	u32 next_desc;

	bool fault_desc;
	bool fault_overflow;
	bool stalled;
	bool fault_stray;

	struct mcs_pattern pat;
};

/**
 * struct mcs_card - one simulated card
 * @index: card number
 * @nch: number of channels
 * @lock: protects the global registers below; taken in hard-IRQ context,
 *	nests inside a channel's @lock
 * @irq_status: IRQ_STATUS
 * @irq_mask: IRQ_MASK
 * @irq_enable: IRQ_ENABLE
 * @data_ready: DATA_READY
 * @coalesce_us: IRQ_COALESCE_US
 * @last_irq: time of the last interrupt, for coalescing
 * @link_down: surprise link-down: reads return all-ones, DMA stops
 * @spurious: inject: raise the interrupt once with no cause
 * @irq_timer: delivers the interrupt in hard-IRQ context
 * @virq: Linux IRQ number of the card's interrupt line
 * @pdev: the platform device the driver binds to
 * @pdata: register accessors handed to the driver
 * @bus: companion device that does the real DMA mapping
 * @dma_lock: protects @dma_maps and the counters after it
 * @dma_maps: bus address ranges the driver mapped on @pdev
 * @dma_mappings: entries in @dma_maps
 * @dma_refused: DMA the card refused: outside every mapping
 * @dma_users: mapping operations in progress
 * @dma_wq: woken when @dma_users drops to 0
 * @dbg: debugfs directory of the card
 * @ch: the channels
 */
struct mcs_card {
	unsigned int index;
	unsigned int nch;
	spinlock_t lock;	/* global registers; nests inside ch->lock */
	u32 irq_status;
	u32 irq_mask;
	u32 irq_enable;
	u32 data_ready;
	u32 coalesce_us;
	u64 last_irq;
	bool link_down;
	bool spurious;
	struct hrtimer irq_timer;
	unsigned int virq;
	struct platform_device *pdev;
	struct multicap_platform_data pdata;
	struct platform_device *bus;
	spinlock_t dma_lock;	/* @dma_maps and counters */
	struct rb_root_cached dma_maps;
	u64 dma_mappings;
	u64 dma_refused;
	atomic_t dma_users;
	wait_queue_head_t dma_wq;
	struct dentry *dbg;
	struct mcs_channel ch[];
};

/* multicap-sim.c */
int mcs_parse_mode(const char *s, struct mcs_mode *mode);
int mcs_format_mode(const struct mcs_mode *mode, char *buf, size_t size);
void mcs_raise(struct mcs_card *card, unsigned int ch, bool irq);
void mcs_set_input(struct mcs_channel *ch, const struct mcs_mode *mode);
void mcs_set_link_down(struct mcs_card *card);
bool mcs_nofill(void);

/* multicap-sim-engine.c */
void mcs_engine_init(struct mcs_channel *ch);
void mcs_engine_enable(struct mcs_channel *ch);
void mcs_engine_stop(struct mcs_channel *ch);
void mcs_engine_reset(struct mcs_channel *ch);
void mcs_engine_halt(struct mcs_channel *ch);

/* multicap-sim-pattern.c */
int mcs_pattern_alloc(struct mcs_pattern *pat);
void mcs_pattern_free(struct mcs_pattern *pat);
void mcs_pattern_prepare(struct mcs_channel *ch);
void mcs_pattern_fill(struct mcs_channel *ch, u32 frame, u32 offset,
		      u8 *dst, u32 len);
u32 mcs_line_bytes(u32 pixfmt, u32 width);
u32 mcs_stream_lines(u32 pixfmt, u32 height);

/* multicap-sim-dma.c */
int mcs_dma_init(struct mcs_card *card);
void mcs_dma_attach(struct device *dev);
void mcs_dma_exit(struct mcs_card *card);
bool mcs_dma_allowed(struct mcs_card *card, u64 addr, u64 len);
void *mcs_dma_to_virt(struct mcs_card *card, u64 addr, u64 len);

/* multicap-sim-inject.c */
void mcs_debugfs_init_channel(struct mcs_channel *ch, struct dentry *parent);

#endif /* MULTICAP_SIM_H */
