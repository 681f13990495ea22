/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicap-model-port.h - what the card model needs from its build
 *
 * The model is written against the kernel's API. In the kernel this header
 * pulls in the real headers; elsewhere (the QEMU device) it includes
 * multicap-model-user.h, which supplies the same small subset on top of the
 * C library, with locks that compile to nothing because the host
 * serialises every call into the model.
 */
#ifndef MULTICAP_MODEL_PORT_H
#define MULTICAP_MODEL_PORT_H

#ifdef __KERNEL__
#include <asm/barrier.h>
#include <linux/bitfield.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/types.h>

#define multicap_model_zalloc(size)	kvzalloc(size, GFP_KERNEL)
#define multicap_model_free(ptr)		kvfree(ptr)
#else
#include "multicap-model-user.h"
#endif

#endif /* MULTICAP_MODEL_PORT_H */
