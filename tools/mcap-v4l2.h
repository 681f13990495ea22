/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcap-v4l2.h - V4L2 helpers shared by the multicap tools and test tools
 *
 * Node discovery (QUERYCAP driver == "multicap", channel index from sysfs),
 * format table and geometry of the 8 multicap formats, test pattern menu
 * control, buffer queues (MMAP, USERPTR, DMABUF from a dma-heap or from
 * another V4L2 node via VIDIOC_EXPBUF) and time helpers. Standalone: libc
 * and the kernel's uapi headers only (the test tools' frame checker is
 * test/tools/common.h).
 *
 * Exit codes of the test tools: 0 pass, 1 fail, 77 skip.
 */
#ifndef MCAP_V4L2_H
#define MCAP_V4L2_H

#include <stddef.h>
#include <time.h>
#include <sys/time.h>
#include <linux/videodev2.h>

#define MC_EXIT_PASS	0
#define MC_EXIT_FAIL	1
#define MC_EXIT_SKIP	77

#define MC_DRIVER	"multicap"
#define MC_MAX_NODES	64
#define MC_MAX_BUFS	32
#define MC_TAG_LEN	16	/* "MCAP" + channel + frame + line */
#define MC_PATTERN	"Tagged Lines"

/* ---- formats ---------------------------------------------------------- */

struct mc_fmt {
	__u32 fourcc;
	const char *name;	/* fourcc as text, e.g. "RGB3" */
	const char *alias;	/* friendly name, e.g. "RGB24" */
	unsigned int bpp;	/* bytes per pixel (luma plane for NV) */
	unsigned int nv;	/* 0 packed, 12 = NV12, 16 = NV16 */
};

extern const struct mc_fmt mc_formats[];
extern const unsigned int mc_nformats;

const struct mc_fmt *mc_fmt_by_fourcc(__u32 fourcc);
const struct mc_fmt *mc_fmt_parse(const char *s);
const char *mc_fourcc_str(__u32 fourcc, char buf[5]);
/* active (tagged) bytes of every line, luma and chroma alike */
unsigned int mc_fmt_active(const struct mc_fmt *f, unsigned int width);
/* number of tagged lines: height (+ height/2 for NV12, + height for NV16) */
unsigned int mc_fmt_lines(const struct mc_fmt *f, unsigned int height);
size_t mc_fmt_sizeimage(const struct mc_fmt *f, unsigned int bpl,
			unsigned int height);

/* ---- nodes ------------------------------------------------------------ */

struct mc_node {
	char path[64];		/* as opened, e.g. /dev/video3 */
	char name[32];		/* sysfs name, e.g. video3 */
	char parent[64];	/* parent device name (debugfs dir) */
	int fd;
	int channel;		/* sysfs "index", -1 if unknown */
	struct v4l2_capability cap;
};

/* 0: multicap capture node, 1: other driver, -1: cannot open/query */
int mc_node_open(struct mc_node *n, const char *path);
void mc_node_close(struct mc_node *n);
/*
 * Open the nodes in @paths (all must be multicap), or when @npaths == 0
 * every /dev/videoN with driver multicap in numeric order.
 * Returns the number of nodes, or -1 on error.
 */
int mc_nodes_find(struct mc_node *nodes, int max, char **paths, int npaths);
/* debugfs stats file of the node's channel; 0 if found */
int mc_stats_path(const struct mc_node *n, char *buf, size_t len);
/* value of "key: value" line in @path; 0 if found */
int mc_read_stat(const char *path, const char *key, unsigned long long *val);

/* ---- controls and formats -------------------------------------------- */

/* set menu control @id to the item named @item; returns the index or -1 */
int mc_set_menu_ctrl(int fd, __u32 id, const char *item);
/*
 * S_FMT @f at the input size with bytesperline = packed + @pad and verify
 * with G_FMT (format, size, bytesperline, sizeimage, field). 0 if all ok.
 */
int mc_set_format(int fd, const char *label, const struct mc_fmt *f,
		  unsigned int pad, struct v4l2_pix_format *pix);
int mc_stream(int fd, int on);
/* G_PARM's capture frame period in ns, 0 if unknown */
double mc_frame_period_ns(int fd);

/* ---- buffers ---------------------------------------------------------- */

/* where DMABUF buffers come from: a dma-heap or an exporting V4L2 node */
struct mc_dmabuf_src {
	int heap_fd;
	int exp_fd;
	char path[64];
};

/* @path may be NULL: /dev/dma_heap/system, else a free multicap/vivid node */
int mc_dmabuf_src_open(struct mc_dmabuf_src *s, const char *path,
		       const struct mc_node *busy, int nbusy);
int mc_dmabuf_alloc(struct mc_dmabuf_src *s, size_t size, size_t *real);
void mc_dmabuf_src_reset(struct mc_dmabuf_src *s);
void mc_dmabuf_src_close(struct mc_dmabuf_src *s);

struct mc_buf {
	unsigned char *mem;	/* CPU view of the buffer */
	size_t len;		/* length of mem (>= sizeimage) */
	int dmafd;
	int queued;
	struct timespec qtime;	/* CLOCK_MONOTONIC after QBUF */
};

struct mc_queue {
	int fd;
	__u32 memory;
	unsigned int count;
	struct v4l2_pix_format pix;
	const struct mc_fmt *f;
	struct mc_buf buf[MC_MAX_BUFS];
};

/* 0 ok, -1 error, -2 memory type not supported by the driver */
int mc_queue_init(struct mc_queue *q, int fd, __u32 memory,
		  unsigned int count, const struct v4l2_pix_format *pix,
		  const struct mc_fmt *f, struct mc_dmabuf_src *src);
void mc_queue_free(struct mc_queue *q);
/* fill canary (whole buffer for USERPTR, padding + slack otherwise), QBUF */
int mc_queue_buf(struct mc_queue *q, unsigned int idx, int canary);
/* 0: got @b, 1: nothing ready (EAGAIN), -1: error */
int mc_dequeue_buf(struct mc_queue *q, struct v4l2_buffer *b);
/* DMA_BUF_IOCTL_SYNC around CPU reads (no-op unless DMABUF) */
void mc_buf_cpu(struct mc_queue *q, unsigned int idx, int start);

/* ---- time ------------------------------------------------------------- */

long long mc_now_us(void);		/* CLOCK_MONOTONIC in us */
long long mc_tv_us(const struct timeval *tv);
long long mc_ts_us(const struct timespec *ts);

#endif /* MCAP_V4L2_H */
