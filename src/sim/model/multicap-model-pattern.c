// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-model-pattern.c - pixel content of the simulated card
 *
 * The engine fills descriptors from lines prepared once per enable, so the
 * per-frame cost is a memcpy (plus a 16-byte header for Tagged Lines):
 *
 * - Live input: a per-channel coloured gradient with the label "CH<n>" in
 *   large glyphs, scrolling sideways by 4 pixels a frame.
 * - Color Bars: the usual eight bars, still.
 * - Tagged Lines: every line starts with "MCAP", channel, frame, line (u32
 *   LE each); byte i >= 16 of a line holds (frame + line + i) & 0xff.
 *   Documentation/admin-guide/media/multicap-sim.rst gives the layout.
 */

#include "multicap-model.h"

#define MULTICAP_MODEL_ROW_BYTES		(2 * MULTICAP_MODEL_MAX_LINE_BYTES)
#define MULTICAP_MODEL_RAMP_BYTES		(256 + MULTICAP_MODEL_MAX_LINE_BYTES)
#define MULTICAP_MODEL_SCROLL_PX		4
#define MULTICAP_MODEL_GLYPH_W		5
#define MULTICAP_MODEL_GLYPH_H		7

/* 5x7 glyphs, one byte per row, bit 4 = leftmost pixel */
static const u8 multicap_model_font_digits[10][MULTICAP_MODEL_GLYPH_H] = {
	{ 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e },
	{ 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e },
	{ 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f },
	{ 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e },
	{ 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 },
	{ 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e },
	{ 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e },
	{ 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 },
	{ 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e },
	{ 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c },
};

/* Letters of "CH" and "NO SIGNAL" */
static const struct {
	char c;
	u8 rows[MULTICAP_MODEL_GLYPH_H];
} multicap_model_font_letters[] = {
	{ 'C', { 0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e } },
	{ 'H', { 0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 } },
	{ 'N', { 0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11 } },
	{ 'O', { 0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e } },
	{ 'S', { 0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e } },
	{ 'I', { 0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e } },
	{ 'G', { 0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f } },
	{ 'A', { 0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 } },
	{ 'L', { 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f } },
	{ ' ', { 0 } },
};

#define MULTICAP_MODEL_NO_SIGNAL_RGB	0x606060

/* Background hue of each channel, 0x00RRGGBB */
static const u32 multicap_model_channel_rgb[MULTICAP_MAX_CHANNELS] = {
	0xc03030, 0x30a030, 0x3050d0, 0xc0a020, 0xa030a0, 0x20a0a0, 0xd07020, 0x7070c0,
	0x80a040, 0xc04080, 0x40c080, 0x806040, 0x4080c0, 0xa0a0a0, 0x60c0c0, 0xc0c060,
};

/* 75% colour bars: white, yellow, cyan, green, magenta, red, blue, black */
static const u32 multicap_model_bars_rgb[8] = {
	0xbfbfbf, 0xbfbf00, 0x00bfbf, 0x00bf00, 0xbf00bf, 0xbf0000, 0x0000bf, 0x000000,
};

/**
 * multicap_model_line_bytes() - bytes of one line of the packed active data
 * @pixfmt: MULTICAP_PIXFMT_*
 * @width: active pixels
 *
 * Return: the length of a luma/packed line; chroma lines of NV12/NV16 are
 * as long.
 */
u32 multicap_model_line_bytes(u32 pixfmt, u32 width)
{
	switch (pixfmt) {
	case MULTICAP_PIXFMT_YUYV:
	case MULTICAP_PIXFMT_UYVY:
		return width * 2;
	case MULTICAP_PIXFMT_RGB24:
	case MULTICAP_PIXFMT_BGR24:
		return width * 3;
	case MULTICAP_PIXFMT_XBGR32:
		return width * 4;
	default:
		return width;
	}
}

/**
 * multicap_model_stream_lines() - lines of one frame, all planes
 * @pixfmt: MULTICAP_PIXFMT_*
 * @height: active lines
 *
 * Return: the number of lines the engine delivers per frame.
 */
u32 multicap_model_stream_lines(u32 pixfmt, u32 height)
{
	if (pixfmt == MULTICAP_PIXFMT_NV12)
		return height + height / 2;
	if (pixfmt == MULTICAP_PIXFMT_NV16)
		return height * 2;
	return height;
}

/**
 * multicap_model_pattern_alloc() - allocate the prepared-line buffers of a channel
 * @pat: the pattern state
 *
 * Return: 0 or -ENOMEM.
 */
int multicap_model_pattern_alloc(struct multicap_model_pattern *pat)
{
	unsigned int i;

	pat->rows = multicap_model_zalloc(2 * MULTICAP_MODEL_PATTERN_ROWS *
					  MULTICAP_MODEL_ROW_BYTES);
	pat->ramp = multicap_model_zalloc(MULTICAP_MODEL_RAMP_BYTES);
	pat->rgb = multicap_model_zalloc(MULTICAP_MODEL_MAX_WIDTH * sizeof(*pat->rgb));
	if (!pat->rows || !pat->ramp || !pat->rgb) {
		multicap_model_pattern_free(pat);
		return -ENOMEM;
	}
	for (i = 0; i < MULTICAP_MODEL_RAMP_BYTES; i++)
		pat->ramp[i] = i & 0xff;
	return 0;
}

/**
 * multicap_model_pattern_free() - free what multicap_model_pattern_alloc() allocated
 * @pat: the pattern state
 */
void multicap_model_pattern_free(struct multicap_model_pattern *pat)
{
	multicap_model_free(pat->rows);
	multicap_model_free(pat->ramp);
	multicap_model_free(pat->rgb);
	pat->rows = NULL;
	pat->ramp = NULL;
	pat->rgb = NULL;
}

struct multicap_model_yuv {
	u8 y, cb, cr;
};

/* Limited-range Y'CbCr, BT.709 for HD and BT.601 below, as the driver says. */
static struct multicap_model_yuv multicap_model_rgb_to_yuv(u32 rgb, bool hd)
{
	int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
	struct multicap_model_yuv v;

	if (hd) {
		v.y = 16 + ((47 * r + 157 * g + 16 * b) >> 8);
		v.cb = 128 + ((-26 * r - 86 * g + 112 * b) >> 8);
		v.cr = 128 + ((112 * r - 102 * g - 10 * b) >> 8);
	} else {
		v.y = 16 + ((66 * r + 129 * g + 25 * b) >> 8);
		v.cb = 128 + ((-38 * r - 74 * g + 112 * b) >> 8);
		v.cr = 128 + ((112 * r - 94 * g - 18 * b) >> 8);
	}
	return v;
}

static u8 *multicap_model_row(struct multicap_model_pattern *pat,
			      unsigned int kind, bool chroma)
{
	return pat->rows + ((chroma ? MULTICAP_MODEL_PATTERN_ROWS : 0) + kind) *
			   MULTICAP_MODEL_ROW_BYTES;
}

/* Convert the RGB scratch line into row @kind (and its chroma row). */
static void multicap_model_store_row(struct multicap_model_channel *ch, unsigned int kind)
{
	struct multicap_model_pattern *pat = &ch->pat;
	u8 *p = multicap_model_row(pat, kind, false), *c = multicap_model_row(pat, kind, true);
	bool hd = ch->height >= 720;
	u32 x, lb = ch->line_bytes;

	for (x = 0; x < ch->width; x++) {
		u32 rgb = pat->rgb[x];
		struct multicap_model_yuv v = multicap_model_rgb_to_yuv(rgb, hd);
		u8 r = rgb >> 16, g = rgb >> 8, b = rgb;

		switch (ch->pixfmt) {
		case MULTICAP_PIXFMT_YUYV:
			p[2 * x] = v.y;
			p[2 * x + 1] = (x & 1) ? v.cr : v.cb;
			break;
		case MULTICAP_PIXFMT_UYVY:
			p[2 * x] = (x & 1) ? v.cr : v.cb;
			p[2 * x + 1] = v.y;
			break;
		case MULTICAP_PIXFMT_RGB24:
			p[3 * x] = r;
			p[3 * x + 1] = g;
			p[3 * x + 2] = b;
			break;
		case MULTICAP_PIXFMT_BGR24:
			p[3 * x] = b;
			p[3 * x + 1] = g;
			p[3 * x + 2] = r;
			break;
		case MULTICAP_PIXFMT_XBGR32:
			p[4 * x] = b;
			p[4 * x + 1] = g;
			p[4 * x + 2] = r;
			p[4 * x + 3] = 0;
			break;
		default:	/* GREY, NV12, NV16 luma */
			p[x] = v.y;
			c[x] = (x & 1) ? v.cr : v.cb;
			break;
		}
	}
	/* Stored twice so a scrolled line is a single copy. */
	memcpy(p + lb, p, lb);
	memcpy(c + lb, c, lb);
}

static const u8 *multicap_model_glyph(const char ch)
{
	unsigned int i;

	if (ch >= '0' && ch <= '9')
		return multicap_model_font_digits[ch - '0'];
	for (i = 0; i < ARRAY_SIZE(multicap_model_font_letters) - 1; i++)
		if (multicap_model_font_letters[i].c == ch)
			break;
	return multicap_model_font_letters[i].rows;
}

/*
 * The live picture when the input matches the capture geometry, else the
 * card's no-signal picture (grey, "NO SIGNAL"), both scrolling.
 */
static void multicap_model_prepare_live(struct multicap_model_channel *ch)
{
	struct multicap_model_pattern *pat = &ch->pat;
	u32 base = multicap_model_channel_rgb[ch->index % MULTICAP_MAX_CHANNELS];
	u32 x, row, cols, scale, left;
	char label[12];
	int n;

	pat->live = ch->mode.width == ch->width && ch->mode.height == ch->height;
	if (pat->live) {
		n = scnprintf(label, sizeof(label), "CH%u", ch->index);
	} else {
		n = scnprintf(label, sizeof(label), "NO SIGNAL");
		base = MULTICAP_MODEL_NO_SIGNAL_RGB;
	}
	cols = n * (MULTICAP_MODEL_GLYPH_W + 1) - 1;
	scale = max(1U, min(ch->height / (3 * MULTICAP_MODEL_GLYPH_H), ch->width / (cols + 4)));
	left = (ch->width - cols * scale) / 2;
	pat->glyph_scale = scale;
	pat->glyph_top = (ch->height - MULTICAP_MODEL_GLYPH_H * scale) / 2;

	for (row = 0; row <= MULTICAP_MODEL_GLYPH_H; row++) {
		for (x = 0; x < ch->width; x++) {
			/* Brightness ramps across the line so motion shows. */
			u32 k = 64 + (x * 192) / ch->width;
			u32 col = (x - left) / scale;
			const u8 *g;

			pat->rgb[x] = ((((base >> 16) & 0xff) * k / 255) << 16) |
				      ((((base >> 8) & 0xff) * k / 255) << 8) |
				      ((base & 0xff) * k / 255);
			if (!row || x < left || col >= cols ||
			    col % (MULTICAP_MODEL_GLYPH_W + 1) == MULTICAP_MODEL_GLYPH_W)
				continue;
			g = multicap_model_glyph(label[col / (MULTICAP_MODEL_GLYPH_W + 1)]);
			if (g[row - 1] &
			    BIT(MULTICAP_MODEL_GLYPH_W - 1 - col % (MULTICAP_MODEL_GLYPH_W + 1)))
				pat->rgb[x] = 0xffffff;
		}
		multicap_model_store_row(ch, row);
	}
}

static void multicap_model_prepare_bars(struct multicap_model_channel *ch)
{
	u32 x;

	for (x = 0; x < ch->width; x++)
		ch->pat.rgb[x] = multicap_model_bars_rgb[x * 8 / ch->width];
	multicap_model_store_row(ch, 0);
}

/**
 * multicap_model_pattern_prepare() - prepare the lines of the channel's current pattern
 * @ch: the channel, with @ch->lock held and the geometry latched
 */
void multicap_model_pattern_prepare(struct multicap_model_channel *ch)
{
	if (ch->tpg == MULTICAP_TPG_COLORBARS)
		multicap_model_prepare_bars(ch);
	else if (ch->tpg == MULTICAP_TPG_LIVE)
		multicap_model_prepare_live(ch);
}

/*
 * Where filled bytes go: straight into memory the host mapped for the CPU,
 * or to the bus through the host, a run at a time (no staging copy).
 */
struct multicap_model_sink {
	struct multicap_model_card *card;
	u8 *ptr;
	u64 addr;
	int err;
};

static void multicap_model_sink_put(struct multicap_model_sink *sk, const void *src, u32 n)
{
	if (sk->ptr) {
		memcpy(sk->ptr, src, n);
		sk->ptr += n;
		return;
	}
	if (!sk->err)
		sk->err = sk->card->ops->dma_write(sk->card, sk->addr, src, n);
	sk->addr += n;
}

static void multicap_model_fill_tagged(struct multicap_model_channel *ch, u32 frame, u32 line,
				       u32 x, struct multicap_model_sink *sk, u32 n)
{
	__le32 hdr[4];
	u32 k;

	if (x < sizeof(hdr)) {
		memcpy(&hdr[0], "MCAP", 4);
		hdr[1] = cpu_to_le32(ch->index);
		hdr[2] = cpu_to_le32(frame);
		hdr[3] = cpu_to_le32(line);
		k = min_t(u32, n, sizeof(hdr) - x);
		multicap_model_sink_put(sk, (u8 *)hdr + x, k);
		x += k;
		n -= k;
	}
	if (n)
		multicap_model_sink_put(sk, ch->pat.ramp + ((frame + line) & 0xff) + x, n);
}

/* Copy part of stream line @line of the live or bars picture. */
static void multicap_model_fill_picture(struct multicap_model_channel *ch, u32 frame, u32 line,
					u32 x, struct multicap_model_sink *sk, u32 n)
{
	struct multicap_model_pattern *pat = &ch->pat;
	bool chroma = line >= ch->height;
	u32 y = line, kind = 0, shift = 0;

	if (chroma)
		y = (line - ch->height) *
		    (ch->pixfmt == MULTICAP_PIXFMT_NV12 ? 2 : 1);
	if (ch->tpg == MULTICAP_TPG_LIVE) {
		shift = (frame * MULTICAP_MODEL_SCROLL_PX) % ch->width;
		if (!chroma)
			shift = shift * ch->line_bytes / ch->width;
		if (y >= pat->glyph_top &&
		    y < pat->glyph_top + MULTICAP_MODEL_GLYPH_H * pat->glyph_scale)
			kind = 1 + (y - pat->glyph_top) / pat->glyph_scale;
	}
	multicap_model_sink_put(sk, multicap_model_row(pat, kind, chroma) + shift + x, n);
}

/**
 * multicap_model_pattern_fill() - write bytes of a frame's packed active data
 * @ch: the channel, with @ch->lock held
 * @frame: frame counter of the frame
 * @offset: byte offset in the packed active data
 * @addr: bus address to write them to
 * @len: number of bytes
 *
 * Return: 0, or the host's error when the bus refused the write.
 */
int multicap_model_pattern_fill(struct multicap_model_channel *ch, u32 frame, u32 offset,
				u64 addr, u32 len)
{
	struct multicap_model_card *card = ch->card;
	struct multicap_model_sink sk = { .card = card, .addr = addr };

	if (card->ops->dma_ptr) {
		sk.ptr = card->ops->dma_ptr(card, addr, len);
		if (!sk.ptr)
			return -EIO;
	}
	while (len && !sk.err) {
		u32 line = offset / ch->line_bytes;
		u32 x = offset % ch->line_bytes;
		u32 n = min(len, ch->line_bytes - x);

		if (ch->tpg == MULTICAP_TPG_TAGGED_LINES)
			multicap_model_fill_tagged(ch, frame, line, x, &sk, n);
		else
			multicap_model_fill_picture(ch, frame, line, x, &sk, n);
		offset += n;
		len -= n;
	}
	return sk.err;
}
