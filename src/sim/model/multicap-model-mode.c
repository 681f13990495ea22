// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-model-mode.c - the simulated card's inputs and faults, as text
 *
 * Both hosts take an input mode ("1920x1080p60", "none") and a fault name
 * from their users: module parameters and debugfs in the kernel, device
 * properties in QEMU. They parse them here, so both accept the same text.
 */

#include "multicap-model.h"

/* Totals of the CEA-861 modes; others get a generic small blanking. */
static const struct {
	u32 width, height, htotal, vtotal;
} mcs_totals[] = {
	{ 640, 480, 800, 525 },
	{ 720, 480, 858, 525 },
	{ 720, 576, 864, 625 },
	{ 1280, 720, 1650, 750 },
	{ 1920, 1080, 2200, 1125 },
	{ 3840, 2160, 4400, 2250 },
};

/* Fault names, indexed by enum mcs_fault. */
const char * const mcs_fault_names[MCS_FAULT_COUNT] = {
	[MCS_FAULT_DESC] = "desc-error",
	[MCS_FAULT_OVERFLOW] = "overflow",
	[MCS_FAULT_STALL] = "stall",
	[MCS_FAULT_LINK_DOWN] = "link-down",
	[MCS_FAULT_SPURIOUS] = "spurious-irq",
	[MCS_FAULT_STRAY] = "stray-dma",
	[MCS_FAULT_DESC_LOST] = "desc-lost",
};

/* @s equals @word, but for one trailing newline. */
static bool mcs_word_is(const char *s, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(s, word, n) && (!s[n] || (s[n] == '\n' && !s[n + 1]));
}

/**
 * mcs_parse_mode() - parse "WIDTHxHEIGHTpRATE" or "none"
 * @s: the text, a trailing newline is accepted
 * @mode: filled in on success
 *
 * Return: 0, or -EINVAL for text that is not a mode the card can receive.
 */
int mcs_parse_mode(const char *s, struct mcs_mode *mode)
{
	unsigned int w, h, fps, i;
	char end;
	int n;

	memset(mode, 0, sizeof(*mode));
	if (mcs_word_is(s, "none"))
		return 0;
	n = sscanf(s, "%ux%up%u%c", &w, &h, &fps, &end);
	if (n < 3 || (n == 4 && end != '\n'))
		return -EINVAL;
	if (w < 64 || w > MCS_MAX_WIDTH || h < 64 || h > MCS_MAX_HEIGHT ||
	    (w & 1) || (h & 1) || fps < 1 || fps > 120)
		return -EINVAL;

	mode->width = w;
	mode->height = h;
	mode->fps = fps;
	mode->htotal = w + 160;
	mode->vtotal = h + h / 24 + 6;
	for (i = 0; i < ARRAY_SIZE(mcs_totals); i++) {
		if (mcs_totals[i].width == w && mcs_totals[i].height == h) {
			mode->htotal = mcs_totals[i].htotal;
			mode->vtotal = mcs_totals[i].vtotal;
		}
	}
	mode->pixclk_khz = div_u64((u64)mode->htotal * mode->vtotal * fps, 1000);
	mode->frame_ns = div_u64(NSEC_PER_SEC, fps);
	return 0;
}

/**
 * mcs_format_mode() - print a mode the way mcs_parse_mode() reads it
 * @mode: the mode
 * @buf: output
 * @size: size of @buf
 *
 * Return: the number of characters written.
 */
int mcs_format_mode(const struct mcs_mode *mode, char *buf, size_t size)
{
	if (!mode->width)
		return scnprintf(buf, size, "none\n");
	return scnprintf(buf, size, "%ux%up%u\n", mode->width, mode->height,
			 mode->fps);
}

/**
 * mcs_fault_lookup() - the fault a name stands for
 * @name: one of mcs_fault_names, a trailing newline is accepted
 *
 * Return: the enum mcs_fault, or -EINVAL.
 */
int mcs_fault_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < MCS_FAULT_COUNT; i++)
		if (mcs_word_is(name, mcs_fault_names[i]))
			return i;
	return -EINVAL;
}
