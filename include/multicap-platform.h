/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicap-platform.h - platform-bus binding of a multicap card without PCI
 *
 * A multicap card that is not on PCI (today: the simulated card, module
 * multicap_sim) appears as a platform device named MULTICAP_PLATFORM_NAME
 * with one IRQ resource and a DMA-capable struct device. Its register
 * window is reached through the accessors in the platform data, which have
 * the regmap bus-less callback signatures.
 */
#ifndef MULTICAP_PLATFORM_H
#define MULTICAP_PLATFORM_H

#define MULTICAP_PLATFORM_NAME	"multicap-sim"

/**
 * struct multicap_platform_data - register access of a platform multicap card
 * @reg_read: read the 32-bit register at byte offset @reg into @val
 * @reg_write: write @val to the 32-bit register at byte offset @reg
 * @context: opaque pointer handed back to both accessors
 * @model: model name for the card name, e.g. "multicap simulated card"
 *
 * Both accessors may be called in any context, including hard IRQ, and
 * never sleep.
 */
struct multicap_platform_data {
	int (*reg_read)(void *context, unsigned int reg, unsigned int *val);
	int (*reg_write)(void *context, unsigned int reg, unsigned int val);
	void *context;
	const char *model;
};

#endif /* MULTICAP_PLATFORM_H */
