// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-capture.c - capture every multicap channel at once, report the rates
 *
 * Usage: mcap-capture [-n FRAMES] [-f FOURCC] [-t PATTERN] [-b NBUFS]
 *                     [-o DIR] [node...]
 *
 * Streams all nodes (default: every multicap node) concurrently over MMAP
 * until each has delivered FRAMES frames (default 60), and prints one line
 * per channel: frames, frame rate from the buffer timestamps, drops (the
 * sum of sequence gaps) and errors, then a total line with the process's
 * CPU time per frame. With -o, the last frame of channel N is written to
 * DIR/chN.raw and its geometry to DIR/chN.txt ("fourcc width height bpl").
 * Also usable as a capture-rate tester on any machine with the card.
 * Exit: 0 if every channel delivered FRAMES frames, 1 otherwise.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common.h"

struct cap {
	struct mc_node node;
	struct mc_queue q;
	unsigned long frames, drops, errors;
	long long t_first, t_last;
	__u32 last_seq;
	int last_idx;
};

static struct cap caps[MC_MAX_NODES];

static int save_frame(const char *dir, struct cap *c)
{
	char path[256], fcc[5];
	FILE *f;

	snprintf(path, sizeof(path), "%s/ch%d.raw", dir, c->node.channel);
	f = fopen(path, "w");
	if (!f || fwrite(c->q.buf[c->last_idx].mem, 1, c->q.pix.sizeimage, f) !=
	    c->q.pix.sizeimage)
		return -1;
	fclose(f);
	snprintf(path, sizeof(path), "%s/ch%d.txt", dir, c->node.channel);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%s %u %u %u\n", mc_fourcc_str(c->q.pix.pixelformat, fcc),
		c->q.pix.width, c->q.pix.height, c->q.pix.bytesperline);
	fclose(f);
	return 0;
}

/* Take one buffer off @c; requeue the previous one (the last is kept). */
static int take(struct cap *c)
{
	struct v4l2_buffer b;
	long long ts;
	int r = mc_dequeue_buf(&c->q, &b);

	if (r)
		return r < 0 ? -1 : 0;
	ts = mc_tv_us(&b.timestamp);
	if (b.flags & V4L2_BUF_FLAG_ERROR) {
		c->errors++;
		return mc_queue_buf(&c->q, b.index, -1);
	}
	if (c->frames) {
		c->drops += b.sequence - c->last_seq - 1;
		if (mc_queue_buf(&c->q, c->last_idx, -1))
			return -1;
	} else {
		c->t_first = ts;
	}
	c->frames++;
	c->t_last = ts;
	c->last_seq = b.sequence;
	c->last_idx = b.index;
	return 0;
}

int main(int argc, char **argv)
{
	const struct mc_fmt *fmt = mc_fmt_parse("YUYV");
	unsigned long want = 60, nbufs = 4;
	const char *dir = NULL, *pattern = NULL;
	struct pollfd pfd[MC_MAX_NODES];
	struct rusage ru;
	unsigned long total = 0;
	int n, i, opt, done = 0, rc = 0;
	long long deadline;

	while ((opt = getopt(argc, argv, "n:f:t:b:o:")) != -1) {
		switch (opt) {
		case 'n': want = strtoul(optarg, NULL, 0); break;
		case 'f': fmt = mc_fmt_parse(optarg); break;
		case 't': pattern = optarg; break;
		case 'b': nbufs = strtoul(optarg, NULL, 0); break;
		case 'o': dir = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-n FRAMES] [-f FOURCC] [-t PATTERN] [-b NBUFS] [-o DIR] [node...]\n",
				argv[0]);
			return MC_EXIT_FAIL;
		}
	}
	if (!fmt || !want || nbufs < 2 || nbufs > MC_MAX_BUFS)
		return MC_EXIT_FAIL;
	{
		struct mc_node nodes[MC_MAX_NODES];

		n = mc_nodes_find(nodes, MC_MAX_NODES, argv + optind, argc - optind);
		if (n <= 0)
			return n ? MC_EXIT_FAIL : MC_EXIT_SKIP;
		for (i = 0; i < n; i++)
			caps[i].node = nodes[i];
	}

	for (i = 0; i < n; i++) {
		struct cap *c = &caps[i];
		struct v4l2_pix_format pix;
		unsigned int k;

		if (pattern && mc_set_menu_ctrl(c->node.fd, V4L2_CID_TEST_PATTERN, pattern) < 0)
			return MC_EXIT_FAIL;
		if (mc_set_format(c->node.fd, c->node.name, fmt, 0, &pix) ||
		    mc_queue_init(&c->q, c->node.fd, V4L2_MEMORY_MMAP, nbufs, &pix, fmt, NULL))
			return MC_EXIT_FAIL;
		for (k = 0; k < c->q.count; k++)
			if (mc_queue_buf(&c->q, k, -1))
				return MC_EXIT_FAIL;
		pfd[i].fd = c->node.fd;
		pfd[i].events = POLLIN;
	}
	for (i = 0; i < n; i++)
		if (mc_stream(caps[i].node.fd, 1))
			return MC_EXIT_FAIL;

	deadline = mc_now_us() + 20000000LL + want * 1000000LL;
	while (done < n && mc_now_us() < deadline) {
		if (poll(pfd, n, 1000) < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN) || caps[i].frames >= want)
				continue;
			if (take(&caps[i]))
				return MC_EXIT_FAIL;
			if (caps[i].frames == want) {
				mc_stream(caps[i].node.fd, 0);
				pfd[i].fd = -1;
				done++;
			}
		}
		if (isatty(1))
			fprintf(stderr, "\r%d/%d channels done", done, n);
	}
	if (isatty(1))
		fprintf(stderr, "\n");
	getrusage(RUSAGE_SELF, &ru);

	for (i = 0; i < n; i++) {
		struct cap *c = &caps[i];
		double span = (c->t_last - c->t_first) / 1e6;
		double fps = c->frames > 1 && span > 0 ? (c->frames - 1) / span : 0;

		printf("ch%d %s: %lu frames, %.2f fps, %lu drops, %lu errors\n",
		       c->node.channel, c->node.path, c->frames, fps, c->drops,
		       c->errors);
		total += c->frames;
		if (c->frames < want)
			rc = MC_EXIT_FAIL;
		if (dir && c->frames && save_frame(dir, c)) {
			fprintf(stderr, "cannot save ch%d to %s\n", c->node.channel, dir);
			rc = MC_EXIT_FAIL;
		}
	}
	printf("total: %lu frames on %d channels, %.1f us CPU per frame\n", total, n,
	       total ? (ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec +
			ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec) / total : 0);
	return rc;
}
