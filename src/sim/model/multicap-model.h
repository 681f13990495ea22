/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicap-model.h - the simulated multicap card, independent of its host
 *
 * One card model, two hosts: the multicap_sim kernel module (platform bus,
 * src/sim/) and the QEMU PCIe device "multicap" (src/sim/qemu/). The model
 * implements include/multicap-regs.h: the register file and its side
 * effects, the frame rings and descriptor walking, line timing, the card
 * clock and genlock, frame events, the picture (live, colour bars, Tagged
 * Lines, no signal), decimation, fault injection and the counters. It
 * reaches the outside world only through struct multicap_model_host_ops: bus memory,
 * timers, a clock and the interrupt.
 *
 * Context: a host calls into the model from its timer callbacks and its
 * register accessors. The kernel host may do so from any context,
 * including hard IRQ, and the model's spinlocks make that safe; QEMU calls
 * everything under its big lock and the locks compile to nothing.
 */
#ifndef MULTICAP_MODEL_H
#define MULTICAP_MODEL_H

#include "multicap-model-port.h"
#include "multicap-regs.h"

#define MULTICAP_MODEL_MAX_WIDTH		4096
#define MULTICAP_MODEL_MAX_HEIGHT		2160
#define MULTICAP_MODEL_MAX_LINE_BYTES	(MULTICAP_MODEL_MAX_WIDTH * 4)
#define MULTICAP_MODEL_PATTERN_ROWS	8	/* background + 7 glyph rows */
#define MULTICAP_MODEL_MODE_TEXT_MAX	24	/* "4096x2160p120\n" and a NUL */
#define MULTICAP_MODEL_VERSION		(MULTICAP_VERSION_MAJOR << 16 | 0)
#define MULTICAP_MODEL_DEFAULT_LPC		16	/* FORMAT lines per chunk at reset */
/* Crystal error of the card clock: a plausible +25 ppm, at most +-50% */
#define MULTICAP_MODEL_DEFAULT_CLOCK_PPB	25000
#define MULTICAP_MODEL_MAX_CLOCK_PPB	500000
/* The first start of frame after enable, at the earliest */
#define MULTICAP_MODEL_ENABLE_DELAY_NS	1000

/* Timer numbers a host provides: one per channel engine, then the IRQ. */
#define MULTICAP_MODEL_TIMER_IRQ		MULTICAP_MAX_CHANNELS
#define MULTICAP_MODEL_NUM_TIMERS		(MULTICAP_MAX_CHANNELS + 1)

/**
 * struct multicap_model_mode - a video mode of the simulated input
 * @width: active pixels per line, 0 = no signal
 * @height: active lines
 * @fps: frames per second
 * @htotal: pixels per line including blanking
 * @vtotal: lines per frame including blanking
 * @pixclk_khz: pixel clock
 * @frame_ns: frame period
 */
struct multicap_model_mode {
	u32 width;
	u32 height;
	u32 fps;
	u32 htotal;
	u32 vtotal;
	u32 pixclk_khz;
	u64 frame_ns;
};

/**
 * struct multicap_model_pattern - prepared lines the pixel generator copies from
 * @rows: MULTICAP_MODEL_PATTERN_ROWS packed/luma rows, then as many chroma rows, each
 *	stored twice in a row so a scrolled copy is one memcpy
 * @ramp: bytes k & 0xff, for the Tagged Lines payload
 * @rgb: scratch line of 0x00RRGGBB pixels used while preparing rows
 * @glyph_top: first line of the channel label
 * @glyph_scale: lines per glyph row
 * @live: the input matches the capture geometry: show it, else "NO SIGNAL"
 */
struct multicap_model_pattern {
	u8 *rows;
	u8 *ramp;
	u32 *rgb;
	u32 glyph_top;
	u32 glyph_scale;
	bool live;
};

/**
 * enum multicap_model_fault - faults a host can inject, by name (multicap_model_fault_names)
 * @MULTICAP_MODEL_FAULT_DESC: fail a descriptor in the middle of the next frame
 * @MULTICAP_MODEL_FAULT_OVERFLOW: FIFO overflow on the next frame
 * @MULTICAP_MODEL_FAULT_STALL: the engine hangs, BUSY, until a channel reset
 * @MULTICAP_MODEL_FAULT_LINK_DOWN: the card leaves the bus: reads all-ones, no DMA
 * @MULTICAP_MODEL_FAULT_SPURIOUS: one interrupt with no cause
 * @MULTICAP_MODEL_FAULT_STRAY: the next chunk goes to the host's stray address
 * @MULTICAP_MODEL_FAULT_DESC_LOST: lose a descriptor in the middle of a frame without
 *	flagging the frame: its ring entry says DONE, no ERR, @done one short
 * @MULTICAP_MODEL_FAULT_COUNT: number of faults
 */
enum multicap_model_fault {
	MULTICAP_MODEL_FAULT_DESC,
	MULTICAP_MODEL_FAULT_OVERFLOW,
	MULTICAP_MODEL_FAULT_STALL,
	MULTICAP_MODEL_FAULT_LINK_DOWN,
	MULTICAP_MODEL_FAULT_SPURIOUS,
	MULTICAP_MODEL_FAULT_STRAY,
	MULTICAP_MODEL_FAULT_DESC_LOST,
	MULTICAP_MODEL_FAULT_COUNT
};

struct multicap_model_card;

/**
 * struct multicap_model_host_ops - what a host gives the card model
 * @now_ns: the host's clock, in ns; the engines' timers run on it
 * @dma_read: read @len bytes of bus memory at @addr; 0 or a negative error
 *	when the bus (or an IOMMU) refuses the access
 * @dma_write: write @len bytes to bus memory at @addr; 0 or a negative error
 * @dma_ptr: optional: a CPU pointer to bus memory [@addr, @addr + @len),
 *	or NULL when the access is refused; lets the engine fill pixels in
 *	place instead of through @dma_write
 * @timer_start: (re)arm timer @id (a channel number or MULTICAP_MODEL_TIMER_IRQ) to
 *	fire at @when_ns on the @now_ns clock
 * @timer_stop: disarm timer @id; with @wait, also wait for a running
 *	callback (never called with a model lock held). Returns false if
 *	the callback runs right now and @wait was false.
 * @timer_pending: whether timer @id is armed
 *
 * When a timer fires the host calls multicap_model_engine_tick() for a channel timer
 * (and re-arms it at the time returned) or multicap_model_irq_fire() for the IRQ
 * timer (and sends the interrupt if that returns true).
 */
struct multicap_model_host_ops {
	u64 (*now_ns)(struct multicap_model_card *card);
	int (*dma_read)(struct multicap_model_card *card, u64 addr, void *buf, u32 len);
	int (*dma_write)(struct multicap_model_card *card, u64 addr, const void *buf,
			 u32 len);
	void *(*dma_ptr)(struct multicap_model_card *card, u64 addr, u32 len);
	void (*timer_start)(struct multicap_model_card *card, unsigned int id,
			    u64 when_ns);
	bool (*timer_stop)(struct multicap_model_card *card, unsigned int id, bool wait);
	bool (*timer_pending)(struct multicap_model_card *card, unsigned int id);
};

/**
 * struct multicap_model_channel - one simulated channel: registers and engine state
 * @card: the card
 * @index: channel number
 * @lock: protects every field below; taken in hard-IRQ context
 * @mode: the input's current mode (width 0 = no signal)
 * @ctrl: CTRL register
 * @format: FORMAT register
 * @decimate: DECIMATE register
 * @tpg: TPG register
 * @events: CH_EVENTS register
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
 * @in_frame: a frame is being written to @entry_idx
 * @frame_start: start time of the current frame (host clock, ns)
 * @chunk: chunks of the current frame already delivered
 * @nchunks: chunks per frame
 * @lpc: lines per chunk
 * @line_bytes: bytes of one line of the packed active data
 * @stream_lines: lines per frame in the packed active data (all planes)
 * @skip: frames left to skip for decimation
 * @frame: frame counter value of the current frame
 * @entry_idx: ring index of the current frame's entry
 * @tag: the current entry's tag, echoed in every status word of the frame
 * @lines_told: first-plane lines last reported by a PROGRESS event in the
 *	current frame, 0 before the first
 * @list_addr: descriptor list of the current frame
 * @list_count: descriptors in that list
 * @next_desc: next descriptor to complete
 * @desc_lost: descriptors of the current frame lost to MULTICAP_MODEL_FAULT_DESC_LOST
 * @fault_desc: inject: fail a descriptor of the next frame
 * @fault_overflow: inject: overflow on the next frame
 * @stalled: inject: the engine hangs until channel reset
 * @fault_stray: inject: the next chunk goes to the stray address
 * @fault_lost: inject: frames still to lose a descriptor, one each
 * @pat: prepared pattern lines
 */
struct multicap_model_channel {
	struct multicap_model_card *card;
	unsigned int index;
	spinlock_t lock;	/* channel registers and engine state */
	struct multicap_model_mode mode;

	u32 ctrl;
	u32 format;
	u32 decimate;
	u32 tpg;
	u32 events;
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
	u32 tag;
	u32 lines_told;
	u64 list_addr;
	u32 list_count;
	u32 next_desc;
	u32 desc_lost;

	bool fault_desc;
	bool fault_overflow;
	bool stalled;
	bool fault_stray;
	u32 fault_lost;

	struct multicap_model_pattern pat;
};

/**
 * struct multicap_model_card - one simulated card
 * @ops: the host's services
 * @host: the host's own state, for @ops
 * @nofill: points at the host's flag: complete descriptors without
 *	writing pixels (benchmarks of the driver alone)
 * @stray_addr: where MULTICAP_MODEL_FAULT_STRAY aims a chunk: memory the driver never
 *	mapped (the host picks an address its bus or IOMMU refuses)
 * @index: card number
 * @nch: number of channels
 * @genlock: set by the host before the driver can reach the card: every
 *	engine starts its frames on the card-wide grid @epoch + k * period
 * @clock_ppb: set by the host likewise: the card clock's crystal error in
 *	parts per billion, -MULTICAP_MODEL_MAX_CLOCK_PPB..MULTICAP_MODEL_MAX_CLOCK_PPB
 * @epoch: host clock when the card was created: card clock 0
 * @lock: protects the fields below; taken in hard-IRQ context, nests
 *	inside a channel's @lock
 * @irq_status: IRQ_STATUS
 * @irq_mask: IRQ_MASK
 * @irq_enable: IRQ_ENABLE
 * @data_ready: DATA_READY
 * @coalesce_us: IRQ_COALESCE_US
 * @clock_latch: card clock latched by the last CLOCK_LO read
 * @last_irq: time of the last interrupt, for coalescing
 * @link_down: surprise link-down: reads return all-ones, DMA stops
 * @spurious: inject: raise the interrupt once with no cause
 * @irqs: interrupts the card sent
 * @undef_writes: writes to undefined or read-only registers, ignored
 * @dma_faults: DMA accesses the bus or IOMMU refused
 * @ch: the channels
 */
struct multicap_model_card {
	const struct multicap_model_host_ops *ops;
	void *host;
	const bool *nofill;
	u64 stray_addr;
	unsigned int index;
	unsigned int nch;
	bool genlock;
	s32 clock_ppb;
	u64 epoch;

	spinlock_t lock;	/* global registers; nests inside ch->lock */
	u32 irq_status;
	u32 irq_mask;
	u32 irq_enable;
	u32 data_ready;
	u32 coalesce_us;
	u64 clock_latch;
	u64 last_irq;
	bool link_down;
	bool spurious;
	u64 irqs;
	u64 undef_writes;
	u64 dma_faults;
	struct multicap_model_channel ch[];
};

/* multicap-model-card.c: lifetime, registers, interrupt, input, faults */
struct multicap_model_card *
multicap_model_card_alloc(unsigned int index, unsigned int nch,
			  const struct multicap_model_mode *mode, unsigned int lpc,
			  const struct multicap_model_host_ops *ops, void *host);
void multicap_model_card_free(struct multicap_model_card *card);
u32 multicap_model_reg_read(struct multicap_model_card *card, unsigned int reg);
void multicap_model_reg_write(struct multicap_model_card *card, unsigned int reg, u32 val);
bool multicap_model_irq_fire(struct multicap_model_card *card);
bool multicap_model_irq_asserted(struct multicap_model_card *card);
void multicap_model_raise(struct multicap_model_card *card, u32 cause, bool irq);
u64 multicap_model_card_clock(const struct multicap_model_card *card, u64 host_ns);
void multicap_model_set_input(struct multicap_model_channel *ch,
			      const struct multicap_model_mode *mode);
void multicap_model_get_input(struct multicap_model_channel *ch, struct multicap_model_mode *mode);
void multicap_model_set_link_down(struct multicap_model_card *card);
void multicap_model_card_stop(struct multicap_model_card *card);
int multicap_model_inject(struct multicap_model_channel *ch, const char *name);

/* multicap-model-mode.c: modes and fault names as text */
int multicap_model_parse_mode(const char *s, struct multicap_model_mode *mode);
int multicap_model_format_mode(const struct multicap_model_mode *mode, char *buf, size_t size);
int multicap_model_fault_lookup(const char *name);
extern const char * const multicap_model_fault_names[MULTICAP_MODEL_FAULT_COUNT];

/* multicap-model-engine.c */
u64 multicap_model_engine_tick(struct multicap_model_channel *ch);
void multicap_model_engine_enable(struct multicap_model_channel *ch);
void multicap_model_engine_stop(struct multicap_model_channel *ch);
void multicap_model_engine_reset(struct multicap_model_channel *ch);
void multicap_model_engine_halt(struct multicap_model_channel *ch);

/* multicap-model-pattern.c */
int multicap_model_pattern_alloc(struct multicap_model_pattern *pat);
void multicap_model_pattern_free(struct multicap_model_pattern *pat);
void multicap_model_pattern_prepare(struct multicap_model_channel *ch);
int multicap_model_pattern_fill(struct multicap_model_channel *ch, u32 frame, u32 offset,
				u64 addr, u32 len);
u32 multicap_model_line_bytes(u32 pixfmt, u32 width);
u32 multicap_model_stream_lines(u32 pixfmt, u32 height);

#endif /* MULTICAP_MODEL_H */
