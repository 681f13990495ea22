// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-fuzz-check.c - mcap-fuzz's results: errno policy, warnings, histogram
 *
 * Every call goes through rec(): it is counted in the histogram shared with
 * the watchdog, and its errno is checked against what the node may answer
 * (see expected_errno()). note() remembers a call before it is made, so the
 * watchdog can print a call that never returned, with its argument bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "mcap-fuzz.h"

struct fz_shared *sh;
int verbose;

__attribute__((format(printf, 3, 4)))
void fz_warn(const struct fz_node *n, int op, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	sh->warnings++;
	if (ops[op].warned++ >= WARN_SHOW && !verbose) {
		if (ops[op].warned == WARN_SHOW + 1)
			printf("warning: %s: further warnings not shown\n",
			       ops[op].name);
		return;
	}
	printf("warning: call %llu %s %s: ", sh->calls, n ? n->path : "-",
	       ops[op].name);
	va_start(ap, fmt);
	errno = saved;
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int expected_errno(int e)
{
	switch (e) {
	case EINVAL: case EBUSY: case EFAULT: case ENOTTY: case EAGAIN:
	case ENOENT: case ENOMEM: case EPERM: case EACCES: case ENODATA:
	case ENOLINK: case ENOLCK: case ERANGE: case E2BIG: case ENOSPC:
	case EBADF: case EBADR: case EOVERFLOW: case ENOBUFS:
		return 1;
	}
	return 0;
}

/* count one call's result (@ret < 0: errno) and check the errno class */
int rec(const struct fz_node *n, int op, int ret)
{
	int e = ret < 0 ? errno : 0;

	sh->calls++;
	sh->hist[op][e < NERR ? e : NERR]++;
	if (e == ENOTTY && ops[op].impl)
		fz_warn(n, op, "ENOTTY from an ioctl the node implements");
	else if (e == EPIPE && (op == OP_DQBUF || op == OP_READ) && n &&
		 n->vb2_last)
		;	/* vb2's "last buffer dequeued", see fz_node.vb2_last */
	else if (e && !expected_errno(e))
		fz_warn(n, op, "unexpected errno %s (%d)", strerrorname_np(e) ?: "?", e);
	errno = e;
	return ret;
}

/* remember a call before making it, for the watchdog */
void note(const struct fz_node *n, int op, unsigned long cmd,
	  const void *arg, size_t len)
{
	sh->last_op = op;
	sh->last_node = n - nodes;
	sh->last_cmd = cmd;
	if (len > LAST_ARG)
		len = LAST_ARG;
	/* bad pointers are not read; the call itself tells what they were */
	if (!arg || (uintptr_t)arg < 4096 || (uintptr_t)arg >= 0x7ffffffff000UL ||
	    ((uintptr_t)arg >= (uintptr_t)guard &&
	     (uintptr_t)arg < (uintptr_t)guard + 2 * pagesz))
		len = 0;
	memcpy(sh->last_arg, arg, len);
	sh->last_len = len;
}

int xioctl(const struct fz_node *n, int fd, int op, unsigned long req,
	   void *arg)
{
	note(n, op, req, arg, _IOC_SIZE(req));
	return rec(n, op, ioctl(fd, req, arg));
}

/* must fail: warn if it did not */
void must_fail(const struct fz_node *n, int op, int ret, const char *why)
{
	if (ret == 0)
		fz_warn(n, op, "succeeded with %s", why);
}

/* ---- report ----------------------------------------------------------- */

void report(void)
{
	unsigned long long tot;
	int op, e;

	printf("results per call (ok = success, else errno: count):\n");
	for (op = 0; op < OP_NUM; op++) {
		for (tot = 0, e = 0; e <= NERR; e++)
			tot += sh->hist[op][e];
		if (!tot)
			continue;
		printf("  %-20s %8llu:", ops[op].name, tot);
		for (e = 0; e <= NERR; e++) {
			if (!sh->hist[op][e])
				continue;
			if (!e)
				printf(" ok %llu", sh->hist[op][e]);
			else if (e == NERR)
				printf(" other %llu", sh->hist[op][e]);
			else
				printf(" %s %llu", strerrorname_np(e) ?: "?",
				       sh->hist[op][e]);
		}
		putchar('\n');
	}
}

void print_last(void)
{
	unsigned int i;

	printf("last call: %s on %s, cmd/arg 0x%08lx", ops[sh->last_op].name,
	       nodes[sh->last_node].path, sh->last_cmd);
	if (sh->last_len)
		printf(", %u bytes:", sh->last_len);
	for (i = 0; i < sh->last_len; i++)
		printf("%s%02x", i % 32 ? " " : "\n  ", sh->last_arg[i]);
	printf("\n");
}
