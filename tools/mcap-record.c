// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-record.c - record channels to Matroska straight from capture buffers
 *
 * Usage: see usage() or mcap-record --help; Documentation/admin-guide/media/
 * multicap.rst, "Recording to disk: mcap-record", has the file layout.
 *
 * Each frame goes to disk as one io_uring WRITEV of two iovecs to a file
 * opened O_DIRECT: [header block][capture buffer: sizeimage + tail]. The
 * header block (Matroska Cluster and SimpleBlock headers, mcap-mkv.c) is the
 * only part written from our own memory, and the payload starts on a
 * block boundary, so the pixels go from the capture buffer's pages to the
 * device without a copy. The tail pads the write to the next boundary with
 * the buffer's own slack after sizeimage, which the card never writes; a
 * Void element header written there makes it valid Matroska. A buffer goes
 * back to the card only once its write has completed, in capture order, so
 * the sidecar lists frames in file order and a write error leaves a valid
 * file of the complete frames before it.
 *
 * --copy writes the same bytes with pwritev() through the page cache, the
 * baseline to compare against.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/fs.h>
#include <liburing.h>

#include "mcap-mkv.h"
#include "mcap-v4l2.h"

#define EXIT_USAGE	2	/* bad arguments */
#define EXIT_WRITE	3	/* a write failed: disk full, EIO */
#define MAX_CHANNELS	16
#define FILE_ALIGN	4096	/* O_DIRECT alignment used for files */
#define CUE_EVERY_US	1000000	/* one CuePoint a second */
#define CSV_AHEAD	65536	/* sidecar space allocated ahead of its end */
#define CAP_TYPE	V4L2_BUF_TYPE_VIDEO_CAPTURE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum buf_state { B_IDLE, B_QUEUED, B_WRITING, B_DONE, B_FAILED };

/* One output file (or the raw device) of a channel. */
struct rfile {
	char path[PATH_MAX];
	int fd;
	FILE *csv;
	long long csv_alloc;		/* sidecar bytes allocated */
	unsigned int index;		/* rotation number */
	unsigned long long end;		/* where the next Cluster goes */
	unsigned long long committed;	/* end of the last complete frame */
	unsigned long long file_end;	/* end of the Cues, once closed */
	unsigned long frames;		/* complete frames */
	unsigned long gaps;		/* sequence gaps before its frames */
	unsigned int pending;		/* frames written or being written */
	long long first_us, last_us;	/* timestamps of its frames */
	int closing;			/* no new frames; close when !pending */
	int broken;			/* a write failed: keep what came before */
	struct mkv_cue *cues;
	size_t ncues, acues;
	unsigned long long next_cue_us;
};

/* A capture buffer and the frame it holds while that is written. */
struct rbuf {
	enum buf_state state;
	unsigned char *hdr;		/* header block, one alignment unit */
	struct iovec iov[2];
	struct rfile *file;
	unsigned long long off;		/* file offset of its Cluster */
	__u32 seq;
	long long ts_ns;
	unsigned long long tc_us;	/* Cluster timestamp */
};

enum chan_state { C_RUN, C_DRAIN, C_DONE };

static const char * const stat_keys[] = {
	"frames", "drops_no_buffer", "drops_overflow", "drops_chunk_error",
	"drops_stall",
};
#define NSTATS	ARRAY_SIZE(stat_keys)

struct chan {
	struct mc_node node;
	char name[32];			/* file name part: chN or videoN */
	struct mc_queue q;
	struct rbuf b[MC_MAX_BUFS];
	unsigned int fifo[MC_MAX_BUFS];	/* buffers being written, in order */
	unsigned int fhead, fcount;
	enum chan_state state;
	const struct mc_fmt *f;
	struct mkv_track track;
	unsigned char *head;		/* the file head as first written */
	size_t head_len;
	size_t sizeimage, tail, wlen;	/* payload, padding, bytes a frame */
	unsigned int queued;		/* buffers with the card */
	unsigned int inflight;		/* writes not completed */
	struct rfile *cur;
	unsigned int nfiles;
	long long origin_us;		/* first frame: timestamp 0 */
	__u32 last_seq;
	int have_seq;
	unsigned long taken, frames, gaps, errors, writes;
	unsigned long long bytes;
	long long t_end;
	char stats[300];		/* debugfs stats, "" if unreadable */
	unsigned long long st0[NSTATS], st1[NSTATS];
	/* synthetic frames (--synthetic) */
	unsigned int synq[MC_MAX_BUFS], synhead, syncount;
	__u32 synseq;
};

static struct {
	const char *dir, *prefix, *raw, *pattern;
	const struct mc_fmt *fmt;
	__u32 memory;
	unsigned int nbufs;
	unsigned long frames;
	double seconds, rot_secs;
	unsigned long long rot_bytes;
	int copy, progress;
	unsigned int syn_w, syn_h, syn_ch, syn_drop;
	double syn_fps;
} o = {
	.dir = ".", .prefix = "rec", .memory = V4L2_MEMORY_MMAP, .nbufs = 6,
	.syn_ch = 1, .syn_fps = 30,
};

static struct chan chans[MAX_CHANNELS];
static int nch;
static size_t blk = FILE_ALIGN;		/* alignment of every write */
static int raw_fd = -1;
static unsigned long long raw_size;
static struct io_uring ring;
static int use_uring, efd = -1;
static volatile sig_atomic_t got_signal;
static int stop_req;			/* stop every channel: an error */
static int rc;				/* exit code so far */
static int write_err;			/* first write error, stops all */
static int open_err;			/* why file_open() failed */
static long long t_start;

static void usage(FILE *out)
{
	fprintf(out,
"Usage: mcap-record [options] [node...]\n"
"Record multicap channels (default: every multicap node) to Matroska files,\n"
"writing each frame straight from its capture buffer (O_DIRECT, io_uring).\n"
"  -o DIR              output directory (default .)\n"
"  -P PREFIX           file names PREFIX-chN.mkv and PREFIX-chN.csv (default rec)\n"
"  --raw-device DEV    write one channel to block device DEV instead of a file\n"
"  -i mmap|userptr     capture buffers: driver's (default) or ours\n"
"  -f FORMAT           YUYV (default), UYVY, GREY, RGB24, BGR24, NV12, XBGR32\n"
"  -t PATTERN          set the test pattern, e.g. \"Tagged Lines\"\n"
"  -b NBUFS            capture buffers a channel, 3..%d (default 6): those not\n"
"                      being written are with the card\n"
"  -n FRAMES           stop each channel after FRAMES frames\n"
"  -d SECONDS          stop after SECONDS (also: SIGINT, SIGTERM)\n"
"  --rotate-size MB    start a new file when one would exceed MB megabytes\n"
"  --rotate-time SECS  start a new file every SECS seconds of frames\n"
"                      (files then PREFIX-chN-0000.mkv, -0001, ...)\n"
"  --copy              write through the page cache with pwritev(), no\n"
"                      O_DIRECT, no io_uring: the baseline\n"
"  -p                  progress line even when stderr is not a terminal\n"
"  --synthetic WxH     test aid: no capture, generate Tagged Lines frames\n"
"  --synthetic-fps F   their rate, 0 = as fast as the disk takes (default 30)\n"
"  --synthetic-channels N  how many (default 1)\n"
"  --synthetic-drop K  skip every K-th sequence number (a drop)\n"
"  -h, --help          this help\n"
"Exit: 0 done, 1 capture or setup failure, 2 bad arguments, 3 a write failed\n"
"(disk full, I/O error): the files keep every complete frame before it.\n",
		MC_MAX_BUFS);
}

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

/* ---- arguments -------------------------------------------------------- */

static int parse_num(const char *opt, const char *s, double min, double max,
		     double *val)
{
	char *end;

	errno = 0;
	*val = strtod(s, &end);
	if (errno || end == s || *end || *val != *val || *val < min ||
	    *val > max) {
		fprintf(stderr, "mcap-record: %s %s: not a number in %g..%g\n",
			opt, s, min, max);
		return -1;
	}
	return 0;
}

static int parse_size(const char *opt, const char *s, unsigned int *w,
		      unsigned int *h)
{
	char junk;

	if (sscanf(s, "%5u%*[xX]%5u%c", w, h, &junk) != 2 || *w < MC_TAG_LEN ||
	    *h < 1 || *w > 16384 || *h > 16384) {
		fprintf(stderr, "mcap-record: %s %s: not WxH (16..16384)\n", opt,
			s);
		return -1;
	}
	return 0;
}

enum { OPT_RAW = 256, OPT_ROT_SIZE, OPT_ROT_TIME, OPT_COPY, OPT_SYN,
	OPT_SYN_FPS, OPT_SYN_CH, OPT_SYN_DROP };

static int parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "raw-device", required_argument, NULL, OPT_RAW },
		{ "rotate-size", required_argument, NULL, OPT_ROT_SIZE },
		{ "rotate-time", required_argument, NULL, OPT_ROT_TIME },
		{ "copy", no_argument, NULL, OPT_COPY },
		{ "synthetic", required_argument, NULL, OPT_SYN },
		{ "synthetic-fps", required_argument, NULL, OPT_SYN_FPS },
		{ "synthetic-channels", required_argument, NULL, OPT_SYN_CH },
		{ "synthetic-drop", required_argument, NULL, OPT_SYN_DROP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	double v;

	while ((opt = getopt_long(argc, argv, "o:P:i:f:t:b:n:d:ph", lo,
				  NULL)) != -1) {
		switch (opt) {
		case 'o':
			o.dir = optarg;
			break;
		case 'P':
			if (!*optarg || strchr(optarg, '/')) {
				fprintf(stderr, "mcap-record: -P %s: a file name "
					"prefix, no '/'\n", optarg);
				return -1;
			}
			o.prefix = optarg;
			break;
		case OPT_RAW:
			o.raw = optarg;
			break;
		case 'i':
			if (!strcmp(optarg, "mmap")) {
				o.memory = V4L2_MEMORY_MMAP;
			} else if (!strcmp(optarg, "userptr")) {
				o.memory = V4L2_MEMORY_USERPTR;
			} else {
				fprintf(stderr, "mcap-record: -i %s: mmap or "
					"userptr\n", optarg);
				return -1;
			}
			break;
		case 'f':
			o.fmt = mc_fmt_parse(optarg);
			if (!o.fmt) {
				fprintf(stderr, "mcap-record: -f %s: unknown "
					"format (see --help)\n", optarg);
				return -1;
			}
			break;
		case 't':
			o.pattern = optarg;
			break;
		case 'b':
			if (parse_num("-b", optarg, 3, MC_MAX_BUFS, &v))
				return -1;
			o.nbufs = v;
			break;
		case 'n':
			if (parse_num("-n", optarg, 1, 1e15, &v))
				return -1;
			o.frames = v;
			break;
		case 'd':
			if (parse_num("-d", optarg, 0.001, 1e9, &o.seconds))
				return -1;
			break;
		case OPT_ROT_SIZE:
			if (parse_num("--rotate-size", optarg, 1, 1e9, &v))
				return -1;
			o.rot_bytes = v * 1e6;
			break;
		case OPT_ROT_TIME:
			if (parse_num("--rotate-time", optarg, 0.001, 1e9,
				      &o.rot_secs))
				return -1;
			break;
		case OPT_COPY:
			o.copy = 1;
			break;
		case 'p':
			o.progress = 1;
			break;
		case OPT_SYN:
			if (parse_size("--synthetic", optarg, &o.syn_w, &o.syn_h))
				return -1;
			break;
		case OPT_SYN_FPS:
			if (parse_num("--synthetic-fps", optarg, 0, 10000,
				      &o.syn_fps))
				return -1;
			break;
		case OPT_SYN_CH:
			if (parse_num("--synthetic-channels", optarg, 1,
				      MAX_CHANNELS, &v))
				return -1;
			o.syn_ch = v;
			break;
		case OPT_SYN_DROP:
			if (parse_num("--synthetic-drop", optarg, 2, 1e9, &v))
				return -1;
			o.syn_drop = v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!o.fmt)
		o.fmt = mc_fmt_parse("YUYV");
	if (o.raw && (o.rot_bytes || o.rot_secs)) {
		fprintf(stderr, "mcap-record: --raw-device: no rotation on a "
			"raw device\n");
		return -1;
	}
	if (o.syn_w && optind < argc) {
		fprintf(stderr, "mcap-record: --synthetic: no nodes\n");
		return -1;
	}
	return 0;
}

/* ---- formats ---------------------------------------------------------- */

/*
 * The ColourSpace fourcc FFmpeg's and GStreamer's Matroska demuxers map to
 * the V4L2 format; @gst is 0 where GStreamer's (1.22) does not know it.
 */
static int mkv_colour(__u32 fourcc, char colour[4], int *gst)
{
	static const struct {
		__u32 v4l2;
		char colour[4];
		int gst;
	} map[] = {
		{ V4L2_PIX_FMT_YUYV, "YUY2", 1 },
		{ V4L2_PIX_FMT_UYVY, "UYVY", 1 },
		{ V4L2_PIX_FMT_GREY, "Y800", 1 },
		{ V4L2_PIX_FMT_RGB24, "RGB\x18", 1 },
		{ V4L2_PIX_FMT_BGR24, "BGR\x18", 1 },
		{ V4L2_PIX_FMT_NV12, "NV12", 0 },
		{ V4L2_PIX_FMT_XBGR32, "BGR\0", 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (map[i].v4l2 == fourcc) {
			memcpy(colour, map[i].colour, 4);
			*gst = map[i].gst;
			return 0;
		}
	}
	return -1;
}

/* ---- output files ----------------------------------------------------- */

static void *aligned_zalloc(size_t len)
{
	void *p;

	if (posix_memalign(&p, FILE_ALIGN, len))
		return NULL;
	memset(p, 0, len);
	return p;
}

/* Write all of @iov from @off, resuming after short writes; 0 or -errno. */
static int write_all(int fd, struct iovec *iov, int n, unsigned long long off)
{
	struct iovec v[2];
	ssize_t r;
	int i;

	memcpy(v, iov, n * sizeof(*v));
	for (i = 0; i < n;) {
		r = pwritev(fd, v + i, n - i, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			return -ENOSPC;
		off += r;
		while (i < n && (size_t)r >= v[i].iov_len)
			r -= v[i++].iov_len;
		if (i < n) {
			v[i].iov_base = (char *)v[i].iov_base + r;
			v[i].iov_len -= r;
		}
	}
	return 0;
}

static int pwrite_all(int fd, void *buf, size_t len, unsigned long long off)
{
	struct iovec v = { buf, len };

	return write_all(fd, &v, 1, off);
}

static void read_stats(struct chan *c, unsigned long long *st)
{
	unsigned int k;

	for (k = 0; k < NSTATS; k++)
		if (!c->stats[0] || mc_read_stat(c->stats, stat_keys[k], &st[k]))
			st[k] = 0;
}

/*
 * Keep disk space allocated ahead of the sidecar, so that on a full disk
 * the frames' writes fail first and the sidecar still lists every frame.
 */
static void csv_reserve(struct rfile *f)
{
	long pos = ftell(f->csv);

	if (pos < 0 || pos + CSV_AHEAD / 2 < f->csv_alloc)
		return;
	if (!fallocate(fileno(f->csv), FALLOC_FL_KEEP_SIZE, f->csv_alloc,
		       CSV_AHEAD))
		f->csv_alloc += CSV_AHEAD;
}

static void csv_head(struct chan *c, struct rfile *f)
{
	struct v4l2_pix_format *p = &c->q.pix;

	fprintf(f->csv, "# mcap-record sidecar 1: one line a frame; lines "
		"starting with # are comments\n");
	fprintf(f->csv, "# node=%s channel=%d format=%s width=%u height=%u "
		"bytesperline=%u sizeimage=%u frame_ns=%llu file=%s\n",
		c->node.path, c->node.channel, c->f->name, p->width, p->height,
		p->bytesperline, p->sizeimage, c->track.frame_ns, f->path);
	fprintf(f->csv, "frame,sequence,timestamp_ns,offset,bytes\n");
	csv_reserve(f);
}

static void csv_tail(struct chan *c, struct rfile *f)
{
	unsigned long long st[NSTATS], d[NSTATS];
	unsigned int k;

	fprintf(f->csv, "# end frames=%lu gaps=%lu frames_end=%llu "
		"file_end=%llu%s\n", f->frames, f->gaps, f->committed,
		f->file_end, f->broken ? " write_error=1" : "");
	if (!c->stats[0]) {
		fprintf(f->csv, "# driver: counters unavailable (debugfs, "
			"root)\n");
		return;
	}
	if (c->state == C_RUN)
		read_stats(c, st);
	else
		memcpy(st, c->st1, sizeof(st));
	for (k = 0; k < NSTATS; k++)
		d[k] = st[k] - c->st0[k];
	fprintf(f->csv, "# driver: frames=%llu drops=%llu drops_no_buffer=%llu "
		"drops_overflow=%llu drops_chunk_error=%llu drops_stall=%llu "
		"recording_gaps=%lu (since the recording started)\n", d[0],
		d[1] + d[2] + d[3] + d[4], d[1], d[2], d[3], d[4], c->gaps);
}

static struct rfile *file_open(struct chan *c)
{
	struct rfile *f = calloc(1, sizeof(*f));
	char csv[PATH_MAX + 8];
	int n, err;

	if (!f)
		return NULL;
	f->index = c->nfiles;
	if (o.rot_bytes || o.rot_secs)
		n = snprintf(f->path, sizeof(f->path), "%s/%s-%s-%04u.mkv",
			     o.dir, o.prefix, c->name, f->index);
	else
		n = snprintf(f->path, sizeof(f->path), "%s/%s-%s.mkv", o.dir,
			     o.prefix, c->name);
	if (n >= (int)sizeof(f->path)) {
		fprintf(stderr, "mcap-record: -o %s: path too long\n", o.dir);
		free(f);
		return NULL;
	}
	snprintf(csv, sizeof(csv), "%.*s.csv", n - 4, f->path);
	if (o.raw) {
		snprintf(csv, sizeof(csv), "%s/%s-%s.csv", o.dir, o.prefix,
			 c->name);
		snprintf(f->path, sizeof(f->path), "%s", o.raw);
		f->fd = raw_fd;
	} else {
		f->fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
			     (o.copy ? 0 : O_DIRECT), 0644);
		if (f->fd < 0) {
			err = errno;
			open_err = err;
			fprintf(stderr, "mcap-record: %s: %s%s\n", f->path,
				strerror(err), err == EINVAL && !o.copy ?
				" (no O_DIRECT on this file system? --copy "
				"writes through the page cache)" : "");
			free(f);
			return NULL;
		}
	}
	f->csv = fopen(csv, "w");
	err = f->csv ? -pwrite_all(f->fd, c->head, c->head_len, 0) : errno;
	if (err) {
		open_err = err;
		fprintf(stderr, "mcap-record: %s: %s\n", f->csv ? f->path : csv,
			strerror(err));
		if (f->csv)
			fclose(f->csv);
		/* no file without a head: remove what was made */
		if (!o.raw) {
			close(f->fd);
			unlink(f->path);
			unlink(csv);
		}
		free(f);
		return NULL;
	}
	csv_head(c, f);
	f->end = c->head_len;
	f->committed = c->head_len;
	c->nfiles++;
	return f;
}

static int cue_add(struct rfile *f, unsigned long long time_us,
		   unsigned long long pos)
{
	struct mkv_cue *n;

	if (time_us < f->next_cue_us && f->ncues)
		return 0;
	if (f->ncues == f->acues) {
		f->acues = f->acues ? 2 * f->acues : 64;
		n = realloc(f->cues, f->acues * sizeof(*n));
		if (!n)
			return -1;
		f->cues = n;
	}
	f->cues[f->ncues].time_us = time_us;
	f->cues[f->ncues].pos = pos;
	f->ncues++;
	f->next_cue_us = time_us + CUE_EVERY_US;
	return 0;
}

/* Cues at the end of the frames, if there is room; returns their length. */
static size_t cues_write(struct rfile *f)
{
	size_t len = mkv_cues_len(f->ncues, blk);
	unsigned char *buf;
	int err;

	if (!f->ncues || f->broken ||
	    (o.raw && f->committed + len > raw_size))
		return 0;
	buf = aligned_zalloc(len);
	if (!buf)
		return 0;
	mkv_cues_build(buf, len, f->cues, f->ncues);
	err = pwrite_all(f->fd, buf, len, f->committed);
	free(buf);
	return err ? 0 : len;
}

/*
 * On a raw device, the Segment ends with a Void up to the device's end, so
 * what an older recording left there is skipped, not read as frames
 * (FFmpeg reads on past a Segment's end, and takes a Void reaching past it
 * as corrupt). Returns where the Segment ends.
 */
static unsigned long long raw_void(unsigned long long end)
{
	unsigned char *buf;

	if (end + MKV_VOID_MIN > raw_size)
		return end;
	buf = aligned_zalloc(blk);
	if (!buf)
		return end;
	mkv_void(buf, raw_size - end);
	if (!pwrite_all(raw_fd, buf, blk, end))
		end = raw_size;
	free(buf);
	return end;
}

/*
 * Finish a file whose frames are all written: Cues, the Segment's size and
 * Duration, then the sidecar's last lines. Whatever fails here, the file
 * stays valid up to its last complete frame.
 */
static void file_close(struct chan *c, struct rfile *f)
{
	struct mkv_final fin = { 0 };
	unsigned long long end = f->committed;
	size_t cues = cues_write(f);
	unsigned char *head;

	if (cues)
		fin.cues_pos = end - mkv_data_start();
	end += cues;
	if (!o.raw && ftruncate(f->fd, end))
		fprintf(stderr, "mcap-record: %s: truncate to %llu: %s\n",
			f->path, end, strerror(errno));
	f->file_end = end;
	if (o.raw)
		end = raw_void(end);
	fin.segment_size = end - mkv_data_start();
	if (f->frames)
		fin.duration_us = f->last_us - f->first_us +
				  c->track.frame_ns / 1e3;
	head = aligned_zalloc(c->head_len);
	if (head) {
		mkv_head_build(head, c->head_len, &c->track, &fin);
		if (pwrite_all(f->fd, head, c->head_len, 0))
			fprintf(stderr, "mcap-record: %s: cannot finish the "
				"head (size left unknown)\n", f->path);
		free(head);
	}
	if (fdatasync(f->fd) && errno != EINVAL)
		fprintf(stderr, "mcap-record: %s: fdatasync: %s\n", f->path,
			strerror(errno));
	if (f->broken)
		fprintf(stderr, "mcap-record: %s: kept %lu complete frames "
			"(%llu bytes)\n", f->path, f->frames, end);
	csv_tail(c, f);
	/* give back the space allocated ahead */
	if (fflush(f->csv) || ftruncate(fileno(f->csv), ftell(f->csv)))
		fprintf(stderr, "mcap-record: %s sidecar: %s\n", f->path,
			strerror(errno));
	if (fclose(f->csv))
		fprintf(stderr, "mcap-record: %s sidecar: %s\n", f->path,
			strerror(errno));
	if (!o.raw)
		close(f->fd);
	if (c->cur == f)
		c->cur = NULL;
	free(f->cues);
	free(f);
}

/* ---- buffers ---------------------------------------------------------- */

static size_t page_align(size_t len)
{
	size_t pg = sysconf(_SC_PAGESIZE);

	return (len + pg - 1) / pg * pg;
}

/*
 * MMAP buffers with room for a tail the page-rounded sizeimage lacks:
 * CREATE_BUFS with a larger sizeimage (the driver takes any size at least
 * its own).
 */
static int queue_create(struct chan *c, const struct v4l2_pix_format *pix,
			size_t need)
{
	struct v4l2_requestbuffers rb = {
		.type = CAP_TYPE, .memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_create_buffers cb = {
		.count = o.nbufs, .memory = V4L2_MEMORY_MMAP,
	};
	struct mc_queue *q = &c->q;
	unsigned int i;

	memset(q, 0, sizeof(*q));
	q->fd = c->node.fd;
	q->memory = V4L2_MEMORY_MMAP;
	q->pix = *pix;
	q->f = c->f;
	cb.format.type = CAP_TYPE;
	cb.format.fmt.pix = *pix;
	cb.format.fmt.pix.sizeimage = need;
	if (ioctl(q->fd, VIDIOC_REQBUFS, &rb) ||
	    ioctl(q->fd, VIDIOC_CREATE_BUFS, &cb) || cb.count < 2 ||
	    cb.count > MC_MAX_BUFS) {
		fprintf(stderr, "mcap-record: %s: CREATE_BUFS of %zu bytes: %s\n",
			c->node.path, need, strerror(errno));
		return -1;
	}
	q->count = cb.count;
	for (i = 0; i < q->count; i++) {
		struct v4l2_buffer b = {
			.type = CAP_TYPE, .memory = V4L2_MEMORY_MMAP, .index = i,
		};
		void *m = MAP_FAILED;

		if (!ioctl(q->fd, VIDIOC_QUERYBUF, &b))
			m = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
				 MAP_SHARED, q->fd, b.m.offset);
		if (m == MAP_FAILED) {
			fprintf(stderr, "mcap-record: %s: buffer %u: %s\n",
				c->node.path, i, strerror(errno));
			mc_queue_free(q);
			return -1;
		}
		q->buf[i].mem = m;
		q->buf[i].len = b.length;
		q->buf[i].dmafd = -1;
	}
	return 0;
}

/* Buffers for a synthetic channel: page aligned, a page of slack. */
static int queue_synthetic(struct chan *c, const struct v4l2_pix_format *pix)
{
	size_t len = page_align(pix->sizeimage) + sysconf(_SC_PAGESIZE);
	struct mc_queue *q = &c->q;
	unsigned int i;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->memory = V4L2_MEMORY_USERPTR;
	q->pix = *pix;
	q->f = c->f;
	q->count = o.nbufs;
	for (i = 0; i < q->count; i++) {
		q->buf[i].mem = aligned_zalloc(len);
		q->buf[i].len = len;
		q->buf[i].dmafd = -1;
		if (!q->buf[i].mem)
			return -1;
	}
	return 0;
}

static int chan_buffers(struct chan *c, const struct v4l2_pix_format *pix)
{
	size_t need = c->sizeimage + c->tail, avail;
	unsigned int i;
	int r;

	if (o.syn_w)
		r = queue_synthetic(c, pix);
	else if (o.memory == V4L2_MEMORY_MMAP && page_align(pix->sizeimage) < need)
		r = queue_create(c, pix, need);
	else
		r = mc_queue_init(&c->q, c->node.fd, o.memory, o.nbufs, pix,
				  c->f, NULL);
	if (r) {
		fprintf(stderr, "mcap-record: %s: no %s buffers%s\n",
			c->node.path, o.memory == V4L2_MEMORY_MMAP ? "MMAP" :
			"USERPTR", r == -2 ? " (not supported)" : "");
		return -1;
	}
	for (i = 0; i < c->q.count; i++) {
		struct rbuf *b = &c->b[i];

		/* MMAP: the mapping covers the buffer's whole last page */
		avail = c->q.buf[i].len;
		if (c->q.memory == V4L2_MEMORY_MMAP && !o.syn_w)
			avail = page_align(avail);
		if (avail < need) {
			fprintf(stderr, "mcap-record: %s: buffer %u has %zu "
				"bytes, %zu needed\n", c->node.path, i, avail,
				need);
			return -1;
		}
		b->hdr = aligned_zalloc(blk);
		if (!b->hdr)
			return -1;
		b->iov[0].iov_base = b->hdr;
		b->iov[0].iov_len = blk;
		b->iov[1].iov_base = c->q.buf[i].mem;
		b->iov[1].iov_len = need;
	}
	return 0;
}

/* ---- synthetic frames ------------------------------------------------- */

/* Tagged Lines as the simulated card writes them (see mc_check_frame()). */
static void synthetic_fill(struct chan *c, unsigned char *mem, __u32 seq)
{
	static unsigned char *ramp;
	unsigned int bpl = c->q.pix.bytesperline;
	unsigned int act = mc_fmt_active(c->f, c->q.pix.width);
	unsigned int n = mc_fmt_lines(c->f, c->q.pix.height), l, k;
	__u32 tag[3];

	if (!ramp) {
		ramp = malloc(act + 256);
		if (!ramp)
			abort();
		for (k = 0; k < act + 256; k++)
			ramp[k] = k;
	}
	for (l = 0; l < n; l++) {
		unsigned char *p = mem + (size_t)l * bpl;

		tag[0] = htole32(c->node.channel);
		tag[1] = htole32(seq);
		tag[2] = htole32(l);
		memcpy(p, "MCAP", 4);
		memcpy(p + 4, tag, sizeof(tag));
		memcpy(p + MC_TAG_LEN, ramp + ((seq + l + MC_TAG_LEN) & 0xff),
		       act - MC_TAG_LEN);
	}
}

static long long synthetic_period_us(void)
{
	return o.syn_fps > 0 ? (long long)(1e6 / o.syn_fps) : 0;
}

/* ---- the data path ---------------------------------------------------- */

static void stop_chan(struct chan *c);

static void write_failed(struct chan *c, struct rbuf *b, int err)
{
	b->file->broken = 1;
	if (!write_err)
		fprintf(stderr, "mcap-record: %s: writing the frame at offset "
			"%llu: %s; stopping\n", b->file->path, b->off,
			strerror(err));
	write_err = err;
	rc = EXIT_WRITE;
	stop_req = 1;
	(void)c;
}

static int requeue(struct chan *c, unsigned int idx)
{
	c->b[idx].state = B_QUEUED;
	c->queued++;
	if (o.syn_w) {
		c->synq[(c->synhead + c->syncount++) % MC_MAX_BUFS] = idx;
		return 0;
	}
	if (mc_queue_buf(&c->q, idx, -1)) {
		c->b[idx].state = B_IDLE;
		c->queued--;
		return -1;
	}
	return 0;
}

static void chan_finish(struct chan *c)
{
	if (c->cur)
		file_close(c, c->cur);
	c->state = C_DONE;
	c->t_end = mc_now_us();
}

/* Commit the completed writes at the head of the queue, in capture order. */
static void commit(struct chan *c)
{
	while (c->fcount) {
		unsigned int idx = c->fifo[c->fhead];
		struct rbuf *b = &c->b[idx];
		struct rfile *f = b->file;

		if (b->state != B_DONE && b->state != B_FAILED)
			break;
		c->fhead = (c->fhead + 1) % MC_MAX_BUFS;
		c->fcount--;
		if (b->state == B_DONE && !f->broken) {
			long long us = b->ts_ns / 1000;

			f->committed = b->off + c->wlen;
			fprintf(f->csv, "%lu,%u,%lld,%llu,%zu\n", f->frames,
				b->seq, b->ts_ns, b->off + blk, c->sizeimage);
			csv_reserve(f);
			f->last_us = us;
			if (cue_add(f, b->tc_us, b->off - mkv_data_start()))
				fprintf(stderr, "mcap-record: out of memory for "
					"cues\n");
			f->frames++;
			c->frames++;
			c->bytes += c->sizeimage;
		} else {
			f->broken = 1;
		}
		f->pending--;
		b->state = B_IDLE;
		if (c->state == C_RUN && !f->broken && requeue(c, idx)) {
			rc = 1;
			stop_req = 1;
		}
		if (f->closing && !f->pending)
			file_close(c, f);
	}
	if (c->state == C_DRAIN && !c->inflight)
		chan_finish(c);
}

static void write_done(struct chan *c, unsigned int idx, int res)
{
	struct rbuf *b = &c->b[idx];
	int err = 0;

	if (res < 0)
		err = -res;
	else if ((size_t)res < c->wlen)
		/* resume a short write: it fails with the real reason */
		err = -write_all(b->file->fd, b->iov, 2, b->off);
	c->inflight--;
	c->writes++;
	b->state = err ? B_FAILED : B_DONE;
	if (err)
		write_failed(c, b, err);
	commit(c);
}

static void submit_write(struct chan *c, unsigned int idx)
{
	struct rbuf *b = &c->b[idx];
	struct io_uring_sqe *sqe;
	int err;

	c->inflight++;
	if (!use_uring) {
		err = write_all(b->file->fd, b->iov, 2, b->off);
		write_done(c, idx, err ? err : (int)c->wlen);
		return;
	}
	sqe = io_uring_get_sqe(&ring);
	if (!sqe) {
		io_uring_submit(&ring);
		sqe = io_uring_get_sqe(&ring);
	}
	if (!sqe) {
		write_done(c, idx, -EBUSY);
		return;
	}
	io_uring_prep_writev(sqe, b->file->fd, b->iov, 2, b->off);
	io_uring_sqe_set_data64(sqe, (__u64)(c - chans) << 16 | idx);
}

static int rotate(struct chan *c)
{
	struct rfile *old = c->cur;

	c->cur = file_open(c);
	if (!c->cur) {
		c->cur = old;
		return -1;
	}
	old->closing = 1;
	if (!old->pending)
		file_close(c, old);
	return 0;
}

static int must_rotate(struct chan *c, long long us)
{
	struct rfile *f = c->cur;

	if (!f->pending && !f->frames)
		return 0;
	/* the frame, and Cues for one more point, must fit */
	if (o.rot_bytes && f->end + c->wlen +
	    mkv_cues_len(f->ncues + f->pending + 1, blk) > o.rot_bytes)
		return 1;
	return o.rot_secs && us - f->first_us >= o.rot_secs * 1e6;
}

/* A frame is in buffer @idx: write it. */
static int handle_frame(struct chan *c, unsigned int idx, __u32 seq,
			long long ts_ns)
{
	struct rbuf *b = &c->b[idx];
	long long us = ts_ns / 1000;
	unsigned long gap = 0;
	struct rfile *f;

	c->queued--;
	b->state = B_IDLE;
	if (stop_req)		/* an error: write nothing more */
		return 0;
	/* sequence numbers start at 0 with the stream: count from there */
	if (seq != c->last_seq + 1)
		gap = seq - c->last_seq - 1;
	if (!c->have_seq)
		c->origin_us = us;
	c->have_seq = 1;
	c->last_seq = seq;
	c->gaps += gap;
	c->taken++;
	if (must_rotate(c, us) && rotate(c)) {
		/* cannot start the next file (disk full?): a write error */
		write_err = open_err ? open_err : EIO;
		rc = EXIT_WRITE;
		stop_req = 1;
		return 0;
	}
	f = c->cur;
	if (!f->pending && !f->frames)
		f->first_us = us;
	if (o.raw && f->end + c->wlen > raw_size) {
		fprintf(stderr, "mcap-record: %s: %s: device full after %lu "
			"frames\n", f->path, strerror(ENOSPC), f->frames + f->pending);
		write_err = ENOSPC;
		rc = EXIT_WRITE;
		stop_req = 1;
		return 0;
	}
	f->gaps += gap;
	b->file = f;
	b->off = f->end;
	b->seq = seq;
	b->ts_ns = ts_ns;
	b->tc_us = us > c->origin_us ? us - c->origin_us : 0;
	b->state = B_WRITING;
	f->end += c->wlen;
	f->pending++;
	mkv_cluster_build(b->hdr, blk, b->tc_us, c->sizeimage, c->tail);
	if (c->tail)
		mkv_void(c->q.buf[idx].mem + c->sizeimage, c->tail);
	c->fifo[(c->fhead + c->fcount++) % MC_MAX_BUFS] = idx;
	submit_write(c, idx);
	if (o.frames && c->taken >= o.frames)
		stop_chan(c);
	return 0;
}

/* Stop capturing on @c; its files close once its writes have completed. */
static void stop_chan(struct chan *c)
{
	unsigned int i;

	if (c->state != C_RUN)
		return;
	c->state = C_DRAIN;
	if (!o.syn_w && mc_stream(c->node.fd, 0))
		fprintf(stderr, "mcap-record: %s: STREAMOFF: %s\n", c->node.path,
			strerror(errno));
	read_stats(c, c->st1);
	for (i = 0; i < c->q.count; i++)
		if (c->b[i].state == B_QUEUED)
			c->b[i].state = B_IDLE;
	c->queued = 0;
	c->syncount = 0;
	if (!c->inflight)
		chan_finish(c);
}

static void stop_all(void)
{
	int i;

	for (i = 0; i < nch; i++)
		stop_chan(&chans[i]);
}

/* ---- capture loop ----------------------------------------------------- */

/* Dequeue every frame the card has finished; -1 if capture failed. */
static int take_frames(struct chan *c)
{
	struct v4l2_buffer b;
	long long ns;
	int r;

	while (c->state == C_RUN) {
		r = mc_dequeue_buf(&c->q, &b);
		if (r > 0)
			return 0;
		if (r < 0) {
			fprintf(stderr, "mcap-record: %s: capture failed\n",
				c->node.path);
			return -1;
		}
		if (b.flags & V4L2_BUF_FLAG_ERROR) {
			c->errors++;
			c->queued--;
			if (requeue(c, b.index))
				return -1;
			continue;
		}
		ns = b.timestamp.tv_sec * 1000000000LL +
		     b.timestamp.tv_usec * 1000LL;
		if (handle_frame(c, b.index, b.sequence, ns))
			return -1;
	}
	return 0;
}

/* When the next synthetic frame of @c is due (CLOCK_MONOTONIC us). */
static long long synthetic_due(struct chan *c, __u32 *seq)
{
	*seq = c->synseq;
	if (o.syn_drop && *seq % o.syn_drop == o.syn_drop - 1)
		(*seq)++;
	return t_start + (long long)*seq * synthetic_period_us();
}

static int take_synthetic(struct chan *c, long long now)
{
	unsigned int idx;
	__u32 seq;

	while (c->state == C_RUN && c->syncount &&
	       synthetic_due(c, &seq) <= now) {
		idx = c->synq[c->synhead];
		c->synhead = (c->synhead + 1) % MC_MAX_BUFS;
		c->syncount--;
		c->synseq = seq + 1;
		synthetic_fill(c, c->q.buf[idx].mem, seq);
		if (handle_frame(c, idx, seq, t_start * 1000LL +
				 (long long)seq * c->track.frame_ns))
			return -1;
	}
	return 0;
}

static void reap(void)
{
	struct io_uring_cqe *cqe;
	eventfd_t v;
	__u64 d;
	int res;

	eventfd_read(efd, &v);
	while (!io_uring_peek_cqe(&ring, &cqe)) {
		d = io_uring_cqe_get_data64(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		write_done(&chans[d >> 16], d & 0xffff, res);
	}
}

static void progress(long long now)
{
	unsigned long frames = 0, gaps = 0;
	unsigned long long bytes = 0;
	unsigned int inflight = 0;
	double el = (now - t_start) / 1e6;
	int i;

	for (i = 0; i < nch; i++) {
		frames += chans[i].frames;
		gaps += chans[i].gaps;
		bytes += chans[i].bytes;
		inflight += chans[i].inflight;
	}
	fprintf(stderr, "\r%7.1f s  %d ch  %8lu frames  %7.1f MB/s  %5lu drops  "
		"%3u writes in flight ", el, nch, frames,
		el > 0 ? bytes / el / 1e6 : 0, gaps, inflight);
}

/* Sidecar lines reach the file at least this often: a crash loses little. */
static void flush_sidecars(void)
{
	int i;

	for (i = 0; i < nch; i++)
		if (chans[i].cur)
			fflush(chans[i].cur->csv);
}

static int all_done(void)
{
	int i;

	for (i = 0; i < nch; i++)
		if (chans[i].state != C_DONE)
			return 0;
	return 1;
}

static void run(void)
{
	struct pollfd pfd[MAX_CHANNELS + 1];
	long long now, due, deadline = 0, next_prog = 0, next_flush = 0;
	int show = o.progress || isatty(2);
	int i, n, timeout;
	__u32 seq;

	if (o.seconds)
		deadline = t_start + (long long)(o.seconds * 1e6);
	for (;;) {
		now = mc_now_us();
		if (got_signal || stop_req || (deadline && now >= deadline))
			stop_all();
		if (all_done())
			break;
		timeout = 200;
		n = 0;
		for (i = 0; i < nch; i++) {
			struct chan *c = &chans[i];

			if (c->state != C_RUN)
				continue;
			if (o.syn_w && c->syncount) {
				due = (synthetic_due(c, &seq) - now) / 1000;
				if (due < timeout)
					timeout = due > 0 ? due : 0;
			} else if (!o.syn_w && c->queued) {
				pfd[n].fd = c->node.fd;
				pfd[n++].events = POLLIN;
			}
		}
		if (use_uring) {
			pfd[n].fd = efd;
			pfd[n++].events = POLLIN;
			io_uring_submit(&ring);
		}
		if (deadline && (deadline - now) / 1000 + 1 < timeout)
			timeout = (deadline - now) / 1000 + 1;
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			perror("mcap-record: poll");
			rc = 1;
			stop_req = 1;
		}
		if (use_uring)
			reap();
		now = mc_now_us();
		for (i = 0; i < nch; i++) {
			struct chan *c = &chans[i];

			if (c->state == C_RUN &&
			    (o.syn_w ? take_synthetic(c, now) : take_frames(c))) {
				rc = 1;
				stop_req = 1;
			}
		}
		if (show && now >= next_prog) {
			progress(now);
			next_prog = now + 500000;
		}
		if (now >= next_flush) {
			flush_sidecars();
			next_flush = now + 500000;
		}
	}
	if (show) {
		progress(mc_now_us());
		fputc('\n', stderr);
	}
}

/* ---- setup ------------------------------------------------------------ */

static int open_raw(void)
{
	struct stat st;
	int ssz = 0;

	if (!stat(o.raw, &st) && !S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "mcap-record: --raw-device %s: not a block "
			"device\n", o.raw);
		return -1;
	}
	raw_fd = open(o.raw, O_RDWR | O_CLOEXEC | (o.copy ? 0 : O_DIRECT));
	if (raw_fd < 0 || fstat(raw_fd, &st)) {
		fprintf(stderr, "mcap-record: --raw-device %s: %s\n", o.raw,
			strerror(errno));
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(raw_fd, BLKSSZGET, &ssz) ||
		    ioctl(raw_fd, BLKGETSIZE64, &raw_size)) {
			fprintf(stderr, "mcap-record: --raw-device %s: %s\n",
				o.raw, strerror(errno));
			return -1;
		}
		blk = ssz > 512 ? ssz : 512;
	} else if (S_ISREG(st.st_mode)) {
		/* an existing file, written in place: for tests */
		raw_size = st.st_size;
	} else {
		fprintf(stderr, "mcap-record: --raw-device %s: not a block "
			"device\n", o.raw);
		return -1;
	}
	return 0;
}

static int check_dir(void)
{
	struct stat st;

	if (stat(o.dir, &st)) {
		fprintf(stderr, "mcap-record: -o %s: %s\n", o.dir,
			strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "mcap-record: -o %s: not a directory\n", o.dir);
		return -1;
	}
	if (access(o.dir, W_OK | X_OK)) {
		fprintf(stderr, "mcap-record: -o %s: not writable: %s\n", o.dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Open the nodes named (all multicap capture nodes), else every one. */
static int open_nodes(char **paths, int npaths)
{
	struct mc_node nodes[MC_MAX_NODES];
	dev_t rdev[MAX_CHANNELS];
	struct stat st;
	int i, k, r, fd;

	if (npaths > MAX_CHANNELS) {
		fprintf(stderr, "mcap-record: %d nodes: at most %d\n", npaths,
			MAX_CHANNELS);
		return EXIT_USAGE;
	}
	for (i = 0; i < npaths; i++) {
		fd = open(paths[i], O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st)) {
			fprintf(stderr, "mcap-record: %s: %s\n", paths[i],
				strerror(errno));
			return 1;
		}
		close(fd);
		rdev[i] = st.st_rdev;
		for (k = 0; k < i; k++) {
			if (S_ISCHR(st.st_mode) && rdev[k] == rdev[i]) {
				fprintf(stderr, "mcap-record: %s: the same node "
					"as %s\n", paths[i], paths[k]);
				return EXIT_USAGE;
			}
		}
		r = mc_node_open(&chans[nch].node, paths[i]);
		if (r) {
			fprintf(stderr, "mcap-record: %s: not a multicap video "
				"capture node\n", paths[i]);
			return 1;
		}
		nch++;
	}
	if (npaths)
		return 0;
	r = mc_nodes_find(nodes, MC_MAX_NODES, NULL, 0);
	if (r <= 0) {
		fprintf(stderr, "mcap-record: no multicap capture node found "
			"(driver loaded?)\n");
		return 1;
	}
	if (r > MAX_CHANNELS)
		fprintf(stderr, "mcap-record: %d nodes, recording the first "
			"%d\n", r, MAX_CHANNELS);
	for (i = 0; i < r; i++) {
		if (i < MAX_CHANNELS)
			chans[nch++].node = nodes[i];
		else
			mc_node_close(&nodes[i]);
	}
	return 0;
}

/* chN from the channel's index, unless two nodes share one (two cards) */
static void name_channels(void)
{
	int i, k, unique = 1;

	for (i = 0; i < nch; i++) {
		if (chans[i].node.channel < 0)
			unique = 0;
		for (k = 0; k < i; k++)
			if (chans[i].node.channel == chans[k].node.channel)
				unique = 0;
	}
	for (i = 0; i < nch; i++) {
		struct chan *c = &chans[i];

		if (unique || o.syn_w)
			snprintf(c->name, sizeof(c->name), "ch%d",
				 c->node.channel);
		else
			memcpy(c->name, c->node.name, sizeof(c->name));
	}
}

static int chan_format(struct chan *c, struct v4l2_pix_format *pix)
{
	double ns;

	if (o.syn_w) {
		memset(pix, 0, sizeof(*pix));
		pix->width = o.syn_w;
		pix->height = o.syn_h;
		pix->pixelformat = c->f->fourcc;
		pix->bytesperline = mc_fmt_active(c->f, o.syn_w);
		pix->sizeimage = mc_fmt_sizeimage(c->f, pix->bytesperline,
						  o.syn_h);
		c->track.frame_ns = 1e9 / (o.syn_fps > 0 ? o.syn_fps : 30);
		return 0;
	}
	if (o.pattern && mc_set_menu_ctrl(c->node.fd, V4L2_CID_TEST_PATTERN,
					  o.pattern) < 0) {
		fprintf(stderr, "mcap-record: %s: -t: no test pattern \"%s\"\n",
			c->node.path, o.pattern);
		return -1;
	}
	if (mc_set_format(c->node.fd, c->node.path, c->f, 0, pix))
		return -1;
	ns = mc_frame_period_ns(c->node.fd);
	c->track.frame_ns = ns > 0 ? ns + 0.5 : 0;
	if (mc_stats_path(&c->node, c->stats, sizeof(c->stats)) ||
	    access(c->stats, R_OK))
		c->stats[0] = '\0';
	return 0;
}

static int chan_setup(struct chan *c, const char colour[4])
{
	struct v4l2_pix_format pix;
	unsigned int i;

	c->f = o.fmt;
	c->last_seq = (__u32)-1;
	if (chan_format(c, &pix))
		return -1;
	c->sizeimage = pix.sizeimage;
	c->tail = (blk - c->sizeimage % blk) % blk;
	if (c->tail && c->tail < MKV_VOID_MIN)
		c->tail += blk;
	c->wlen = blk + c->sizeimage + c->tail;
	c->track.width = pix.width;
	c->track.height = pix.height;
	memcpy(c->track.colour, colour, 4);
	c->head_len = mkv_head_len(&c->track, blk);
	c->head = aligned_zalloc(c->head_len);
	if (!c->head)
		return -1;
	mkv_head_build(c->head, c->head_len, &c->track, NULL);
	if (chan_buffers(c, &pix))
		return -1;
	c->cur = file_open(c);
	if (!c->cur)
		return -1;
	read_stats(c, c->st0);
	for (i = 0; i < c->q.count; i++)
		if (requeue(c, i))
			return -1;
	return 0;
}

static int ring_setup(void)
{
	unsigned int entries = 8;
	int r;

	while (entries < (unsigned int)nch * o.nbufs)
		entries *= 2;
	r = io_uring_queue_init(entries, &ring, 0);
	if (r) {
		fprintf(stderr, "mcap-record: io_uring: %s (--copy writes "
			"without it)\n", strerror(-r));
		return -1;
	}
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0 || io_uring_register_eventfd(&ring, efd)) {
		fprintf(stderr, "mcap-record: io_uring eventfd: %s\n",
			strerror(errno));
		return -1;
	}
	use_uring = 1;
	return 0;
}

static void summary(void)
{
	char where[PATH_MAX + 64];
	int i;

	for (i = 0; i < nch; i++) {
		struct chan *c = &chans[i];
		double s = (c->t_end - t_start) / 1e6;

		if (o.raw)
			snprintf(where, sizeof(where), "%s", o.raw);
		else
			snprintf(where, sizeof(where), "%u file%s, %s/%s-%s%s.mkv",
				 c->nfiles, c->nfiles == 1 ? "" : "s", o.dir,
				 o.prefix, c->name,
				 o.rot_bytes || o.rot_secs ? "-NNNN" : "");
		printf("%s %s: %lu frames, %llu bytes, %.1f MB/s, %lu drops, "
		       "%lu writes, %lu errors, %s\n", c->name,
		       o.syn_w ? "synthetic" : c->node.path, c->frames, c->bytes,
		       s > 0 ? c->bytes / s / 1e6 : 0, c->gaps, c->writes,
		       c->errors, where);
	}
}

static void cleanup(void)
{
	int i;

	for (i = 0; i < nch; i++) {
		struct chan *c = &chans[i];
		unsigned int k;

		if (c->cur)
			file_close(c, c->cur);
		if (o.syn_w) {
			for (k = 0; k < c->q.count; k++)
				free(c->q.buf[k].mem);
		} else if (c->q.count) {
			mc_queue_free(&c->q);
		}
		for (k = 0; k < MC_MAX_BUFS; k++)
			free(c->b[k].hdr);
		free(c->head);
		if (!o.syn_w)
			mc_node_close(&c->node);
	}
	if (use_uring)
		io_uring_queue_exit(&ring);
	if (efd >= 0)
		close(efd);
	if (raw_fd >= 0 && close(raw_fd))
		perror("mcap-record: closing the raw device");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char colour[4];
	int i, gst, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv))
		return EXIT_USAGE;
	if (mkv_colour(o.fmt->fourcc, colour, &gst)) {
		fprintf(stderr, "mcap-record: -f %s: no Matroska ColourSpace "
			"FFmpeg or GStreamer would read; record YUYV, UYVY, "
			"GREY, RGB24, BGR24, NV12 or XBGR32\n", o.fmt->name);
		return EXIT_USAGE;
	}
	if (!gst)
		fprintf(stderr, "mcap-record: note: FFmpeg reads %s recordings, "
			"GStreamer's matroskademux does not\n", o.fmt->alias);
	if (check_dir() || (o.raw && open_raw()))
		return 1;
	if (o.syn_w) {
		nch = o.syn_ch;
		for (i = 0; i < nch; i++) {
			chans[i].node.fd = -1;
			chans[i].node.channel = i;
			snprintf(chans[i].node.path, sizeof(chans[i].node.path),
				 "synthetic%d", i);
		}
	} else {
		r = open_nodes(argv + optind, argc - optind);
		if (r)
			return r;
	}
	if (o.raw && nch != 1) {
		fprintf(stderr, "mcap-record: --raw-device records one channel: "
			"name its node (%d found)\n", nch);
		return EXIT_USAGE;
	}
	name_channels();
	t_start = mc_now_us();
	if (!o.copy && ring_setup())
		return 1;
	for (i = 0; i < nch; i++) {
		if (chan_setup(&chans[i], colour)) {
			cleanup();
			return 1;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	t_start = mc_now_us();
	for (i = 0; i < nch && !o.syn_w; i++) {
		if (mc_stream(chans[i].node.fd, 1)) {
			fprintf(stderr, "mcap-record: %s: STREAMON: %s\n",
				chans[i].node.path, strerror(errno));
			rc = 1;
			stop_req = 1;
		}
	}
	run();
	summary();
	cleanup();
	if (write_err)
		fprintf(stderr, "mcap-record: stopped: %s\n", strerror(write_err));
	return rc;
}
