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
} multicap_model_totals[] = {
	{ 640, 480, 800, 525 },
	{ 720, 480, 858, 525 },
	{ 720, 576, 864, 625 },
	{ 1280, 720, 1650, 750 },
	{ 1920, 1080, 2200, 1125 },
	{ 3840, 2160, 4400, 2250 },
};

/* Fault names, indexed by enum multicap_model_fault. */
const char * const multicap_model_fault_names[MULTICAP_MODEL_FAULT_COUNT] = {
	[MULTICAP_MODEL_FAULT_DESC] = "desc-error",
	[MULTICAP_MODEL_FAULT_OVERFLOW] = "overflow",
	[MULTICAP_MODEL_FAULT_STALL] = "stall",
	[MULTICAP_MODEL_FAULT_LINK_DOWN] = "link-down",
	[MULTICAP_MODEL_FAULT_SPURIOUS] = "spurious-irq",
	[MULTICAP_MODEL_FAULT_STRAY] = "stray-dma",
	[MULTICAP_MODEL_FAULT_DESC_LOST] = "desc-lost",
};

/* @s equals @word, but for one trailing newline. */
static bool multicap_model_word_is(const char *s, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(s, word, n) && (!s[n] || (s[n] == '\n' && !s[n + 1]));
}

/**
 * multicap_model_parse_mode() - parse "WIDTHxHEIGHTpRATE" or "none"
 * @s: the text, a trailing newline is accepted
 * @mode: filled in on success
 *
 * Return: 0, or -EINVAL for text that is not a mode the card can receive.
 */
int multicap_model_parse_mode(const char *s, struct multicap_model_mode *mode)
{
	unsigned int w, h, fps, i;
	char end;
	int n;

	memset(mode, 0, sizeof(*mode));
	if (multicap_model_word_is(s, "none"))
		return 0;
	n = sscanf(s, "%ux%up%u%c", &w, &h, &fps, &end);
	if (n < 3 || (n == 4 && end != '\n'))
		return -EINVAL;
	if (w < 64 || w > MULTICAP_MODEL_MAX_WIDTH || h < 64 || h > MULTICAP_MODEL_MAX_HEIGHT ||
	    (w & 1) || (h & 1) || fps < 1 || fps > 120)
		return -EINVAL;

	mode->width = w;
	mode->height = h;
	mode->fps = fps;
	mode->htotal = w + 160;
	mode->vtotal = h + h / 24 + 6;
	for (i = 0; i < ARRAY_SIZE(multicap_model_totals); i++) {
		if (multicap_model_totals[i].width == w && multicap_model_totals[i].height == h) {
			mode->htotal = multicap_model_totals[i].htotal;
			mode->vtotal = multicap_model_totals[i].vtotal;
		}
	}
	mode->pixclk_khz = div_u64((u64)mode->htotal * mode->vtotal * fps, 1000);
	mode->frame_ns = div_u64(NSEC_PER_SEC, fps);
	return 0;
}

/**
 * multicap_model_format_mode() - print a mode the way multicap_model_parse_mode() reads it
 * @mode: the mode
 * @buf: output
 * @size: size of @buf
 *
 * Return: the number of characters written.
 */
int multicap_model_format_mode(const struct multicap_model_mode *mode, char *buf, size_t size)
{
	if (!mode->width)
		return scnprintf(buf, size, "none\n");
	return scnprintf(buf, size, "%ux%up%u\n", mode->width, mode->height,
			 mode->fps);
}

/**
 * multicap_model_fault_lookup() - the fault a name stands for
 * @name: one of multicap_model_fault_names, a trailing newline is accepted
 *
 * Return: the enum multicap_model_fault, or -EINVAL.
 */
int multicap_model_fault_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < MULTICAP_MODEL_FAULT_COUNT; i++)
		if (multicap_model_word_is(name, multicap_model_fault_names[i]))
			return i;
	return -EINVAL;
}
