/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicap-regs.h - register map and DMA descriptor format of the multicap card
 *
 * This header is the single source of the hardware programming model: the
 * driver and the simulated card both include it and share nothing else.
 * Documentation/admin-guide/media/multicap-hw.rst describes the behaviour.
 *
 * All registers are 32 bits wide and little-endian. BAR0 holds a global
 * block at offset 0 followed by one block per channel.
 */
#ifndef MULTICAP_REGS_H
#define MULTICAP_REGS_H

/* Outside the kernel (the QEMU device) the includer supplies these. */
#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/types.h>
#endif

#define MULTICAP_MAX_CHANNELS		16
#define MULTICAP_BAR0_SIZE		0x1000

/* ---- Global registers ---- */

/* Identification, RO, reads "MCAP" */
#define MULTICAP_REG_ID			0x000
#define MULTICAP_ID_VALUE		0x5041434d

/* Version, RO: major in 31:16, minor in 15:0 */
#define MULTICAP_REG_VERSION		0x004
#define MULTICAP_VERSION_MAJOR_MSK	GENMASK(31, 16)
#define MULTICAP_VERSION_MINOR_MSK	GENMASK(15, 0)
/* The layout of this header: ring entries with card times, the cause registers */
#define MULTICAP_VERSION_MAJOR		2

/* Capabilities, RO */
#define MULTICAP_REG_CAPS		0x008
#define MULTICAP_CAP_IRQ		BIT(0)	/* interrupt line usable */
#define MULTICAP_CAP_DATA_READY		BIT(1)	/* data-ready vector */
#define MULTICAP_CAP_TPG		BIT(2)	/* test-pattern generator */
#define MULTICAP_CAP_DECIMATE		BIT(3)	/* frame-rate decimation */
#define MULTICAP_CAP_DMA64		BIT(4)	/* 64-bit bus addresses */
#define MULTICAP_CAP_CLOCK		BIT(5)	/* card clock, CLOCK_LO/HI */
#define MULTICAP_CAP_EVENTS		BIT(6)	/* CH_EVENTS: SOF and progress */

/* Number of channels, RO, 1..16 */
#define MULTICAP_REG_NUM_CHANNELS	0x00c

/*
 * The cause layout, shared by IRQ_STATUS, IRQ_MASK and DATA_READY: one read
 * tells which channels have news on their frame ring and which saw their
 * input change.
 *
 * FRAME(n): channel n ended a frame (good or aborted), lost one to FIFO
 * overflow, or, as CH_EVENTS asks, started one or landed another progress
 * step of lines. The ring entry says which.
 * INPUT(n): channel n's input changed (STATUS_INPUT_CHANGED was set).
 */
#define MULTICAP_CAUSE_FRAME(n)		BIT(n)
#define MULTICAP_CAUSE_INPUT(n)		BIT(16 + (n))
#define MULTICAP_CAUSE_FRAME_MSK	GENMASK(15, 0)
#define MULTICAP_CAUSE_INPUT_MSK	GENMASK(31, 16)

/*
 * Interrupt status, W1C, cause layout: the causes that raise the interrupt
 * (a frame ends only with an IRQ descriptor; errors, input changes and the
 * CH_EVENTS notifications always). The line is asserted while
 * (IRQ_STATUS & IRQ_MASK) != 0 and IRQ_ENABLE is set.
 */
#define MULTICAP_REG_IRQ_STATUS		0x010
/* Interrupt mask, RW, cause layout, default 0 */
#define MULTICAP_REG_IRQ_MASK		0x014
/*
 * Data-ready vector, W1C, cause layout: every cause as it happens, whether
 * or not it raises the interrupt. Lets a driver poll all channels with one
 * read when interrupts cannot be used.
 */
#define MULTICAP_REG_DATA_READY		0x018
/* Global reset, WO: writing MULTICAP_RESET_KEY stops and resets every channel */
#define MULTICAP_REG_RESET		0x01c
#define MULTICAP_RESET_KEY		0x00000001
/* Interrupt coalescing, RW: minimum microseconds between interrupts, 0 = off */
#define MULTICAP_REG_IRQ_COALESCE_US	0x020
/* Global interrupt enable, RW, default 0 */
#define MULTICAP_REG_IRQ_ENABLE		0x024
#define MULTICAP_IRQ_ENABLE_ON		BIT(0)

/*
 * Card clock, RO: a free-running 64-bit counter shared by every channel,
 * nominally 1 ns a tick; its real rate is off by the crystal's error (the
 * driver measures it). Reading CLOCK_LO latches the whole counter at that
 * instant and returns bits 31:0; CLOCK_HI returns bits 63:32 of the value
 * latched. Ring entries carry times on this clock.
 */
#define MULTICAP_REG_CLOCK_LO		0x028
#define MULTICAP_REG_CLOCK_HI		0x02c

/* Synchronisation, RO */
#define MULTICAP_REG_SYNC		0x030
/* Genlock: every channel's frames start on one card-wide frame grid */
#define MULTICAP_SYNC_GENLOCK		BIT(0)

/* ---- Per-channel registers: MULTICAP_CH(n) + offset ---- */

#define MULTICAP_CH_BASE		0x100
#define MULTICAP_CH_STRIDE		0x80
#define MULTICAP_CH(n)			(MULTICAP_CH_BASE + (n) * MULTICAP_CH_STRIDE)

/* Control, RW */
#define MULTICAP_CH_CTRL		0x00
#define MULTICAP_CTRL_ENABLE		BIT(0)	/* run the DMA engine */
#define MULTICAP_CTRL_RESET		BIT(1)	/* self-clearing channel reset */

/* Status, RO except the W1C error bits */
#define MULTICAP_CH_STATUS		0x04
#define MULTICAP_STATUS_SIGNAL		BIT(0)	/* input signal present */
#define MULTICAP_STATUS_LOCKED		BIT(1)	/* input timing stable */
#define MULTICAP_STATUS_BUSY		BIT(2)	/* engine may still write */
#define MULTICAP_STATUS_ERR_DESC	BIT(8)	/* W1C: descriptor error */
#define MULTICAP_STATUS_ERR_OVERFLOW	BIT(9)	/* W1C: FIFO overflow */
#define MULTICAP_STATUS_INPUT_CHANGED	BIT(10)	/* W1C: signal lost/back/new mode */
#define MULTICAP_STATUS_ERR_MSK		GENMASK(15, 8)

/* Detected input, RO: active size, totals, pixel clock */
#define MULTICAP_CH_IN_SIZE		0x08
#define MULTICAP_IN_WIDTH_MSK		GENMASK(15, 0)
#define MULTICAP_IN_HEIGHT_MSK		GENMASK(31, 16)
#define MULTICAP_CH_IN_TOTAL		0x0c
#define MULTICAP_IN_HTOTAL_MSK		GENMASK(15, 0)
#define MULTICAP_IN_VTOTAL_MSK		GENMASK(31, 16)
#define MULTICAP_CH_IN_PIXCLK_KHZ	0x10
/* Frame period in ns (derived from pixel clock and totals) */
#define MULTICAP_CH_IN_FRAME_NS		0x14

/* Output format, RW, only while the channel is disabled */
#define MULTICAP_CH_FORMAT		0x18
#define MULTICAP_FORMAT_PIXFMT_MSK	GENMASK(3, 0)
#define MULTICAP_FORMAT_LINES_MSK	GENMASK(23, 16)	/* lines per chunk */

/* Output pixel formats (MULTICAP_FORMAT_PIXFMT_MSK) */
enum multicap_hw_pixfmt {
	MULTICAP_PIXFMT_YUYV = 0,
	MULTICAP_PIXFMT_UYVY = 1,
	MULTICAP_PIXFMT_RGB24 = 2,
	MULTICAP_PIXFMT_BGR24 = 3,
	MULTICAP_PIXFMT_GREY = 4,
	MULTICAP_PIXFMT_XBGR32 = 5,
	MULTICAP_PIXFMT_NV12 = 6,	/* luma lines, then height/2 CbCr lines */
	MULTICAP_PIXFMT_NV16 = 7,	/* luma lines, then height CbCr lines */
	MULTICAP_PIXFMT_COUNT
};

/* Frame-rate decimation, RW: capture 1 frame in (value + 1) */
#define MULTICAP_CH_DECIMATE		0x1c
#define MULTICAP_DECIMATE_MAX		63

/* Test-pattern select, RW */
#define MULTICAP_CH_TPG			0x20
enum multicap_hw_tpg {
	MULTICAP_TPG_LIVE = 0,		/* the input's live picture */
	MULTICAP_TPG_COLORBARS = 1,
	MULTICAP_TPG_TAGGED_LINES = 2,
	MULTICAP_TPG_COUNT
};

/* Frame ring: 64-bit bus address, size (power of two), indices */
#define MULTICAP_CH_RING_BASE_LO	0x24
#define MULTICAP_CH_RING_BASE_HI	0x28
#define MULTICAP_CH_RING_SIZE		0x2c
#define MULTICAP_RING_SIZE_MAX		256
/* Producer index, RW by driver: entries [CONS, PROD) are ready (mod 2^16) */
#define MULTICAP_CH_RING_PROD		0x30
/* Consumer index, RO: next entry the engine will take (mod 2^16) */
#define MULTICAP_CH_RING_CONS		0x34
#define MULTICAP_RING_IDX_MSK		GENMASK(15, 0)

/* Counters since enable, RO */
#define MULTICAP_CH_FRAME_COUNT		0x38	/* frames seen, incl. drops */
#define MULTICAP_CH_DROP_COUNT		0x3c	/* no ring entry at SOF */
#define MULTICAP_CH_OVERFLOW_COUNT	0x40	/* FIFO overflow */
#define MULTICAP_CH_ABORT_COUNT		0x44	/* frames aborted by an error */

/*
 * Capture geometry and frame period, RW, latched at enable. The engine
 * writes frames of this size whatever the input does: the input's picture,
 * at the input's rate, when the input has this size; else the no-signal
 * picture, free-running at CAP_FRAME_NS. 0 means "the detected input's".
 * A channel reset clears STATUS errors but not INPUT_CHANGED.
 */
#define MULTICAP_CH_CAP_SIZE		0x48	/* MULTICAP_IN_WIDTH/HEIGHT_MSK */
#define MULTICAP_CH_CAP_FRAME_NS	0x4c

/*
 * Frame notifications, RW at any time. With SOF or PROGRESS set, at each
 * start of frame the engine takes into a ring entry it writes the entry's
 * @frame and @sof_time, then its status STARTED; SOF also raises
 * CAUSE_FRAME then. PROGRESS: each time another PROGRESS lines of the
 * frame's first plane (luma) have landed, at the first chunk boundary at
 * or after each multiple and at the plane's last line, write the entry's
 * @line_time, then @lines, and raise CAUSE_FRAME; 0 = off. Neither raises
 * anything when off.
 */
#define MULTICAP_CH_EVENTS		0x50
#define MULTICAP_EVENTS_SOF		BIT(0)
#define MULTICAP_EVENTS_PROGRESS_MSK	GENMASK(31, 16)

#define MULTICAP_CH_LAST_REG		MULTICAP_CH_EVENTS

/* ---- Descriptors in host memory ---- */

/**
 * struct multicap_ring_entry - one frame's entry in a channel's frame ring
 * @list_addr: bus address of the frame's descriptor list
 * @count: number of descriptors in the list
 * @tag: generation tag, bits 15:0: the card echoes it in the status words
 *	it writes for this entry and its descriptors, so stale status words
 *	from an earlier use of the list never need clearing
 * @status: written back: STARTED at start of frame (with CH_EVENTS SOF),
 *	DONE (and ERR and a code) at the end; always with the tag, always
 *	the last word written
 * @frame: written back: the channel frame counter of this frame
 * @done: written back at the end: descriptors completed without error
 * @lines: written back: lines of the first plane landed so far (PROGRESS)
 * @sof_time: written back: card clock at the frame's first active line
 * @eof_time: written back at the end: card clock when its last line landed
 * @line_time: written back: card clock when @lines had landed
 * @rsvd: reserved, zero
 *
 * The engine takes one entry at every start of frame. With no entry ready
 * (CONS == PROD) the frame is dropped whole and DROP_COUNT advances. A
 * good frame ends with status DONE, no ERR and @done == @count, so the
 * driver never needs to read the descriptors of a good frame.
 */
struct multicap_ring_entry {
	__le64 list_addr;
	__le32 count;
	__le32 tag;
	__le32 status;
	__le32 frame;
	__le32 done;
	__le32 lines;
	__le64 sof_time;
	__le64 eof_time;
	__le64 line_time;
	__le32 rsvd[2];
};

/**
 * struct multicap_desc - one DMA descriptor: a run of bytes of one frame
 * @addr: bus address the bytes are written to
 * @len: number of bytes
 * @ctrl: flags and first line, see MULTICAP_DESC_*
 * @offset: byte offset of the run in the frame's packed active data
 *	(lines of width * bytes-per-pixel, planes one after the other)
 * @status: written back on completion, see MULTICAP_DSTAT_*, with the
 *	ring entry's tag
 * @frame: written back: the channel frame counter
 * @rsvd: reserved, zero
 *
 * A descriptor never crosses a scatter-gather segment or a chunk. The
 * engine completes it when the last line it touches has arrived.
 */
struct multicap_desc {
	__le64 addr;
	__le32 len;
	__le32 ctrl;
	__le32 offset;
	__le32 status;
	__le32 frame;
	__le32 rsvd;
};

#define MULTICAP_DESC_SOF		BIT(0)	/* first descriptor of frame */
#define MULTICAP_DESC_EOF		BIT(1)	/* last descriptor of frame */
#define MULTICAP_DESC_IRQ		BIT(2)	/* interrupt on completion */
#define MULTICAP_DESC_EOC		BIT(3)	/* last descriptor of a chunk */
#define MULTICAP_DESC_LINE_MSK		GENMASK(31, 16)	/* line of @offset */
#define MULTICAP_DESC_MAX_LEN		BIT(24)

/* Descriptor and ring-entry status written back by the engine */
#define MULTICAP_DSTAT_DONE		BIT(31)
#define MULTICAP_DSTAT_ERR		BIT(30)
#define MULTICAP_DSTAT_STARTED		BIT(29)	/* ring entry only */
#define MULTICAP_DSTAT_TAG_MSK		GENMASK(23, 8)
#define MULTICAP_DSTAT_CODE_MSK		GENMASK(7, 0)

enum multicap_hw_error {
	MULTICAP_ERR_NONE = 0,
	MULTICAP_ERR_DMA = 1,		/* bus error writing the data */
	MULTICAP_ERR_BAD_DESC = 2,	/* malformed descriptor */
	MULTICAP_ERR_OVERFLOW = 3,	/* FIFO overflow during the frame */
	MULTICAP_ERR_ABORTED = 4,	/* an earlier descriptor failed */
};

#endif /* MULTICAP_REGS_H */
