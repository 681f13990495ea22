/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * multicap-compat.h - every kernel-version difference the driver copes with
 *
 * Supported: Debian's 6.1 and 6.12 kernels. Keep version tests here only.
 */
#ifndef MULTICAP_COMPAT_H
#define MULTICAP_COMPAT_H

#include <linux/version.h>
#include <media/videobuf2-v4l2.h>

/*
 * Before 6.8 a queue with a lock still needed the wait_prepare/wait_finish
 * helpers; later kernels drop the lock themselves and warn about them.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define MULTICAP_VB2_WAIT_OPS \
	.wait_prepare = vb2_ops_wait_prepare, \
	.wait_finish = vb2_ops_wait_finish,
#else
#define MULTICAP_VB2_WAIT_OPS
#endif

#endif /* MULTICAP_COMPAT_H */
