// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-capture.c - capture every channel at once, report rates, CPU, latency
 *
 * Usage: mcap-capture [-n FRAMES | -d SECONDS] [-W SECONDS] [-i mmap|read]
 *                     [-f FOURCC] [-s WxH] [-r FPS] [-t PATTERN] [-b NBUFS]
 *                     [-o DIR]
 *                     [-j FILE] [-l LABEL] [-p] [node...]
 *
 * Streams all nodes (default: every multicap node) concurrently, over MMAP
 * or with read(), until each has delivered FRAMES frames (default 60) or
 * for SECONDS, after a warm-up of -W SECONDS whose frames and CPU time are
 * not counted. -r sets the frame rate (S_PARM). Any V4L2 capture node works
 * (e.g. vivid, with -s to pick a size); multicap nodes add the driver's
 * debugfs counters and interrupt figures.
 *
 * Per channel: frames, frame rate from the buffer timestamps, drops (the
 * sum of sequence gaps; with read() the driver's drop counters) and errors,
 * and two latencies (MMAP only), both ending at DQBUF return
 * (CLOCK_MONOTONIC):
 *   ts  - from the buffer timestamp, which the driver takes when it
 *         completes the frame;
 *   eof - from the frame's end as inferred from the input's frame period
 *         (G_PARM, its rounding corrected by the slope of the earliest
 *         timestamps) and the earliest timestamp: t0 = min(ts - seq * T);
 *         this also counts how late the driver noticed the frame (polling).
 * Then totals over the measurement window: delivered MB/s, the process's
 * CPU time, the CPU time of the cards' IRQ threads (irq/N-<device>), the
 * machine's busy time (/proc/stat, all CPUs minus idle and iowait) and its
 * system+irq+softirq time, interrupts (/proc/interrupts) and driver
 * counters (debugfs, root only), each also per frame.
 *
 * With -o, the last frame of channel N is written to DIR/chN.raw and its
 * geometry to DIR/chN.txt ("fourcc width height bpl"). With -j, everything
 * is also written to FILE as JSON. A progress line goes to stderr when it
 * is a terminal, or always with -p.
 * Exit: 0 if every channel delivered FRAMES frames (with -d: any frame),
 * 1 otherwise, 77 if no node was found. Drops do not change it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mcap-v4l2.h"

#define MAX_IRQS	16

/* A channel's latency samples, in microseconds. */
struct frame_rec {
	long long ts, dq;	/* buffer timestamp, DQBUF return */
	__u32 seq;
};

struct cap {
	struct mc_node node;
	int multicap;		/* node of the multicap driver */
	char stats[300];	/* debugfs stats file, "" if none */
	struct mc_queue q;
	unsigned char *rbuf;	/* read() buffer */
	size_t rlen;
	unsigned long frames, drops, errors;
	long long t_first, t_last;
	__u32 last_seq;
	int last_idx;
	double period_us;	/* G_PARM frame period, 0 if unknown */
	struct frame_rec *rec;
	size_t nrec, arec;
	unsigned long long st0[6], st1[6];	/* debugfs counters */
	int done;
};

static const char * const stat_keys[6] = {
	"frames", "drops_no_buffer", "drops_overflow", "drops_chunk_error",
	"interrupts", "polls",
};

/* Machine-wide counters, taken at the start and the end of the window. */
struct snap {
	long long t_us;
	struct rusage ru;
	unsigned long long cpu[10];	/* /proc/stat "cpu" line, USER_HZ */
	unsigned long long irqs;	/* /proc/interrupts of our cards */
	unsigned long long thr;		/* IRQ threads' CPU time, ns */
};

static struct cap caps[MC_MAX_NODES];
static int ncaps;
static int irq_nums[MAX_IRQS];
static int nirqs;
static long hz;

static void usage(FILE *out, const char *argv0)
{
	fprintf(out,
		"Usage: %s [-n FRAMES | -d SECONDS] [-W SECONDS] [-i mmap|read]\n"
		"       [-f FOURCC] [-s WxH] [-r FPS] [-t PATTERN] [-b NBUFS]\n"
		"       [-o DIR] [-j FILE] [-l LABEL] [-p] [node...]\n"
		"Capture every node at once (default: every multicap node) and report\n"
		"frame rates, drops, latency, MB/s and CPU time.\n"
		"  -n FRAMES   stop when every node delivered FRAMES frames (default 60)\n"
		"  -d SECONDS  capture for SECONDS instead\n"
		"  -W SECONDS  warm-up not counted (default 0)\n"
		"  -i mmap|read  streaming I/O (default) or read()\n"
		"  -f FOURCC   pixel format: YUYV UYVY RGB3 BGR3 GREY XR24 NV12 NV16\n"
		"  -s WxH      frame size (other drivers; multicap keeps its input's)\n"
		"  -r FPS      frame rate (S_PARM)\n"
		"  -t PATTERN  test pattern menu item, e.g. \"Tagged Lines\"\n"
		"  -b NBUFS    buffers per node, 2..%d (default 4)\n"
		"  -o DIR      save the last frame of channel N to DIR/chN.raw (+ .txt)\n"
		"  -j FILE     write the results as JSON\n"
		"  -l LABEL    label in the JSON\n"
		"  -p          progress line even when stderr is not a terminal\n"
		"  -h, --help  this help\n"
		"Exit: 0 all frames delivered, 1 failure or bad arguments, 77 no node.\n",
		argv0, MC_MAX_BUFS);
}

/* @s as a number in [@min, @max], else a message naming option @opt. */
static int parse_num(int opt, const char *s, double min, double max,
		     double *val)
{
	char *end;

	errno = 0;
	*val = strtod(s, &end);
	if (errno || end == s || *end || *val < min || *val > max) {
		fprintf(stderr, "mcap-capture: -%c %s: not a number in %g..%g\n",
			opt, s, min, max);
		return -1;
	}
	return 0;
}

/* The command line. */
struct opts {
	const struct mc_fmt *fmt;
	unsigned long want, nbufs;
	unsigned int w, h;
	const char *dir, *pattern, *json, *label;
	double dur, warm;
	int fps_req, io_read, prog;
};

/* The options into @o: -1 to go on, else the exit status (help, error). */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option long_opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char junk;
	int opt;

	memset(o, 0, sizeof(*o));
	o->fmt = mc_fmt_parse("YUYV");
	o->want = 60;
	o->nbufs = 4;
	o->label = "";
	o->prog = isatty(2);
	while ((opt = getopt_long(argc, argv, "n:d:W:i:f:s:r:t:b:o:j:l:ph",
				  long_opts, NULL)) != -1) {
		double v;

		switch (opt) {
		case 'n':
			if (parse_num(opt, optarg, 1, 1e12, &v))
				return MC_EXIT_FAIL;
			o->want = v;
			break;
		case 'd':
			if (parse_num(opt, optarg, 0.001, 1e9, &o->dur))
				return MC_EXIT_FAIL;
			break;
		case 'W':
			if (parse_num(opt, optarg, 0, 1e9, &o->warm))
				return MC_EXIT_FAIL;
			break;
		case 'i':
			if (!strcmp(optarg, "read")) {
				o->io_read = 1;
			} else if (strcmp(optarg, "mmap")) {
				fprintf(stderr, "mcap-capture: -i %s: mmap or read\n",
					optarg);
				return MC_EXIT_FAIL;
			}
			break;
		case 'f':
			o->fmt = mc_fmt_parse(optarg);
			if (!o->fmt) {
				fprintf(stderr, "mcap-capture: -f %s: unknown format "
					"(see --help)\n", optarg);
				return MC_EXIT_FAIL;
			}
			break;
		case 's':
			if (sscanf(optarg, "%ux%u%c", &o->w, &o->h, &junk) != 2 ||
			    !o->w || !o->h) {
				fprintf(stderr, "mcap-capture: -s %s: not WxH\n",
					optarg);
				return MC_EXIT_FAIL;
			}
			break;
		case 'r':
			if (parse_num(opt, optarg, 1, 1000, &v))
				return MC_EXIT_FAIL;
			o->fps_req = v;
			break;
		case 't':
			o->pattern = optarg;
			break;
		case 'b':
			if (parse_num(opt, optarg, 2, MC_MAX_BUFS, &v))
				return MC_EXIT_FAIL;
			o->nbufs = v;
			break;
		case 'o':
			o->dir = optarg;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'l':
			o->label = optarg;
			break;
		case 'p':
			o->prog = 1;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return MC_EXIT_PASS;
		default:
			usage(stderr, argv[0]);
			return MC_EXIT_FAIL;
		}
	}
	return -1;
}

/* ---- machine counters ------------------------------------------------- */

static void read_proc_stat(unsigned long long *cpu)
{
	FILE *f = fopen("/proc/stat", "r");

	memset(cpu, 0, 10 * sizeof(*cpu));
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &cpu[0], &cpu[1], &cpu[2], &cpu[3], &cpu[4], &cpu[5],
		   &cpu[6], &cpu[7], &cpu[8], &cpu[9]) < 8)
		memset(cpu, 0, 10 * sizeof(*cpu));
	fclose(f);
}

/*
 * Sum the /proc/interrupts lines whose action is one of our cards; on the
 * first call (@learn) also note their IRQ numbers for the thread lookup.
 */
static unsigned long long read_interrupts(int learn)
{
	char line[4096];
	unsigned long long sum = 0;
	FILE *f = fopen("/proc/interrupts", "r");
	int i;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end, *tok, *last = NULL;
		unsigned long long v, s = 0;
		int num, match = 0;

		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			continue;
		num = strtol(p, &end, 10);
		if (*end != ':')
			continue;
		p = end + 1;
		for (;;) {
			v = strtoull(p, &end, 10);
			if (end == p)
				break;
			s += v;
			p = end;
		}
		line[strcspn(line, "\n")] = '\0';
		for (tok = strtok(p, " ,"); tok; tok = strtok(NULL, " ,"))
			last = tok;
		for (i = 0; last && i < ncaps; i++)
			if (caps[i].multicap && !strcmp(last, caps[i].node.parent))
				match = 1;
		if (!match)
			continue;
		sum += s;
		if (learn && nirqs < MAX_IRQS)
			irq_nums[nirqs++] = num;
	}
	fclose(f);
	return sum;
}

/*
 * CPU time of the kthreads "irq/N-..." of our IRQs, in ns: from schedstat
 * (the scheduler's exact runtime), else utime + stime in clock ticks.
 */
static unsigned long long read_irq_threads(void)
{
	unsigned long long sum = 0;
	struct dirent *d;
	DIR *dir;
	int i;

	if (!nirqs)
		return 0;
	dir = opendir("/proc");
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		char path[300], buf[1024], *p;
		unsigned long long ut, st, ns;
		int num;
		FILE *f;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		if (p)
			p = strchr(buf, '(');
		if (!p || sscanf(p, "(irq/%d-", &num) != 1)
			continue;
		for (i = 0; i < nirqs && irq_nums[i] != num; i++)
			;
		if (i == nirqs)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/schedstat", d->d_name);
		f = fopen(path, "r");
		if (f) {
			i = fscanf(f, "%llu", &ns);
			fclose(f);
			if (i == 1) {
				sum += ns;
				continue;
			}
		}
		p = strrchr(buf, ')');
		/* fields after ")": state ... utime is the 12th, stime the 13th */
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				&ut, &st) == 2)
			sum += (ut + st) * 1000000000ULL / hz;
	}
	closedir(dir);
	return sum;
}

static void take_snap(struct snap *s, int learn)
{
	int i, k;

	s->t_us = mc_now_us();
	getrusage(RUSAGE_SELF, &s->ru);
	read_proc_stat(s->cpu);
	s->irqs = read_interrupts(learn);
	s->thr = read_irq_threads();
	for (i = 0; i < ncaps; i++) {
		struct cap *c = &caps[i];
		unsigned long long *st = learn ? c->st0 : c->st1;

		for (k = 0; k < 6; k++)
			if (!c->stats[0] || mc_read_stat(c->stats, stat_keys[k], &st[k]))
				st[k] = 0;
	}
}

static double tv_s(const struct timeval *tv)
{
	return tv->tv_sec + tv->tv_usec / 1e6;
}

/* ---- nodes ------------------------------------------------------------ */

/* A multicap node: note it, and its debugfs stats file if readable. */
static void multicap_stats(struct cap *c)
{
	c->multicap = 1;
	if (mc_stats_path(&c->node, c->stats, sizeof(c->stats)) ||
	    access(c->stats, R_OK))
		c->stats[0] = '\0';
}

/* Open any V4L2 capture node: multicap nodes via common.c, others here. */
static int open_node(struct cap *c, const char *path)
{
	struct v4l2_capability cap;
	int r = mc_node_open(&c->node, path);
	int fd;

	if (!r) {
		multicap_stats(c);
		return 0;
	}
	if (r < 0)
		return -1;
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, VIDIOC_QUERYCAP, &cap)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memset(&c->node, 0, sizeof(c->node));
	c->node.fd = fd;
	c->node.cap = cap;
	c->node.channel = ncaps;
	snprintf(c->node.path, sizeof(c->node.path), "%s", path);
	snprintf(c->node.name, sizeof(c->node.name), "%s", strrchr(path, '/') ?
		 strrchr(path, '/') + 1 : path);
	return 0;
}

/* S_FMT at @w x @h (0: keep the node's size), packed lines. */
static int set_format(struct cap *c, const struct mc_fmt *f, unsigned int w,
		      unsigned int h, struct v4l2_pix_format *pix)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	char a[5];

	if (c->multicap && !w)
		return mc_set_format(c->node.fd, c->node.name, f, 0, pix);
	if (ioctl(c->node.fd, VIDIOC_G_FMT, &fmt))
		return -1;
	if (w) {
		fmt.fmt.pix.width = w;
		fmt.fmt.pix.height = h;
	}
	fmt.fmt.pix.pixelformat = f->fourcc;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	fmt.fmt.pix.bytesperline = 0;
	fmt.fmt.pix.sizeimage = 0;
	if (ioctl(c->node.fd, VIDIOC_S_FMT, &fmt)) {
		fprintf(stderr, "%s: S_FMT: %s\n", c->node.path, strerror(errno));
		return -1;
	}
	*pix = fmt.fmt.pix;
	if (pix->pixelformat != f->fourcc || (w && (pix->width != w ||
						    pix->height != h))) {
		fprintf(stderr, "%s: S_FMT gave %s %ux%u\n", c->node.path,
			mc_fourcc_str(pix->pixelformat, a), pix->width,
			pix->height);
		return -1;
	}
	return 0;
}

static int set_rate(int fd, int fps)
{
	struct v4l2_streamparm p = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

	p.parm.capture.timeperframe.numerator = 1;
	p.parm.capture.timeperframe.denominator = fps;
	return ioctl(fd, VIDIOC_S_PARM, &p);
}

static int save_frame(const char *dir, struct cap *c)
{
	const unsigned char *mem = c->rbuf ? c->rbuf : c->q.buf[c->last_idx].mem;
	struct v4l2_pix_format *pix = &c->q.pix;
	char path[256], fcc[5];
	FILE *f;

	snprintf(path, sizeof(path), "%s/ch%d.raw", dir, c->node.channel);
	f = fopen(path, "w");
	if (!f)
		return -1;
	if (fwrite(mem, 1, pix->sizeimage, f) != pix->sizeimage) {
		fclose(f);
		return -1;
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/ch%d.txt", dir, c->node.channel);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%s %u %u %u\n", mc_fourcc_str(pix->pixelformat, fcc),
		pix->width, pix->height, pix->bytesperline);
	fclose(f);
	return 0;
}

/* ---- capture ---------------------------------------------------------- */

static int record(struct cap *c, long long ts, long long dq, __u32 seq)
{
	if (c->nrec == c->arec) {
		size_t n = c->arec ? 2 * c->arec : 1024;
		struct frame_rec *r = realloc(c->rec, n * sizeof(*r));

		if (!r)
			return -1;
		c->rec = r;
		c->arec = n;
	}
	c->rec[c->nrec].ts = ts;
	c->rec[c->nrec].dq = dq;
	c->rec[c->nrec].seq = seq;
	c->nrec++;
	return 0;
}

/*
 * Take one buffer off @c; requeue the previous one (the last is kept).
 * Frames before @t_count (warm-up) are not counted.
 */
static int take(struct cap *c, long long t_count)
{
	struct v4l2_buffer b;
	long long ts, dq;
	int r = mc_dequeue_buf(&c->q, &b);

	if (r)
		return r < 0 ? -1 : 0;
	dq = mc_now_us();
	ts = mc_tv_us(&b.timestamp);
	if (b.flags & V4L2_BUF_FLAG_ERROR) {
		if (dq >= t_count)
			c->errors++;
		return mc_queue_buf(&c->q, b.index, -1);
	}
	if (c->last_idx >= 0 && mc_queue_buf(&c->q, c->last_idx, -1))
		return -1;
	c->last_idx = b.index;
	if (dq < t_count) {
		c->last_seq = b.sequence;
		return 0;
	}
	if (c->frames)
		c->drops += b.sequence - c->last_seq - 1;
	else
		c->t_first = ts;
	c->frames++;
	c->t_last = ts;
	c->last_seq = b.sequence;
	return record(c, ts, dq, b.sequence);
}

/* read() one frame; with -W the first frames are not counted. */
static int take_read(struct cap *c, long long t_count)
{
	ssize_t n = read(c->node.fd, c->rbuf, c->rlen);
	long long now = mc_now_us();

	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	if (now < t_count)
		return 0;
	if ((size_t)n != c->rlen)
		c->errors++;
	if (!c->frames)
		c->t_first = now;
	c->t_last = now;
	c->frames++;
	return 0;
}

/* ---- statistics ------------------------------------------------------- */

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

struct lat {
	size_t n;
	double p50, p99, max;
};

static void lat_of(long long *v, size_t n, struct lat *l)
{
	memset(l, 0, sizeof(*l));
	l->n = n;
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_ll);
	l->p50 = v[(n - 1) / 2];
	l->p99 = v[(size_t)((n - 1) * 0.99 + 0.5)];
	l->max = v[n - 1];
}

/* Earliest ts - seq * @per of records [@from, @to), and its frame. */
static void envelope(const struct cap *c, size_t from, size_t to, double per,
		     double *o_min, double *seq_at)
{
	size_t k;
	double o;

	for (k = from; k < to; k++) {
		o = c->rec[k].ts - (double)(c->rec[k].seq - c->rec[0].seq) * per;
		if (k == from || o < *o_min) {
			*o_min = o;
			if (seq_at)
				*seq_at = c->rec[k].seq - c->rec[0].seq;
		}
	}
}

/*
 * Latencies of every counted frame of @c (or of all channels if @c is
 * NULL) into @ts_l and @eof_l; eof needs the frame period.
 */
static void latencies(struct cap *only, struct lat *ts_l, struct lat *eof_l)
{
	size_t n = 0, ne = 0, k;
	long long *a, *e;
	int i;

	for (i = 0; i < ncaps; i++)
		n += caps[i].nrec;
	a = malloc((n + 1) * sizeof(*a));
	e = malloc((n + 1) * sizeof(*e));
	if (!a || !e) {
		free(a);
		free(e);
		memset(ts_l, 0, sizeof(*ts_l));
		memset(eof_l, 0, sizeof(*eof_l));
		return;
	}
	n = 0;
	for (i = 0; i < ncaps; i++) {
		struct cap *c = &caps[i];
		double t0, per = c->period_us;

		if (only && c != only)
			continue;
		for (k = 0; k < c->nrec; k++)
			a[n++] = c->rec[k].dq - c->rec[k].ts;
		if (per <= 0 || !c->nrec)
			continue;
		/*
		 * G_PARM rounds the period: correct it by the slope between
		 * the earliest frames of each half, then take the envelope.
		 */
		if (c->nrec >= 20) {
			double o1 = 0, o2 = 0, s1 = 0, s2 = 0;

			envelope(c, 0, c->nrec / 2, per, &o1, &s1);
			envelope(c, c->nrec / 2, c->nrec, per, &o2, &s2);
			if (s2 > s1)
				per += (o2 - o1) / (s2 - s1);
		}
		envelope(c, 0, c->nrec, per, &t0, NULL);
		for (k = 0; k < c->nrec; k++)
			e[ne++] = c->rec[k].dq - (long long)(t0 +
				(double)(c->rec[k].seq - c->rec[0].seq) * per);
	}
	lat_of(a, n, ts_l);
	lat_of(e, ne, eof_l);
	free(a);
	free(e);
}

static void json_lat(FILE *f, const char *name, const struct lat *l)
{
	if (!l->n) {
		fprintf(f, "\"%s\": null", name);
		return;
	}
	fprintf(f, "\"%s\": {\"n\": %zu, \"p50_us\": %.0f, \"p99_us\": %.0f, \"max_us\": %.0f}",
		name, l->n, l->p50, l->p99, l->max);
}

static void progress(long long start, double dur, unsigned long want, int io_read)
{
	unsigned long frames = 0, drops = 0;
	double el = (mc_now_us() - start) / 1e6;
	int i, done = 0;

	for (i = 0; i < ncaps; i++) {
		frames += caps[i].frames;
		drops += caps[i].drops;
		done += caps[i].done;
	}
	if (dur > 0)
		fprintf(stderr, "\r%6.1f/%.0f s", el, dur);
	else
		fprintf(stderr, "\r%6.1f s, %d/%d channels at %lu", el, done,
			ncaps, want);
	fprintf(stderr, "  %d ch  %lu frames  %.1f fps/ch", ncaps, frames,
		el > 0 ? frames / el / ncaps : 0);
	if (!io_read)
		fprintf(stderr, "  %lu drops", drops);
	fprintf(stderr, "   ");
}

/* ---- the steps of main ------------------------------------------------ */

/* The nodes named from @first on, else every multicap node: -1 to go on. */
static int open_nodes(int argc, char **argv, int first)
{
	struct mc_node nodes[MC_MAX_NODES];
	int i;

	if (first < argc) {
		for (i = first; i < argc && ncaps < MC_MAX_NODES; i++) {
			if (open_node(&caps[ncaps], argv[i])) {
				fprintf(stderr, "mcap-capture: %s: %s\n", argv[i],
					access(argv[i], F_OK) ? strerror(errno) :
					"not a V4L2 capture node");
				return MC_EXIT_FAIL;
			}
			ncaps++;
		}
		return -1;
	}
	ncaps = mc_nodes_find(nodes, MC_MAX_NODES, NULL, 0);
	if (!ncaps)
		fprintf(stderr, "mcap-capture: no multicap node found\n");
	if (ncaps <= 0)
		return ncaps ? MC_EXIT_FAIL : MC_EXIT_SKIP;
	for (i = 0; i < ncaps; i++) {
		caps[i].node = nodes[i];
		multicap_stats(&caps[i]);
	}
	return -1;
}

/* Pattern, format, rate and buffers of one node; its entry in @pfd. */
static int setup_node(struct cap *c, const struct opts *o, struct pollfd *pfd)
{
	struct v4l2_pix_format pix;
	unsigned int j;

	c->last_idx = -1;
	if (o->pattern &&
	    mc_set_menu_ctrl(c->node.fd, V4L2_CID_TEST_PATTERN, o->pattern) < 0) {
		fprintf(stderr, "%s: no test pattern %s\n", c->node.path,
			o->pattern);
		return -1;
	}
	if (set_format(c, o->fmt, o->w, o->h, &pix))
		return -1;
	if (o->fps_req && set_rate(c->node.fd, o->fps_req)) {
		fprintf(stderr, "%s: S_PARM %d fps: %s\n", c->node.path,
			o->fps_req, strerror(errno));
		return -1;
	}
	c->period_us = mc_frame_period_ns(c->node.fd) / 1000;
	pfd->fd = c->node.fd;
	pfd->events = POLLIN;
	if (o->io_read) {
		c->q.pix = pix;
		c->rlen = pix.sizeimage;
		c->rbuf = malloc(c->rlen);
		return c->rbuf ? 0 : -1;
	}
	if (mc_queue_init(&c->q, c->node.fd, V4L2_MEMORY_MMAP, o->nbufs, &pix,
			  o->fmt, NULL))
		return -1;
	for (j = 0; j < c->q.count; j++)
		if (mc_queue_buf(&c->q, j, -1))
			return -1;
	return 0;
}

/* Every node set up, then (MMAP) streaming on. */
static int setup_nodes(const struct opts *o, struct pollfd *pfd)
{
	int i;

	for (i = 0; i < ncaps; i++)
		if (setup_node(&caps[i], o, &pfd[i]))
			return -1;
	for (i = 0; i < ncaps && !o->io_read; i++)
		if (mc_stream(caps[i].node.fd, 1)) {
			fprintf(stderr, "%s: STREAMON: %s\n", caps[i].node.path,
				strerror(errno));
			return -1;
		}
	return 0;
}

/*
 * Capture until every node has its frames, or for the duration, after the
 * warm-up; the machine counters at the window's start and end go to @s0
 * and @s1. Streaming is off again at the end.
 */
static int capture(const struct opts *o, struct pollfd *pfd, struct snap *s0,
		   struct snap *s1)
{
	long long start, t_count, deadline, next_prog = 0;
	int i, done = 0;

	start = mc_now_us();
	t_count = start + (long long)(o->warm * 1e6);
	if (!o->warm)
		take_snap(s0, 1);
	else
		s0->t_us = 0;
	deadline = o->dur > 0 ? t_count + (long long)(o->dur * 1e6) :
		   t_count + 20000000LL + (long long)o->want * 1000000LL;
	while (done < ncaps) {
		long long now = mc_now_us();

		if (now >= deadline)
			break;
		if (!s0->t_us && now >= t_count)
			take_snap(s0, 1);
		if (poll(pfd, ncaps, 200) < 0 && errno != EINTR)
			break;
		for (i = 0; i < ncaps; i++) {
			struct cap *c = &caps[i];

			if (!(pfd[i].revents & (POLLIN | POLLERR)) || c->done)
				continue;
			if (o->io_read ? take_read(c, t_count) : take(c, t_count)) {
				fprintf(stderr, "%s: capture failed: %s\n",
					c->node.path, strerror(errno));
				return -1;
			}
			if (o->dur <= 0 && c->frames >= o->want) {
				c->done = 1;
				pfd[i].fd = -1;
				done++;
			}
		}
		if (o->prog && now >= next_prog) {
			progress(t_count, o->dur, o->want, o->io_read);
			next_prog = now + 250000;
		}
	}
	if (!s0->t_us)
		take_snap(s0, 1);
	take_snap(s1, 0);
	if (o->prog)
		fprintf(stderr, "\n");
	for (i = 0; i < ncaps; i++)
		if (!o->io_read)
			mc_stream(caps[i].node.fd, 0);
	return 0;
}

/* What the window adds up to, over all channels and the machine. */
struct totals {
	struct snap s0, s1;
	double wall, busy, sirq, cpu_proc, cpu_sys, cpu_thr;
	unsigned long total, tdrops, terrors;
	unsigned long long tbytes;
	unsigned long long drv[6];	/* debugfs counters, stat_keys[] */
	struct lat lts, leof;
};

/* Wall, CPU and machine time of the window, from its snapshots. */
static void machine_totals(struct totals *t)
{
	const struct snap *s0 = &t->s0, *s1 = &t->s1;

	t->wall = (s1->t_us - s0->t_us) / 1e6;
	t->busy = 0;
	t->sirq = 0;
	if (s1->cpu[3] || s1->cpu[0]) {
		unsigned long long idle = (s1->cpu[3] - s0->cpu[3]) +
					  (s1->cpu[4] - s0->cpu[4]);

		t->busy = t->wall * sysconf(_SC_NPROCESSORS_ONLN) -
			  (double)idle / hz;
		t->sirq = (double)((s1->cpu[2] - s0->cpu[2]) +
				   (s1->cpu[5] - s0->cpu[5]) +
				   (s1->cpu[6] - s0->cpu[6])) / hz;
	}
	t->cpu_sys = tv_s(&s1->ru.ru_stime) - tv_s(&s0->ru.ru_stime);
	t->cpu_proc = t->cpu_sys + tv_s(&s1->ru.ru_utime) - tv_s(&s0->ru.ru_utime);
	t->cpu_thr = (s1->thr - s0->thr) / 1e9;
}

/*
 * One report line or two per channel (-o: its last frame saved), summed
 * into @t. Returns the exit status: whether every channel delivered.
 */
static int report_channels(const struct opts *o, struct totals *t)
{
	int i, k, rc = 0;

	for (i = 0; i < ncaps; i++) {
		struct cap *c = &caps[i];
		double span = (c->t_last - c->t_first) / 1e6;
		double fps = c->frames > 1 && span > 0 ? (c->frames - 1) / span : 0;
		unsigned long long ddrops = 0;
		struct lat l1, l2;

		for (k = 0; k < 6; k++)
			c->st1[k] -= c->st0[k];
		if (c->stats[0])
			ddrops = c->st1[1] + c->st1[2] + c->st1[3];
		if (o->io_read)
			c->drops = ddrops;
		for (k = 0; k < 4; k++)
			t->drv[k] += c->st1[k];
		/* interrupts and polls are per card: count each card once */
		for (k = 0; k < i; k++)
			if (caps[k].multicap && !strcmp(caps[k].node.parent, c->node.parent))
				break;
		if (k == i) {
			t->drv[4] += c->st1[4];
			t->drv[5] += c->st1[5];
		}
		latencies(c, &l1, &l2);
		printf("ch%d %s: %lu frames, %.2f fps, %lu drops, %lu errors",
		       c->node.channel, c->node.path, c->frames, fps, c->drops,
		       c->errors);
		printf("\n");
		if (l1.n)
			printf("ch%d latency p50/p99/max: %.0f/%.0f/%.0f us, from end of frame %.0f/%.0f/%.0f us\n",
			       c->node.channel, l1.p50, l1.p99, l1.max, l2.p50,
			       l2.p99, l2.max);
		t->total += c->frames;
		t->tdrops += c->drops;
		t->terrors += c->errors;
		t->tbytes += (unsigned long long)c->frames * c->q.pix.sizeimage;
		if (o->dur <= 0 && c->frames < o->want)
			rc = MC_EXIT_FAIL;
		if (o->dur > 0 && !c->frames)
			rc = MC_EXIT_FAIL;
		if (o->dir && c->frames && save_frame(o->dir, c)) {
			fprintf(stderr, "cannot save ch%d to %s\n", c->node.channel, o->dir);
			rc = MC_EXIT_FAIL;
		}
	}
	return rc;
}

static void report_totals(const struct totals *t)
{
	printf("total: %lu frames on %d channels, %.1f us CPU per frame\n", t->total,
	       ncaps, t->total ? t->cpu_proc * 1e6 / t->total : 0);
	printf("window %.2f s: %.1f MB/s, %lu drops, %lu errors\n", t->wall,
	       t->wall > 0 ? t->tbytes / t->wall / 1e6 : 0, t->tdrops, t->terrors);
	printf("cpu: process %.3f s (sys %.3f), irq threads %.3f s, machine busy %.3f s, sys+irq+softirq %.3f s\n",
	       t->cpu_proc, t->cpu_sys, t->cpu_thr, t->busy, t->sirq);
	if (t->total)
		printf("per frame: process %.1f us, driver (process sys + irq threads) %.1f us, machine busy %.1f us\n",
		       t->cpu_proc * 1e6 / t->total,
		       (t->cpu_sys + t->cpu_thr) * 1e6 / t->total,
		       t->busy * 1e6 / t->total);
	if (t->lts.n)
		printf("latency DQBUF - timestamp: p50 %.0f us, p99 %.0f us, max %.0f us; DQBUF - end of frame: p50 %.0f us, p99 %.0f us, max %.0f us\n",
		       t->lts.p50, t->lts.p99, t->lts.max, t->leof.p50,
		       t->leof.p99, t->leof.max);
	if (nirqs || t->drv[4] || t->drv[5])
		printf("interrupts: %llu (/proc/interrupts), driver: %llu interrupts, %llu polls, %llu frames\n",
		       t->s1.irqs - t->s0.irqs, t->drv[4], t->drv[5], t->drv[0]);
}

/* -j: everything as JSON. */
static int write_json(const struct opts *o, const struct totals *t)
{
	FILE *f = fopen(o->json, "w");
	char fcc[5];
	int i;

	if (!f) {
		perror(o->json);
		return -1;
	}
	fprintf(f, "{\n  \"label\": \"%s\",\n  \"io\": \"%s\",\n", o->label,
		o->io_read ? "read" : "mmap");
	fprintf(f, "  \"driver\": \"%s\",\n  \"fourcc\": \"%s\",\n",
		(char *)caps[0].node.cap.driver,
		mc_fourcc_str(caps[0].q.pix.pixelformat, fcc));
	fprintf(f, "  \"width\": %u, \"height\": %u, \"sizeimage\": %u,\n",
		caps[0].q.pix.width, caps[0].q.pix.height,
		caps[0].q.pix.sizeimage);
	fprintf(f, "  \"period_us\": %.3f,\n  \"channels\": %d,\n",
		caps[0].period_us, ncaps);
	fprintf(f, "  \"window_s\": %.3f, \"frames\": %lu, \"drops\": %lu, \"errors\": %lu,\n",
		t->wall, t->total, t->tdrops, t->terrors);
	fprintf(f, "  \"bytes\": %llu, \"mb_per_s\": %.3f,\n", t->tbytes,
		t->wall > 0 ? t->tbytes / t->wall / 1e6 : 0);
	fprintf(f, "  \"cpu_s\": {\"process\": %.4f, \"process_sys\": %.4f, \"irq_threads\": %.4f, \"machine_busy\": %.4f, \"sys_irq_softirq\": %.4f},\n",
		t->cpu_proc, t->cpu_sys, t->cpu_thr, t->busy, t->sirq);
	fprintf(f, "  \"ncpus\": %ld,\n", sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "  \"interrupts\": %llu,\n", t->s1.irqs - t->s0.irqs);
	fprintf(f, "  \"driver_stats\": {\"frames\": %llu, \"drops_no_buffer\": %llu, \"drops_overflow\": %llu, \"drops_chunk_error\": %llu, \"interrupts\": %llu, \"polls\": %llu},\n",
		t->drv[0], t->drv[1], t->drv[2], t->drv[3], t->drv[4], t->drv[5]);
	fprintf(f, "  ");
	json_lat(f, "latency_ts", &t->lts);
	fprintf(f, ",\n  ");
	json_lat(f, "latency_eof", &t->leof);
	fprintf(f, ",\n  \"per_channel\": [\n");
	for (i = 0; i < ncaps; i++) {
		struct cap *c = &caps[i];

		fprintf(f, "    {\"node\": \"%s\", \"channel\": %d, \"frames\": %lu, \"drops\": %lu, \"errors\": %lu}%s\n",
			c->node.path, c->node.channel, c->frames,
			c->drops, c->errors, i + 1 < ncaps ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[MC_MAX_NODES];
	struct totals t;
	struct opts o;
	int rc;

	rc = parse_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	hz = sysconf(_SC_CLK_TCK);
	rc = open_nodes(argc, argv, optind);
	if (rc >= 0)
		return rc;
	memset(&t, 0, sizeof(t));
	if (setup_nodes(&o, pfd) || capture(&o, pfd, &t.s0, &t.s1))
		return MC_EXIT_FAIL;
	machine_totals(&t);
	rc = report_channels(&o, &t);
	latencies(NULL, &t.lts, &t.leof);
	report_totals(&t);
	if (o.json && write_json(&o, &t))
		return MC_EXIT_FAIL;
	return rc;
}
